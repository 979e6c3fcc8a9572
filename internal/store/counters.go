package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Counter is one limit's count for one subject (a user ID, a number, a network): Name is the
// rule's name (internal/limits names them). Its key is PrefixLimit, Name and a hash of Subject,
// so that no phone number or address is written into Redis in clear.
type Counter struct {
	Name    string
	Subject string
}

func (c Counter) key() string {
	sum := sha256.Sum256([]byte(c.Subject))
	return PrefixLimit + c.Name + ":" + hex.EncodeToString(sum[:16])
}

// CounterLimit is "at most Limit events of Counter per Window" (for a lockout, Limit is the
// number of failures).
type CounterLimit struct {
	Counter Counter
	Limit   int
	Window  time.Duration
}

func (l CounterLimit) storeLimit() Limit {
	return Limit{Key: l.Counter.key(), Limit: l.Limit, Window: l.Window}
}

// CounterFull is returned by Counters.Reserve when one of its limits is full.
type CounterFull struct {
	// Limit is the first limit that refused.
	Limit CounterLimit
	// RetryAfter is how long until that limit has a free slot.
	RetryAfter time.Duration
}

func (e *CounterFull) Error() string {
	return fmt.Sprintf("store: limit %s full: retry in %v", e.Limit.Counter.Name, e.RetryAfter)
}

// Counters keeps the limits' counters and lockouts (PrefixLimit) in S; each expires when its
// window (or lock) has passed.
type Counters struct{ S Store }

// Reserve takes one slot of every limit, or none (ReserveAll): when one is full it returns a
// *CounterFull for it and counts nothing. The caller cancels the Reservations when the guarded
// action did not happen.
func (c Counters) Reserve(ctx context.Context, limits ...CounterLimit) (Reservations, error) {
	ls := make([]Limit, len(limits))
	for i, l := range limits {
		ls[i] = l.storeLimit()
	}
	rs, err := ReserveAll(ctx, c.S, ls...)
	var ref *Refusal
	if errors.As(err, &ref) {
		for i, l := range ls {
			if l.Key == ref.Limit.Key {
				return nil, &CounterFull{Limit: limits[i], RetryAfter: ref.RetryAfter}
			}
		}
	}
	return rs, err
}

// Wait says how long until l has a free slot (0: now), counting nothing.
func (c Counters) Wait(ctx context.Context, l CounterLimit) (time.Duration, error) {
	return c.S.Wait(ctx, l.Counter.key(), l.Limit, l.Window)
}

// Attempt takes one guess of the lockout l (Store.Attempt): l.Limit failures within l.Window
// lock its counter for lockFor.
func (c Counters) Attempt(ctx context.Context, l CounterLimit, lockFor time.Duration) (Reservation, error) {
	return c.S.Attempt(ctx, l.Counter.key(), l.Limit, l.Window, lockFor)
}

// Reset forgets every reservation, failure and lock of counter (a help-desk unlock).
func (c Counters) Reset(ctx context.Context, counter Counter) error {
	return c.S.Reset(ctx, counter.key())
}
