// Package store keeps what every instance of the portal must share between requests: the abuse
// limits (texts per user, per number, sign-ins per address), lockouts after wrong codes,
// server-side sessions and code cool-downs.
//
// One instance (go run . -demo) uses Memory. Two or more instances behind a load balancer use
// Redis, so that a limit counted on one instance holds on all of them and a session signed out
// on one is gone on all. Both implement Store and pass one contract suite.
//
// Limits are reservations: a Reservation is taken atomically before the PingOne call that it
// guards, so parallel requests cannot all pass the same free slot, and it is given back with
// Cancel when PingOne did not send after all. Every key expires on its own: a limit's log when
// its window has passed, a value when its TTL has; nothing grows without bound.
//
// When the store cannot be reached, every method returns an error wrapping ErrUnavailable and
// never a granted Reservation: the portal fails closed (no text is sent while its limits cannot
// be checked) and says so in words, and Ping lets /readyz answer 503 until the store is back.
//
// Every key name, lifetime and record type lives in this package (keys.go lists them): each
// family of records has typed helpers over Store (Sessions, Counters, DeviceCache,
// Replacements, History), and other packages use those, never building a key themselves
// (TestNoKeysOutsideStore). Store's raw methods are what the helpers are built on.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrUnavailable is wrapped by every error that means the store could not be asked (Redis down,
// timed out, refused the password, or the store closed). The cause is wrapped too, so
// errors.Is(err, context.DeadlineExceeded) still works.
var ErrUnavailable = errors.New("store unavailable")

// ErrNotFound is returned by Get and Take for a key that is absent or has expired.
var ErrNotFound = errors.New("store: not found")

