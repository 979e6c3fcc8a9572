package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// suiteSessions is the contract of the session records (store.Sessions).
func suiteSessions(t *testing.T, newStore func(t *testing.T) harness) {
	ctx := context.Background()
	alice := store.SessionRecord{UserID: "alice", Checked: 1767323045, IDToken: "eyJ.id.token"}

	t.Run("PutGetEnd", func(t *testing.T) {
		h := newStore(t)
		s := store.Sessions{S: h.s, Idle: 15 * time.Minute}
		if rec, err := s.Get(ctx, "sid1"); rec != nil || err != nil {
			t.Fatalf("Get of an unknown session = %+v, %v; want nil, nil", rec, err)
		}
		if rec, err := s.Get(ctx, ""); rec != nil || err != nil {
			t.Fatalf("Get of no session ID = %+v, %v; want nil, nil", rec, err)
		}
		if err := s.Put(ctx, "sid1", alice); err != nil {
			t.Fatal(err)
		}
		if rec, err := s.Get(ctx, "sid1"); err != nil || rec == nil || *rec != alice {
			t.Fatalf("Get = %+v, %v; want %+v", rec, err, alice)
		}
		if rec, _ := s.Get(ctx, "sid2"); rec != nil {
			t.Fatalf("another session has a record: %+v", rec)
		}
		if err := s.End(ctx, "sid1"); err != nil {
			t.Fatal(err)
		}
		if rec, err := s.Get(ctx, "sid1"); rec != nil || err != nil {
			t.Fatalf("Get after End = %+v, %v; want nil, nil", rec, err)
		}
		if err := s.End(ctx, "never-existed"); err != nil {
			t.Fatalf("End of an unknown session: %v", err)
		}
	})

	t.Run("RefreshAfterEndDoesNotRevive", func(t *testing.T) {
		h := newStore(t)
		s := store.Sessions{S: h.s, Idle: 15 * time.Minute}
		if err := s.Put(ctx, "sid1", alice); err != nil {
			t.Fatal(err)
		}
		// A request read the record, then the person signed out elsewhere, then the request
		// refreshes: the sign-out wins.
		if err := s.End(ctx, "sid1"); err != nil {
			t.Fatal(err)
		}
		if err := s.Refresh(ctx, "sid1", alice); err != nil {
			t.Fatal(err)
		}
		if rec, _ := s.Get(ctx, "sid1"); rec != nil {
			t.Fatalf("a refresh after End brought the record back: %+v", rec)
		}
		// A session that was not ended is refreshed.
		if err := s.Put(ctx, "sid2", alice); err != nil {
			t.Fatal(err)
		}
		later := store.SessionRecord{UserID: "alice", Checked: alice.Checked + 60}
		if err := s.Refresh(ctx, "sid2", later); err != nil {
			t.Fatal(err)
		}
		if rec, _ := s.Get(ctx, "sid2"); rec == nil || *rec != later {
			t.Fatalf("after Refresh: %+v, want %+v", rec, later)
		}
	})

	t.Run("LivesIdlePlusAMinute", func(t *testing.T) {
		h := newStore(t)
		const idle = 15 * time.Minute
		s := store.Sessions{S: h.s, Idle: idle}
		if err := s.Put(ctx, "sid1", alice); err != nil {
			t.Fatal(err)
		}
		if err := s.End(ctx, "sid2"); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{store.PrefixSession + "sid1", store.PrefixSessionEnded + "sid2"} {
			if ttl := h.ttl(key); ttl <= idle+time.Minute-10*time.Second || ttl > idle+time.Minute {
				t.Errorf("%s lives %v, want the idle timeout plus a minute (%v)", key, ttl, idle+time.Minute)
			}
		}
		// A record expires on its own (a minute less idle: it lives short).
		brief := store.Sessions{S: h.s, Idle: short - time.Minute}
		if err := brief.Put(ctx, "sid3", alice); err != nil {
			t.Fatal(err)
		}
		h.advance(short + 100*time.Millisecond)
		if rec, err := brief.Get(ctx, "sid3"); rec != nil || err != nil {
			t.Fatalf("after its lifetime: %+v, %v; want nil, nil", rec, err)
		}
	})

	t.Run("KeysOnTheWire", func(t *testing.T) {
		h := newStore(t)
		s := store.Sessions{S: h.s, Idle: time.Hour}
		// A record written by an instance of the version before (a rolling upgrade) is read.
		old := `{"u":"alice","c":1767323045,"t":"eyJ.id.token"}`
		if err := h.s.Set(ctx, "session:sid-old", []byte(old), time.Hour); err != nil {
			t.Fatal(err)
		}
		if rec, err := s.Get(ctx, "sid-old"); err != nil || rec == nil || *rec != alice {
			t.Fatalf("Get of a record the version before wrote = %+v, %v; want %+v", rec, err, alice)
		}
		// And what this version writes, the version before reads.
		if err := s.Put(ctx, "sid1", alice); err != nil {
			t.Fatal(err)
		}
		if v, err := h.s.Get(ctx, "session:sid1"); err != nil || string(v) != old {
			t.Fatalf("session:sid1 = %s, %v; want %s", v, err, old)
		}
		if err := s.End(ctx, "sid1"); err != nil {
			t.Fatal(err)
		}
		if v, err := h.s.Get(ctx, "session-ended:sid1"); err != nil || string(v) != "1" {
			t.Fatalf("session-ended:sid1 = %q, %v; want the end mark", v, err)
		}
		// A record that cannot be read is no proof of a live session.
		if err := h.s.Set(ctx, "session:sid-bad", []byte("{not json"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if rec, err := s.Get(ctx, "sid-bad"); rec != nil || err != nil {
			t.Fatalf("Get of an unreadable record = %+v, %v; want nil, nil", rec, err)
		}
	})
}
