package store_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// suiteValues is the contract of the raw values (Get, Set, SetNX, Take, Delete) and of a closed
// store.
func suiteValues(t *testing.T, newStore func(t *testing.T) harness) {
	ctx := context.Background()

	t.Run("GetSetDelete", func(t *testing.T) {
		h := newStore(t)
		if _, err := h.s.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get of a missing key: %v, want ErrNotFound", err)
		}
		val := []byte("value one")
		if err := h.s.Set(ctx, "a", val, long); err != nil {
			t.Fatal(err)
		}
		val[0] = 'X' // the store keeps its own copy
		got, err := h.s.Get(ctx, "a")
		if err != nil || string(got) != "value one" {
			t.Fatalf("Get = %q, %v; want %q", got, err, "value one")
		}
		if err := h.s.Set(ctx, "a", []byte{0, 1, 2, 255}, long); err != nil {
			t.Fatal(err)
		}
		if got, _ := h.s.Get(ctx, "a"); !bytes.Equal(got, []byte{0, 1, 2, 255}) {
			t.Fatalf("after overwrite with binary: %v", got)
		}
		if _, err := h.s.Get(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another key is not set: %v", err)
		}
		if err := h.s.Delete(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.s.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get after Delete: %v", err)
		}
		if err := h.s.Delete(ctx, "a"); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
	})

	t.Run("ValuesExpire", func(t *testing.T) {
		h := newStore(t)
		if err := h.s.Set(ctx, "session", []byte("s"), short); err != nil {
			t.Fatal(err)
		}
		if err := h.s.Set(ctx, "kept", []byte("k"), long); err != nil {
			t.Fatal(err)
		}
		if _, err := h.s.Get(ctx, "session"); err != nil {
			t.Fatalf("before its TTL: %v", err)
		}
		h.advance(short + 100*time.Millisecond)
		if _, err := h.s.Get(ctx, "session"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after its TTL: %v, want ErrNotFound", err)
		}
		if _, err := h.s.Get(ctx, "kept"); err != nil {
			t.Fatalf("a longer TTL expired too: %v", err)
		}
	})

	t.Run("TTLMustBePositive", func(t *testing.T) {
		h := newStore(t)
		for _, ttl := range []time.Duration{0, -time.Second} {
			if err := h.s.Set(ctx, "k", []byte("v"), ttl); err == nil || errors.Is(err, store.ErrUnavailable) {
				t.Errorf("Set with ttl %v: %v, want a usage error", ttl, err)
			}
			if _, err := h.s.SetNX(ctx, "k", []byte("v"), ttl); err == nil {
				t.Errorf("SetNX with ttl %v: no error", ttl)
			}
		}
	})

	t.Run("SetNX", func(t *testing.T) {
		h := newStore(t)
		ok, err := h.s.SetNX(ctx, "cooldown", []byte("first"), short)
		if err != nil || !ok {
			t.Fatalf("first SetNX = %v, %v; want true", ok, err)
		}
		ok, err = h.s.SetNX(ctx, "cooldown", []byte("second"), short)
		if err != nil || ok {
			t.Fatalf("second SetNX = %v, %v; want false", ok, err)
		}
		if got, _ := h.s.Get(ctx, "cooldown"); string(got) != "first" {
			t.Fatalf("SetNX overwrote: %q", got)
		}
		h.advance(short + 100*time.Millisecond)
		ok, err = h.s.SetNX(ctx, "cooldown", []byte("third"), short)
		if err != nil || !ok {
			t.Fatalf("SetNX after expiry = %v, %v; want true", ok, err)
		}
	})

	t.Run("TakeIsSingleUse", func(t *testing.T) {
		h := newStore(t)
		if err := h.s.Set(ctx, "state", []byte("nonce"), long); err != nil {
			t.Fatal(err)
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				v, err := h.s.Take(ctx, "state")
				switch {
				case err == nil && string(v) == "nonce":
					wins.Add(1)
				case errors.Is(err, store.ErrNotFound):
				default:
					t.Errorf("Take = %q, %v", v, err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d of 20 parallel Takes got the value, want exactly 1", wins.Load())
		}
	})

	t.Run("ClosedIsUnavailable", func(t *testing.T) {
		h := newStore(t)
		if err := h.s.Ping(ctx); err != nil {
			t.Fatalf("Ping of an open store: %v", err)
		}
		if err := h.s.Close(); err != nil {
			t.Fatal(err)
		}
		checkAllUnavailable(t, h.s)
	})
}

// checkAllUnavailable asserts that every method fails closed with ErrUnavailable, and that no
// reservation is granted.
func checkAllUnavailable(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	r, err := s.Reserve(ctx, "k", 3, long)
	if !errors.Is(err, store.ErrUnavailable) || r.OK {
		t.Errorf("Reserve = %+v, %v; want ErrUnavailable and no slot", r, err)
	}
	r, err = s.Attempt(ctx, "k", 3, long, long)
	if !errors.Is(err, store.ErrUnavailable) || r.OK {
		t.Errorf("Attempt = %+v, %v; want ErrUnavailable and no slot", r, err)
	}
	_, err = store.ReserveAll(ctx, s, store.Limit{Key: "k", Limit: 3, Window: long})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("ReserveAll: %v", err)
	}
	checks := map[string]error{
		"Ping":   s.Ping(ctx),
		"Set":    s.Set(ctx, "k", []byte("v"), long),
		"Delete": s.Delete(ctx, "k"),
		"Reset":  s.Reset(ctx, "k"),
	}
	_, checks["Get"] = s.Get(ctx, "k")
	_, checks["Take"] = s.Take(ctx, "k")
	_, checks["SetNX"] = s.SetNX(ctx, "k", []byte("v"), long)
	_, checks["Wait"] = s.Wait(ctx, "k", 3, long)
	for name, err := range checks {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s: %v, want ErrUnavailable", name, err)
		}
	}
}
