package store

import (
	"context"
	"errors"
	"sync"
	"time"
)

// MemoryOptions configures NewMemory.
type MemoryOptions struct {
	// Now is the clock (nil: time.Now); tests pass a fake one.
	Now func() time.Time
	// JanitorInterval is how often expired keys are swept out (0: every minute; negative: never,
	// leaving expiry to the lazy check on each access, for tests).
	JanitorInterval time.Duration
}

// Memory is the Store of a single instance: everything in this process's memory, lost when it
// stops. Expired keys are dropped when touched and by a janitor goroutine, so memory stays
// bounded by what is live.
type Memory struct {
	now func() time.Time

	mu     sync.Mutex
	kv     map[string]memValue
	logs   map[string]*memLog
	nextID uint64
	closed bool

	stop chan struct{}
	done chan struct{}
}

type memValue struct {
	v       []byte
	expires time.Time
}

// memLog is one limit key: the times of the reservations still in its window, and a lock.
type memLog struct {
	entries   []memEntry // oldest first
	window    time.Duration
	lockUntil time.Time
	lockID    uint64
}

type memEntry struct {
	id uint64
	at time.Time
}

var errClosed = errors.New("store closed")

// NewMemory returns an in-memory Store. Close stops its janitor.
func NewMemory(opts MemoryOptions) *Memory {
	m := &Memory{now: opts.Now, kv: map[string]memValue{}, logs: map[string]*memLog{},
		stop: make(chan struct{}), done: make(chan struct{})}
	if m.now == nil {
		m.now = time.Now
	}
	every := opts.JanitorInterval
	if every == 0 {
		every = time.Minute
	}
	if every < 0 {
		close(m.done)
		return m
	}
	go func() {
		defer close(m.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				m.sweep()
			}
		}
	}()
	return m
}

// sweep drops every expired value and every log with nothing left in its window and no lock.
func (m *Memory) sweep() {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for k, v := range m.kv {
		if !now.Before(v.expires) {
			delete(m.kv, k)
		}
	}
	for k, l := range m.logs {
		l.prune(now)
		if l.empty(now) {
			delete(m.logs, k)
		}
	}
}

func (l *memLog) prune(now time.Time) {
	i := 0
	for i < len(l.entries) && !now.Before(l.entries[i].at.Add(l.window)) {
		i++
	}
	l.entries = l.entries[i:]
}

func (l *memLog) empty(now time.Time) bool {
	return len(l.entries) == 0 && !now.Before(l.lockUntil)
}

// wait is how long until a slot of limit is free, with l already pruned; 0 when one is.
func (l *memLog) wait(now time.Time, limit int) time.Duration {
	if now.Before(l.lockUntil) {
		return l.lockUntil.Sub(now)
	}
	if len(l.entries) < limit {
		return 0
	}
	// The slot frees when enough old entries leave the window to bring the count under limit.
	return l.entries[len(l.entries)-limit].at.Add(l.window).Sub(now)
}

// Reserve implements Store.
func (m *Memory) Reserve(ctx context.Context, key string, limit int, window time.Duration) (Reservation, error) {
	return reserveWith(ctx, m.reserve, key, limit, window)
}

// Attempt implements Store.
func (m *Memory) Attempt(ctx context.Context, key string, maxFailures int, window, lockFor time.Duration) (Reservation, error) {
	return attemptWith(ctx, m.reserve, key, maxFailures, window, lockFor)
}

func (m *Memory) reserve(_ context.Context, op, key string, limit int, window, lockFor time.Duration) (Reservation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Reservation{}, unavailable(op, errClosed)
	}
	now := m.now()
	l := m.logs[key]
	if l == nil {
		l = &memLog{}
		m.logs[key] = l
	}
	// The window is the latest rule's, as in Redis where each call passes its own.
	l.window = window
	l.prune(now)
	if w := l.wait(now, limit); w > 0 {
		return Reservation{RetryAfter: w}, nil
	}
	m.nextID++
	id := m.nextID
	l.entries = append(l.entries, memEntry{id: id, at: now})
	if lockFor > 0 && len(l.entries) >= limit {
		l.lockUntil, l.lockID = now.Add(lockFor), id
	}
	return Reservation{OK: true, Remaining: limit - len(l.entries),
		cancel: func(context.Context) error { return m.cancel(key, id) }}, nil
}

func (m *Memory) cancel(key string, id uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return unavailable("cancel", errClosed)
	}
	l := m.logs[key]
	if l == nil {
		return nil
	}
	for i, e := range l.entries {
		if e.id == id {
			l.entries = append(l.entries[:i], l.entries[i+1:]...)
			break
		}
	}
	if l.lockID == id {
		l.lockUntil, l.lockID = time.Time{}, 0
	}
	return nil
}

// Wait implements Store.
func (m *Memory) Wait(_ context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	if err := checkLimit(limit, window); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, unavailable("wait", errClosed)
	}
	l := m.logs[key]
	if l == nil {
		return 0, nil
	}
	now := m.now()
	l.window = window
	l.prune(now)
	return l.wait(now, limit), nil
}

// Reset implements Store.
func (m *Memory) Reset(_ context.Context, key string) error {
	return m.whileOpen("reset", func() { delete(m.logs, key) })
}

// live returns the unexpired value under key, dropping an expired one; m.mu is held.
func (m *Memory) live(key string) (memValue, bool) {
	v, ok := m.kv[key]
	if ok && !m.now().Before(v.expires) {
		delete(m.kv, key)
		return memValue{}, false
	}
	return v, ok
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	return m.read("get", key, false)
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := m.put("set", key, value, ttl, false)
	return err
}

// SetNX implements Store.
func (m *Memory) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return m.put("setnx", key, value, ttl, true)
}

// put stores a copy of value under key for ttl, for op; with onlyNew, only when no unexpired
// value is there, answering whether it stored.
func (m *Memory) put(op, key string, value []byte, ttl time.Duration, onlyNew bool) (bool, error) {
	if err := checkTTL(ttl); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false, unavailable(op, errClosed)
	}
	if _, ok := m.live(key); onlyNew && ok {
		return false, nil
	}
	m.kv[key] = memValue{v: append([]byte(nil), value...), expires: m.now().Add(ttl)}
	return true, nil
}

// Take implements Store.
func (m *Memory) Take(_ context.Context, key string) ([]byte, error) {
	return m.read("take", key, true)
}

// read returns the unexpired value under key for op: unavailable when m is closed, ErrNotFound
// when there is none. With take it removes the value and hands it over; without, it answers a
// copy.
func (m *Memory) read(op, key string, take bool) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, unavailable(op, errClosed)
	}
	v, ok := m.live(key)
	if !ok {
		return nil, ErrNotFound
	}
	if take {
		delete(m.kv, key)
		return v.v, nil
	}
	return append([]byte(nil), v.v...), nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	return m.whileOpen("delete", func() { delete(m.kv, key) })
}

// Ping implements Store.
func (m *Memory) Ping(context.Context) error {
	return m.whileOpen("ping", func() {})
}

// whileOpen runs f holding m.mu, for op; when m is closed it answers unavailable instead.
func (m *Memory) whileOpen(op string, f func()) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return unavailable(op, errClosed)
	}
	f()
	return nil
}

// Close implements Store: it stops the janitor and drops everything.
func (m *Memory) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.kv, m.logs = nil, nil
	m.mu.Unlock()
	close(m.stop)
	<-m.done
	return nil
}