// Store is the shared state of the portal's instances.
type Store interface {
	// Reserve takes one of limit slots for key in a sliding window: at most limit reservations
	// in any span of window. When a slot is free it is taken at once (atomically, across every
	// instance) and the Reservation is OK; otherwise nothing is counted and RetryAfter says when
	// the oldest slot frees up.
	Reserve(ctx context.Context, key string, limit int, window time.Duration) (Reservation, error)

	// Attempt is Reserve for guesses that lock: each granted attempt counts as a failure unless
	// it is cancelled (the code was right, or was never checked). When failures reach
	// maxFailures within window, key is locked for lockFor: every Attempt is refused, with
	// RetryAfter the time left. Cancelling the attempt that set the lock lifts it.
	Attempt(ctx context.Context, key string, maxFailures int, window, lockFor time.Duration) (Reservation, error)

	// Wait says how long until Reserve or Attempt on key would be granted (0: now), counting
	// nothing. limit and window are the ones given to Reserve or Attempt.
	Wait(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error)

	// Reset forgets every reservation, failure and lock of key (a help-desk unlock).
	Reset(ctx context.Context, key string) error

	// Get returns the value under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl, which must be positive: nothing is kept for ever.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX stores value under key for ttl only if key holds nothing, and reports whether it did.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Take returns the value under key and deletes it in one step (single-use values such as an
	// OIDC state), or ErrNotFound.
	Take(ctx context.Context, key string) ([]byte, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error

	// Ping reports whether the store answers, for /readyz.
	Ping(ctx context.Context) error
	// Close releases the store; later calls return ErrUnavailable.
	Close() error
}

// Reservation is the answer of Reserve or Attempt.
type Reservation struct {
	// OK is true when a slot was taken; only then may the guarded action go ahead.
	OK bool
	// RetryAfter is, when OK is false, how long until a slot frees up or the lock ends.
	RetryAfter time.Duration
	// Remaining is, when OK is true, how many slots are left in the window after this one.
	Remaining int

	cancel func(context.Context) error
}

// Cancel gives the slot back, as if it had never been taken: called when the guarded action did
// not happen (PingOne did not send), or for an Attempt whose guess was right. Cancelling a
// refused Reservation, or one already cancelled, does nothing.
func (r Reservation) Cancel(ctx context.Context) error {
	if !r.OK || r.cancel == nil {
		return nil
	}
	return r.cancel(ctx)
}

// Limit names one rule for ReserveAll: at most Limit reservations of Key per Window.
type Limit struct {
	Key    string
	Limit  int
	Window time.Duration
}

// Refusal is returned by ReserveAll when one of its limits is full.
type Refusal struct {
	// Limit is the first limit that refused.
	Limit Limit
	// RetryAfter is how long until that limit has a free slot.
	RetryAfter time.Duration
}

func (e *Refusal) Error() string {
	return fmt.Sprintf("store: limit %q full: retry in %v", e.Limit.Key, e.RetryAfter)
}

// Reservations is a set of reservations taken together by ReserveAll.
type Reservations []Reservation

// Cancel gives every slot back; it returns the first error and still tries the rest.
func (rs Reservations) Cancel(ctx context.Context) error {
	var first error
	for _, r := range rs {
		if err := r.Cancel(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// GiveBack is Cancel for slots taken for something that did not happen, called when the
// request's own context may be what failed: the give-back gets a moment of its own (2 s).
func (rs Reservations) GiveBack(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	return rs.Cancel(cctx)
}

// ReserveAll takes one slot of every limit (a text counts against the user, the device and the
// number at once), or none: when one limit is full it gives back those already taken and
// returns a *Refusal. Each limit is atomic on its own; a request running beside this one may
// see a slot that is given back a moment later as taken, so the set errs towards refusing,
// never towards letting too many through.
func ReserveAll(ctx context.Context, s Store, limits ...Limit) (Reservations, error) {
	taken := make(Reservations, 0, len(limits))
	for _, l := range limits {
		r, err := s.Reserve(ctx, l.Key, l.Limit, l.Window)
		if err == nil && !r.OK {
			err = &Refusal{Limit: l, RetryAfter: r.RetryAfter}
		}
		if err != nil {
			_ = taken.GiveBack(ctx)
			return nil, err
		}
		taken = append(taken, r)
	}
	return taken, nil
}

// unavailable wraps cause as an ErrUnavailable for operation op.
func unavailable(op string, cause error) error {
	return fmt.Errorf("store: %s: %w: %w", op, ErrUnavailable, cause)
}

// reserveFunc is a backend's one reservation routine, behind its Reserve and Attempt: op names
// the call in errors, lockFor is zero for Reserve, and the limit and lock come checked.
type reserveFunc func(ctx context.Context, op, key string, limit int, window, lockFor time.Duration) (Reservation, error)

// reserveWith is Reserve on a backend's reservation routine.
func reserveWith(ctx context.Context, reserve reserveFunc, key string, limit int, window time.Duration) (Reservation, error) {
	if err := checkLimit(limit, window); err != nil {
		return Reservation{}, err
	}
	return reserve(ctx, "reserve", key, limit, window, 0)
}

// attemptWith is Attempt on a backend's reservation routine.
func attemptWith(ctx context.Context, reserve reserveFunc, key string, maxFailures int, window, lockFor time.Duration) (Reservation, error) {
	if err := checkLock(lockFor); err != nil {
		return Reservation{}, err
	}
	if err := checkLimit(maxFailures, window); err != nil {
		return Reservation{}, err
	}
	return reserve(ctx, "attempt", key, maxFailures, window, lockFor)
}

// checkLimit refuses nonsense rules, which are programming errors rather than outages.
func checkLimit(limit int, window time.Duration) error {
	if limit <= 0 {
		return fmt.Errorf("store: limit %d is not positive", limit)
	}
	if window <= 0 {
		return fmt.Errorf("store: window %v is not positive", window)
	}
	return nil
}

func checkTTL(ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("store: ttl %v is not positive: every value must expire", ttl)
	}
	return nil
}

func checkLock(lockFor time.Duration) error {
	if lockFor <= 0 {
		return fmt.Errorf("store: lock time %v is not positive", lockFor)
	}
	return nil
}
