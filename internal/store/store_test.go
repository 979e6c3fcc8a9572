package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/internal/store/redistest"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// harness is one fresh, empty store for one test, and a way to let time pass for it.
type harness struct {
	s       store.Store
	advance func(time.Duration)
}

// Windows in the suite: long ones never pass during a test; short ones are passed with advance
// (instant on Memory's fake clock, real sleeps on Redis, whose scripts use Redis's own clock).
const (
	long  = time.Hour
	short = 600 * time.Millisecond
)

// runSuite is the contract every Store keeps; it runs against Memory and Redis alike.
func runSuite(t *testing.T, newStore func(t *testing.T) harness) {
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

	t.Run("ReserveUpToLimit", func(t *testing.T) {
		h := newStore(t)
		for i := range 3 {
			r, err := h.s.Reserve(ctx, "texts:+15125551234", 3, long)
			if err != nil || !r.OK {
				t.Fatalf("reservation %d: %+v, %v", i+1, r, err)
			}
			if r.Remaining != 2-i {
				t.Errorf("reservation %d: Remaining %d, want %d", i+1, r.Remaining, 2-i)
			}
		}
		r, err := h.s.Reserve(ctx, "texts:+15125551234", 3, long)
		if err != nil || r.OK {
			t.Fatalf("fourth reservation: %+v, %v; want refused", r, err)
		}
		if r.RetryAfter <= long-time.Minute || r.RetryAfter > long {
			t.Fatalf("RetryAfter %v, want just under %v", r.RetryAfter, long)
		}
		if r.Cancel(ctx) != nil {
			t.Fatal("cancelling a refusal failed")
		}
		if r, _ := h.s.Reserve(ctx, "texts:+15125551234", 3, long); r.OK {
			t.Fatal("cancelling a refusal gave a slot back")
		}
		if r, err := h.s.Reserve(ctx, "texts:+15125550000", 3, long); err != nil || !r.OK {
			t.Fatalf("another key shares the limit: %+v, %v", r, err)
		}
	})

	t.Run("SlidingWindow", func(t *testing.T) {
		h := newStore(t)
		first, err := h.s.Reserve(ctx, "k", 2, short)
		if err != nil || !first.OK {
			t.Fatal(first, err)
		}
		h.advance(short / 2)
		if r, _ := h.s.Reserve(ctx, "k", 2, short); !r.OK {
			t.Fatal("second reservation refused")
		}
		r, err := h.s.Reserve(ctx, "k", 2, short)
		if err != nil || r.OK {
			t.Fatalf("third reservation: %+v, %v; want refused", r, err)
		}
		// The first slot frees short after it was taken, about short/2 from now.
		if r.RetryAfter <= 0 || r.RetryAfter > short/2 {
			t.Fatalf("RetryAfter %v, want in (0, %v]", r.RetryAfter, short/2)
		}
		w, err := h.s.Wait(ctx, "k", 2, short)
		if err != nil || w <= 0 || w > short/2 {
			t.Fatalf("Wait = %v, %v; want in (0, %v]", w, err, short/2)
		}
		h.advance(short/2 + 100*time.Millisecond)
		r, err = h.s.Reserve(ctx, "k", 2, short)
		if err != nil || !r.OK {
			t.Fatalf("after the first left the window: %+v, %v", r, err)
		}
		if r, _ := h.s.Reserve(ctx, "k", 2, short); r.OK {
			t.Fatal("the second is still in the window: want refused")
		}
	})

	t.Run("CancelGivesTheSlotBack", func(t *testing.T) {
		h := newStore(t)
		var rs []store.Reservation
		for range 3 {
			r, err := h.s.Reserve(ctx, "k", 3, long)
			if err != nil || !r.OK {
				t.Fatal(r, err)
			}
			rs = append(rs, r)
		}
		if err := rs[1].Cancel(ctx); err != nil {
			t.Fatal(err)
		}
		// A second Cancel of the same reservation must not free a second slot.
		if err := rs[1].Cancel(ctx); err != nil {
			t.Fatal(err)
		}
		if r, err := h.s.Reserve(ctx, "k", 3, long); err != nil || !r.OK {
			t.Fatalf("after Cancel: %+v, %v; want the slot back", r, err)
		}
		if r, _ := h.s.Reserve(ctx, "k", 3, long); r.OK {
			t.Fatal("Cancel twice gave back two slots")
		}
	})

	t.Run("WaitCountsNothing", func(t *testing.T) {
		h := newStore(t)
		for range 5 {
			if w, err := h.s.Wait(ctx, "k", 1, long); err != nil || w != 0 {
				t.Fatalf("Wait on a free key = %v, %v", w, err)
			}
		}
		if r, _ := h.s.Reserve(ctx, "k", 1, long); !r.OK {
			t.Fatal("Wait took the slot")
		}
		if w, _ := h.s.Wait(ctx, "k", 1, long); w <= long-time.Minute {
			t.Fatalf("Wait on a full key = %v, want about %v", w, long)
		}
	})

	t.Run("Reset", func(t *testing.T) {
		h := newStore(t)
		for range 2 {
			_, _ = h.s.Attempt(ctx, "code:dev1", 2, long, long)
		}
		if r, _ := h.s.Attempt(ctx, "code:dev1", 2, long, long); r.OK {
			t.Fatal("not locked after 2 failures")
		}
		if err := h.s.Reset(ctx, "code:dev1"); err != nil {
			t.Fatal(err)
		}
		if r, err := h.s.Attempt(ctx, "code:dev1", 2, long, long); err != nil || !r.OK {
			t.Fatalf("after Reset: %+v, %v", r, err)
		}
	})

	t.Run("Lockout", func(t *testing.T) {
		h := newStore(t)
		const lockFor = 2 * short
		// Five wrong codes, then none for lockFor.
		for i := range 5 {
			r, err := h.s.Attempt(ctx, "code:dev", 5, short, lockFor)
			if err != nil || !r.OK {
				t.Fatalf("attempt %d: %+v, %v", i+1, r, err)
			}
		}
		r, err := h.s.Attempt(ctx, "code:dev", 5, short, lockFor)
		if err != nil || r.OK {
			t.Fatalf("sixth attempt: %+v, %v; want locked", r, err)
		}
		if r.RetryAfter <= short || r.RetryAfter > lockFor {
			t.Fatalf("locked RetryAfter %v, want in (%v, %v]", r.RetryAfter, short, lockFor)
		}
		// The failures leave their window before the lock ends: the lock must still hold.
		h.advance(short + 100*time.Millisecond)
		if r, _ := h.s.Attempt(ctx, "code:dev", 5, short, lockFor); r.OK {
			t.Fatal("the lock ended with the failure window, not after lockFor")
		}
		if w, _ := h.s.Wait(ctx, "code:dev", 5, short); w <= 0 {
			t.Fatal("Wait does not see the lock")
		}
		h.advance(short)
		if r, err := h.s.Attempt(ctx, "code:dev", 5, short, lockFor); err != nil || !r.OK {
			t.Fatalf("after the lock: %+v, %v", r, err)
		}
	})

	t.Run("RightCodesDoNotLock", func(t *testing.T) {
		h := newStore(t)
		// Right codes are cancelled attempts: any number of them never lock.
		for i := range 8 {
			r, err := h.s.Attempt(ctx, "code:dev", 3, long, long)
			if err != nil || !r.OK {
				t.Fatalf("attempt %d: %+v, %v", i+1, r, err)
			}
			if err := r.Cancel(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// Two wrong, then the third (which set the lock) turns out right: the lock lifts.
		for range 2 {
			_, _ = h.s.Attempt(ctx, "code:dev", 3, long, long)
		}
		third, _ := h.s.Attempt(ctx, "code:dev", 3, long, long)
		if !third.OK {
			t.Fatal("third attempt refused")
		}
		if r, _ := h.s.Attempt(ctx, "code:dev", 3, long, long); r.OK {
			t.Fatal("a guess in parallel with the third passed")
		}
		if err := third.Cancel(ctx); err != nil {
			t.Fatal(err)
		}
		if r, err := h.s.Attempt(ctx, "code:dev", 3, long, long); err != nil || !r.OK {
			t.Fatalf("after the locking attempt was cancelled: %+v, %v", r, err)
		}
	})

	t.Run("BadRules", func(t *testing.T) {
		h := newStore(t)
		cases := []struct {
			name string
			call func() error
		}{
			{"zero limit", func() error { _, err := h.s.Reserve(ctx, "k", 0, long); return err }},
			{"zero window", func() error { _, err := h.s.Reserve(ctx, "k", 1, 0); return err }},
			{"no lock time", func() error { _, err := h.s.Attempt(ctx, "k", 5, long, 0); return err }},
			{"wait zero limit", func() error { _, err := h.s.Wait(ctx, "k", 0, long); return err }},
		}
		for _, c := range cases {
			if err := c.call(); err == nil || errors.Is(err, store.ErrUnavailable) {
				t.Errorf("%s: %v, want a usage error", c.name, err)
			}
		}
	})

	t.Run("ParallelReservations", func(t *testing.T) {
		h := newStore(t)
		for _, c := range []struct {
			name    string
			reserve func() (store.Reservation, error)
		}{
			{"Reserve", func() (store.Reservation, error) { return h.s.Reserve(ctx, "race", 3, long) }},
			{"Attempt", func() (store.Reservation, error) { return h.s.Attempt(ctx, "race-lock", 3, long, long) }},
		} {
			t.Run(c.name, func(t *testing.T) {
				var granted atomic.Int32
				var wg sync.WaitGroup
				start := make(chan struct{})
				for range 50 {
					wg.Go(func() {
						<-start
						r, err := c.reserve()
						if err != nil {
							t.Error(err)
						}
						if r.OK {
							granted.Add(1)
						}
					})
				}
				close(start)
				wg.Wait()
				if granted.Load() != 3 {
					t.Fatalf("%d of 50 parallel reservations granted against a limit of 3", granted.Load())
				}
			})
		}
	})

	t.Run("ReserveAll", func(t *testing.T) {
		h := newStore(t)
		user := store.Limit{Key: "new:user1", Limit: 5, Window: long}
		number := store.Limit{Key: "texts:+15125551234", Limit: 1, Window: long}
		rs, err := store.ReserveAll(ctx, h.s, user, number)
		if err != nil || len(rs) != 2 {
			t.Fatalf("ReserveAll = %v, %v", rs, err)
		}
		_, err = store.ReserveAll(ctx, h.s, user, number)
		var refusal *store.Refusal
		if !errors.As(err, &refusal) || refusal.Limit.Key != number.Key || refusal.RetryAfter <= 0 {
			t.Fatalf("second ReserveAll: %v, want a refusal by the number's limit", err)
		}
		// The user's slot taken before the refusal was given back: 4 of 5 left, not 3.
		if r, _ := h.s.Reserve(ctx, user.Key, 5, long); r.Remaining != 3 {
			t.Fatalf("user limit after a refused ReserveAll: Remaining %d, want 3", r.Remaining)
		}
		// PingOne did not send: cancelling the set frees the number again.
		if err := rs.Cancel(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := store.ReserveAll(ctx, h.s, number); err != nil {
			t.Fatalf("after Cancel: %v", err)
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

	t.Run("callers", func(t *testing.T) { testCallerRecords(t, newStore) })
	t.Run("approvals", func(t *testing.T) { testApprovalRecords(t, newStore) })
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

func TestMemory(t *testing.T) {
	runSuite(t, func(t *testing.T) harness {
		clock := &pingonetest.Clock{Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
		m := store.NewMemory(store.MemoryOptions{Now: clock.Now})
		t.Cleanup(func() { _ = m.Close() })
		return harness{s: m, advance: clock.Advance}
	})
}

func TestRedis(t *testing.T) {
	srv := redistest.Start(t)
	runSuite(t, func(t *testing.T) harness {
		// Each test has its own prefix on the one server, so tests cannot see each other's keys.
		r, err := store.NewRedis(context.Background(), srv.URL(1), fmt.Sprintf("test:%s:", t.Name()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		return harness{s: r, advance: time.Sleep}
	})
}

// TestRedisCluster runs the contract on a real (one-node) Redis Cluster through go-redis's
// cluster client: a limit's two keys must share a slot, or Redis refuses the scripts.
func TestRedisCluster(t *testing.T) {
	srv := redistest.StartCluster(t)
	url := fmt.Sprintf("redis://:%s@%s?cluster=true&dial_timeout=500ms", srv.Password(), srv.Addr())
	runSuite(t, func(t *testing.T) harness {
		r, err := store.NewRedis(context.Background(), url, fmt.Sprintf("test:%s:", t.Name()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		return harness{s: r, advance: time.Sleep}
	})
}
