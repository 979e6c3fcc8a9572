package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// TestObservedCountsOnlyOutages wraps a store: a missing key and a full limit are answers, not
// failures; once the store cannot answer (closed, as Redis gone), every call is reported by
// its operation.
func TestObservedCountsOnlyOutages(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory(store.MemoryOptions{})
	var failed []string
	st := store.Observed(mem, func(op string) { failed = append(failed, op) })

	if _, err := st.Get(ctx, "absent"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get: %v", err)
	}
	if r, err := st.Reserve(ctx, "k", 1, time.Minute); err != nil || !r.OK {
		t.Fatalf("Reserve: %+v %v", r, err)
	}
	if r, err := st.Reserve(ctx, "k", 1, time.Minute); err != nil || r.OK {
		t.Fatalf("second Reserve: %+v %v", r, err)
	}
	if len(failed) != 0 {
		t.Fatalf("answers counted as failures: %v", failed)
	}

	_ = mem.Close()
	_, _ = st.Get(ctx, "k")
	_ = st.Set(ctx, "k", []byte("v"), time.Minute)
	_, _ = st.Reserve(ctx, "k", 1, time.Minute)
	_, _ = st.Attempt(ctx, "k", 1, time.Minute, time.Minute)
	_, _ = st.SetNX(ctx, "k", []byte("v"), time.Minute)
	_, _ = st.Take(ctx, "k")
	_ = st.Delete(ctx, "k")
	_ = st.Reset(ctx, "k")
	_, _ = st.Wait(ctx, "k", 1, time.Minute)
	if err := st.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping after Close: %v", err)
	}
	want := []string{"get", "set", "reserve", "attempt", "setnx", "take", "delete", "reset", "wait", "ping"}
	if !slices.Equal(failed, want) {
		t.Errorf("failures reported %v, want %v", failed, want)
	}
}
