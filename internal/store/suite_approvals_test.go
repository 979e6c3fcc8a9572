package store_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// testApprovalRecords is the contract of the help desk's approval records (store.Approvals) on
// every backend: the keys older instances wrote, one approval per request, the index's lock.
func testApprovalRecords(t *testing.T, newStore func(t *testing.T) harness) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	request := func(id string, wait time.Duration) store.Approval {
		return store.Approval{ID: id, Requester: store.Person{ID: "hank", Username: "hank"}, Target: store.Person{ID: "erin", Username: "erin"},
			TargetName: "Erin Employee", Signals: []string{"country_mismatch"}, Created: now, Expires: now.Add(wait)}
	}

	t.Run("RequestOnTheWire", func(t *testing.T) {
		h := newStore(t)
		r := store.Approvals(h.s, long)
		if a, err := r.Get(ctx, "r1"); a != nil || err != nil {
			t.Fatalf("Get with none kept: %+v %v", a, err)
		}
		if err := r.Put(ctx, request("r1", long), long); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"hd:approval:r1", "hd:asked:hank:erin"} {
			if b, err := h.s.Get(ctx, key); err != nil || !bytes.Contains(b, []byte(`"requester":{"ID":"hank","Username":"hank"}`)) {
				t.Fatalf("%s: %s %v", key, b, err)
			}
		}
		// As an instance before issue 22 wrote it.
		old := `{"id":"r0","requester":{"ID":"hank","Username":"hank"},"target":{"ID":"erin","Username":"erin"},` +
			`"target_name":"Erin Employee","created":"2026-12-07T20:00:00Z","expires":"2099-12-07T20:30:00Z"}`
		if err := h.s.Set(ctx, "hd:approval:r0", []byte(old), long); err != nil {
			t.Fatal(err)
		}
		a, err := r.Get(ctx, "r0")
		if err != nil || a == nil || a.Requester != (store.Person{ID: "hank", Username: "hank"}) || a.Target.ID != "erin" || a.TargetName != "Erin Employee" {
			t.Fatalf("Get of an old record: %+v %v", a, err)
		}
		if a, err := r.Asked(ctx, "hank", "erin"); err != nil || a == nil || a.ID != "r1" {
			t.Fatalf("Asked: %+v %v", a, err)
		}
		if a, _ := r.Asked(ctx, "erin", "hank"); a != nil {
			t.Fatalf("Asked the other way round: %+v", a)
		}
		if err := r.DeleteAsked(ctx, "hank", "erin"); err != nil {
			t.Fatal(err)
		}
		if a, _ := r.Asked(ctx, "hank", "erin"); a != nil {
			t.Fatalf("Asked after DeleteAsked: %+v", a)
		}
	})

	t.Run("TakenOnceAndExpires", func(t *testing.T) {
		h := newStore(t)
		r := store.Approvals(h.s, long)
		if err := r.Put(ctx, request("r1", long), long); err != nil {
			t.Fatal(err)
		}
		if took, err := r.Take(ctx, "r1"); !took || err != nil {
			t.Fatalf("first Take: %v %v", took, err)
		}
		if took, err := r.Take(ctx, "r1"); took || err != nil {
			t.Fatalf("second Take: %v %v, want false", took, err)
		}
		// The request lasts its wait; the requester's pointer, that wait and a caller check's TTL.
		if err := r.Put(ctx, request("r2", short), long); err != nil {
			t.Fatal(err)
		}
		h.advance(short + 100*time.Millisecond)
		if a, err := r.Get(ctx, "r2"); a != nil || err != nil {
			t.Fatalf("Get after the wait: %+v %v", a, err)
		}
		if a, err := r.Asked(ctx, "hank", "erin"); a == nil || a.ID != "r2" || err != nil {
			t.Fatalf("Asked after the wait: %+v %v", a, err)
		}
		if ttl := h.ttl("hd:asked:hank:erin"); ttl <= long-10*time.Second || ttl > long+short {
			t.Errorf("pointer TTL %v, want the wait and the check's TTL (%v)", ttl, long+short)
		}
	})

	t.Run("Index", func(t *testing.T) {
		h := newStore(t)
		r := store.Approvals(h.s, long)
		if ids, err := r.Index(ctx); len(ids) != 0 || err != nil {
			t.Fatalf("empty index: %v %v", ids, err)
		}
		for _, id := range []string{"a1", "a2", "a3"} {
			if err := r.ChangeIndex(ctx, func(ids []string) []string { return append(ids, id) }); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.ChangeIndex(ctx, func(ids []string) []string {
			return slices.DeleteFunc(ids, func(s string) bool { return s == "a2" })
		}); err != nil {
			t.Fatal(err)
		}
		if ids, err := r.Index(ctx); !slices.Equal(ids, []string{"a1", "a3"}) || err != nil {
			t.Fatalf("index: %v %v", ids, err)
		}
		if _, err := h.s.Get(ctx, "hd:approvals"); err != nil {
			t.Fatalf("raw key: %v", err)
		}
		// The store, not its callers, says how long the index is kept: the wait it was given.
		if ttl := h.ttl("hd:approvals"); ttl <= long+store.ApprovalIndexSlack-10*time.Second || ttl > long+store.ApprovalIndexSlack {
			t.Errorf("index TTL %v, want %v", ttl, long+store.ApprovalIndexSlack)
		}
	})

	// When another instance holds the index's lock past the wait, the list is still changed (an
	// entry lost that way only hides a request), and the other instance's lock is not released
	// by this one; a lock this call took is let go.
	t.Run("IndexLeavesAnotherInstancesLock", func(t *testing.T) {
		h := newStore(t)
		r := store.Approvals(h.s, long)
		if err := h.s.Set(ctx, store.ApprovalLockKey, []byte("other"), 11*time.Second); err != nil {
			t.Fatal(err)
		}
		if err := r.ChangeIndex(ctx, func(ids []string) []string { return append(ids, "a1") }); err != nil {
			t.Fatal(err)
		}
		if got, err := h.s.Get(ctx, "hd:approvals:lock"); err != nil || string(got) != "other" {
			t.Errorf("the other instance's lock: %q %v", got, err)
		}
		if ids, err := r.Index(ctx); !slices.Equal(ids, []string{"a1"}) || err != nil {
			t.Errorf("index %v %v", ids, err)
		}
		_ = h.s.Delete(ctx, store.ApprovalLockKey)
		if err := r.ChangeIndex(ctx, func(ids []string) []string { return append(ids, "a2") }); err != nil {
			t.Fatal(err)
		}
		if _, err := h.s.Get(ctx, store.ApprovalLockKey); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the lock this call took is still held: %v", err)
		}
	})

	t.Run("ClosedIsUnavailable", func(t *testing.T) {
		h := newStore(t)
		r := store.Approvals(h.s, long)
		_ = h.s.Close()
		_, errGet := r.Get(ctx, "r1")
		_, errTake := r.Take(ctx, "r1")
		_, errIndex := r.Index(ctx)
		for name, err := range map[string]error{
			"Put": r.Put(ctx, request("r1", long), long), "Get": errGet, "Take": errTake, "Index": errIndex,
			"ChangeIndex": r.ChangeIndex(ctx, func(ids []string) []string { return ids }),
		} {
			if !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("%s: %v, want ErrUnavailable", name, err)
			}
		}
	})
}
