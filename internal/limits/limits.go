// Package limits counts events against rules (so many per window) to stop SMS pumping,
// code guessing and sign-in floods. The Limiter interface lets a shared store serve several
// instances; Memory serves one, with golang.org/x/time/rate token buckets.
package limits

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rule is "at most Limit events per Window" for one kind of event.
type Rule struct {
	Name   string
	Limit  int
	Window time.Duration
}

// The portal's rules.
var (
	NewDevice     = Rule{"new_device", 5, time.Hour}            // per user
	ResendShort   = Rule{"resend_short", 1, 30 * time.Second}   // per user and device
	ResendHour    = Rule{"resend_hour", 5, time.Hour}           // per user
	WrongCode     = Rule{"wrong_code", 5, 15 * time.Minute}     // per device: 5, then locked for 15 minutes
	TextsToNumber = Rule{"texts_to_number", 3, 5 * time.Minute} // per phone number, across all users
	SignIn        = Rule{"sign_in", 30, time.Minute}            // per client address
)

// Limiter decides whether an event may happen now.
type Limiter interface {
	// Allow counts one event under key if the rule allows it; otherwise it counts nothing and
	// says how long until it would be allowed.
	Allow(ctx context.Context, r Rule, key string) (ok bool, retryAfter time.Duration, err error)
	// Wait says how long until one more event would be allowed, counting nothing.
	Wait(ctx context.Context, r Rule, key string) (time.Duration, error)
}

// Error is a refusal, with the time until the event would be allowed.
type Error struct {
	Rule       Rule
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("limits: %s: retry in %v", e.Rule.Name, e.RetryAfter)
}

// Check counts one event or returns an *Error saying how long to wait.
func Check(ctx context.Context, l Limiter, r Rule, key string) error {
	ok, wait, err := l.Allow(ctx, r, key)
	if err != nil {
		return err
	}
	if !ok {
		return &Error{Rule: r, RetryAfter: wait}
	}
	return nil
}

// Memory is an in-memory Limiter for one instance.
type Memory struct {
	now func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	sweeps  int
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
	full time.Duration // how long an idle bucket takes to refill: then it can be dropped
}

// NewMemory returns an in-memory limiter on the clock now (nil: time.Now).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, buckets: map[string]*bucket{}}
}

func (m *Memory) bucket(r Rule, key string, now time.Time) *bucket {
	k := r.Name + "\x00" + key
	b, ok := m.buckets[k]
	if !ok {
		// A bucket of Limit tokens refilled at Limit per Window: Limit events at once, then
		// one more each Window/Limit.
		every := r.Window / time.Duration(r.Limit)
		b = &bucket{lim: rate.NewLimiter(rate.Every(every), r.Limit), full: r.Window}
		b.lim.SetLimitAt(now, rate.Every(every))
		m.buckets[k] = b
	}
	b.last = now
	m.sweep(now)
	return b
}

// sweep drops buckets idle long enough to be full again; they would behave as new ones.
func (m *Memory) sweep(now time.Time) {
	m.sweeps++
	if m.sweeps%1024 != 0 {
		return
	}
	for k, b := range m.buckets {
		if now.Sub(b.last) > b.full {
			delete(m.buckets, k)
		}
	}
}

func wait(b *bucket, now time.Time) time.Duration {
	tokens := b.lim.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	secs := (1 - tokens) / float64(b.lim.Limit())
	return time.Duration(math.Ceil(secs)) * time.Second
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, r Rule, key string) (bool, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	b := m.bucket(r, key, now)
	if b.lim.AllowN(now, 1) {
		return true, 0, nil
	}
	return false, wait(b, now), nil
}

// Wait implements Limiter.
func (m *Memory) Wait(_ context.Context, r Rule, key string) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	k := r.Name + "\x00" + key
	b, ok := m.buckets[k]
	if !ok {
		return 0, nil
	}
	return wait(b, now), nil
}
