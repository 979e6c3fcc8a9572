package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// suiteCounters is the contract of the limits' counters and lockouts (store.Counters).
func suiteCounters(t *testing.T, newStore func(t *testing.T) harness) {
	ctx := context.Background()
	user := store.CounterLimit{Counter: store.Counter{Name: "new_device", Subject: "user1"}, Limit: 2, Window: long}
	number := store.CounterLimit{Counter: store.Counter{Name: "texts_to_number", Subject: "+15125551234"}, Limit: 1, Window: long}

	t.Run("ReserveAllOrNone", func(t *testing.T) {
		h := newStore(t)
		c := store.Counters{S: h.s}
		rs, err := c.Reserve(ctx, user, number)
		if err != nil || len(rs) != 2 {
			t.Fatalf("Reserve = %v, %v", rs, err)
		}
		_, err = c.Reserve(ctx, user, number)
		var full *store.CounterFull
		if !errors.As(err, &full) || full.Limit != number || full.RetryAfter <= long-time.Minute {
			t.Fatalf("second Reserve: %v, want the number's limit full for about %v", err, long)
		}
		// The user's slot taken before the refusal was given back: one of two left, not none.
		if w, _ := c.Wait(ctx, user); w != 0 {
			t.Fatalf("user's limit after a refused Reserve: wait %v, want a free slot", w)
		}
		// The same rule for another subject counts on its own.
		other := number
		other.Counter.Subject = "+15125550000"
		if _, err := c.Reserve(ctx, other); err != nil {
			t.Fatalf("another number shares the count: %v", err)
		}
		if err := rs.Cancel(ctx); err != nil {
			t.Fatal(err)
		}
		if w, err := c.Wait(ctx, number); err != nil || w != 0 {
			t.Fatalf("Wait after Cancel = %v, %v; want 0", w, err)
		}
	})

	t.Run("LockoutAndReset", func(t *testing.T) {
		h := newStore(t)
		c := store.Counters{S: h.s}
		guess := store.CounterLimit{Counter: store.Counter{Name: "wrong_code", Subject: "dev1"}, Limit: 2, Window: long}
		for i := range 2 {
			if r, err := c.Attempt(ctx, guess, long); err != nil || !r.OK {
				t.Fatalf("attempt %d: %+v, %v", i+1, r, err)
			}
		}
		if r, _ := c.Attempt(ctx, guess, long); r.OK || r.RetryAfter <= long-time.Minute {
			t.Fatalf("third attempt: %+v, want locked for about %v", r, long)
		}
		if w, _ := c.Wait(ctx, guess); w <= 0 {
			t.Fatal("Wait does not see the lock")
		}
		if err := c.Reset(ctx, store.Counter{Name: "wrong_code", Subject: "dev2"}); err != nil {
			t.Fatal(err)
		}
		if r, _ := c.Attempt(ctx, guess, long); r.OK {
			t.Fatal("resetting another device unlocked this one")
		}
		if err := c.Reset(ctx, guess.Counter); err != nil {
			t.Fatal(err)
		}
		if r, err := c.Attempt(ctx, guess, long); err != nil || !r.OK {
			t.Fatalf("after Reset: %+v, %v", r, err)
		}
	})

	t.Run("KeysOnTheWire", func(t *testing.T) {
		h := newStore(t)
		c := store.Counters{S: h.s}
		// limit:<rule>:<hex of the first 16 bytes of the subject's SHA-256>, the key the version
		// before counted under: no number in clear, and a rolling upgrade keeps the counts.
		sum := sha256.Sum256([]byte("+15125551234"))
		key := "limit:texts_to_number:" + hex.EncodeToString(sum[:16])
		if r, err := h.s.Reserve(ctx, key, 1, long); err != nil || !r.OK {
			t.Fatalf("raw Reserve: %+v, %v", r, err)
		}
		var full *store.CounterFull
		if _, err := c.Reserve(ctx, number); !errors.As(err, &full) {
			t.Fatalf("Reserve after the version before counted the number: %v, want full", err)
		}
		if err := c.Reset(ctx, number.Counter); err != nil {
			t.Fatal(err)
		}
		if w, err := h.s.Wait(ctx, key, 1, long); err != nil || w != 0 {
			t.Fatalf("raw Wait after Reset = %v, %v; want 0", w, err)
		}
	})
}
