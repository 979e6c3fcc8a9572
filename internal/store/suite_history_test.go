package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// suiteHistory is the contract of the history cache (store.History).
func suiteHistory(t *testing.T, newStore func(t *testing.T) harness) {
	ctx := context.Background()

	t.Run("History", func(t *testing.T) {
		type event struct {
			At   time.Time `json:"at"`
			Kind string    `json:"kind"`
		}
		h := newStore(t)
		hs := store.History[event]{S: h.s}
		if _, err := hs.Get(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get of none: %v, want ErrNotFound", err)
		}
		evs := []event{{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "phone_added"}}
		if err := hs.Put(ctx, "u1", evs); err != nil {
			t.Fatal(err)
		}
		if got, err := hs.Get(ctx, "u1"); err != nil || !reflect.DeepEqual(got, evs) {
			t.Fatalf("Get = %+v, %v; want %+v", got, err, evs)
		}
		if raw, _ := h.s.Get(ctx, "history:u1"); string(raw) != `[{"at":"2026-01-02T03:04:05Z","kind":"phone_added"}]` {
			t.Fatalf("history:u1 = %s", raw)
		}
		if ttl := h.ttl("history:u1"); ttl <= store.HistoryTTL-10*time.Second || ttl > store.HistoryTTL {
			t.Errorf("history:u1 lives %v, want %v", ttl, store.HistoryTTL)
		}
		if err := hs.Delete(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if _, err := hs.Get(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
		}
	})
}
