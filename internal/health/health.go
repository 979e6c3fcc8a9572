// Package health says whether this instance can serve, and how its dependencies are, apart
// (issue #24): readiness is the instance's own (started, not draining), so that an outage of
// Redis or PingOne, which every instance shares, never takes every instance out of the load
// balancer at once; the dependencies are checked for real, a few seconds apart, and reported
// where operators alert (GET /healthz/deps and the portal_dependency_up metric), and the pages
// say "try again in a minute" while one is down.
package health

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Check is one dependency and how to check it.
type Check struct {
	// Name is the dependency's name in reports and metrics, such as "redis".
	Name string
	// Every is how long a result holds before the dependency is checked again.
	Every time.Duration
	// Timeout bounds one check.
	Timeout time.Duration
	// Run checks the dependency for real (never from a cache): nil when it works.
	Run func(ctx context.Context) error
	// Problem sorts an error of Run into a few words safe to show anyone (such as
	// "read-only"); the error itself goes to the log only.
	Problem func(error) string
}

// Status is the last result of one check.
type Status struct {
	Up bool `json:"up"`
	// Checked is when the check ran; zero before the first.
	Checked time.Time `json:"checked"`
	// Took is how long the check took, in milliseconds.
	TookMS int64 `json:"took_ms"`
	// Problem says in a few words why it failed ("" when up).
	Problem string `json:"problem,omitempty"`
	// Since is when the dependency went into its present state (up or down).
	Since time.Time `json:"since"`
}

// Options are the monitor's logger, clock and metrics hook.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// Observe, when set, is told of every result (the portal_dependency_up gauge).
	Observe func(name string, up bool, at time.Time)
}

// Monitor keeps the latest status of each dependency and whether this instance is draining.
type Monitor struct {
	o      Options
	checks []Check

	mu     sync.Mutex
	status map[string]Status
	// running holds the names of checks in progress: one at a time per dependency.
	running map[string]chan struct{}

	draining atomic.Bool
}

// New returns a monitor of the given checks; nothing runs until Run, Refresh or Report.
func New(o Options, checks ...Check) *Monitor {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Monitor{o: o, checks: checks, status: map[string]Status{}, running: map[string]chan struct{}{}}
}

// Drain marks the instance as stopping: /readyz answers 503 from now on, so the load balancer
// sends new people elsewhere while the requests in flight finish.
func (m *Monitor) Drain() { m.draining.Store(true) }

// Draining reports whether Drain was called.
func (m *Monitor) Draining() bool { return m.draining.Load() }

// Run checks every dependency when its result is older than its Every, until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	tick := time.Second
	for _, c := range m.checks {
		tick = min(tick, c.Every)
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		// Not waiting for them: a slow PingOne check must not hold Redis's back.
		m.start(false)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Refresh runs the checks whose results are older than their Every (every check when all is
// set), each in its own goroutine, and returns when they have finished or ctx ends. A check
// already running is waited for, not started twice.
func (m *Monitor) Refresh(ctx context.Context, all bool) {
	var wg sync.WaitGroup
	for _, done := range m.start(all) {
		wg.Go(func() {
			select {
			case <-done:
			case <-ctx.Done():
			}
		})
	}
	wg.Wait()
}

// start starts the checks that are due and returns what each due or running check closes
// when it ends.
func (m *Monitor) start(all bool) []chan struct{} {
	var out []chan struct{}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.checks {
		st, ok := m.status[c.Name]
		done, busy := m.running[c.Name]
		if !busy && (all || !ok || m.o.Now().Sub(st.Checked) >= c.Every) {
			done = make(chan struct{})
			m.running[c.Name] = done
			go m.run(c, done)
			busy = true
		}
		if busy {
			out = append(out, done)
		}
	}
	return out
}

// run checks one dependency and records the result; its own context, so that a caller giving
// up does not leave a half-finished check recorded as a failure.
func (m *Monitor) run(c Check, done chan struct{}) {
	defer close(done)
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	start := m.o.Now()
	err := c.Run(ctx)
	now := m.o.Now()
	st := Status{Up: err == nil, Checked: now, TookMS: now.Sub(start).Milliseconds()}
	if err != nil {
		st.Problem = "unavailable"
		if c.Problem != nil {
			st.Problem = c.Problem(err)
		}
	}
	m.mu.Lock()
	prev, seen := m.status[c.Name]
	st.Since = prev.Since
	if !seen || prev.Up != st.Up {
		st.Since = now
	}
	m.status[c.Name] = st
	delete(m.running, c.Name)
	m.mu.Unlock()
	if m.o.Observe != nil {
		m.o.Observe(c.Name, st.Up, now)
	}
	switch {
	case err != nil && (!seen || prev.Up):
		m.o.Logger.Warn("dependency down", "dependency", c.Name, "problem", st.Problem, "error", err.Error())
	case err == nil && seen && !prev.Up:
		m.o.Logger.Info("dependency up again", "dependency", c.Name, "down_for", now.Sub(prev.Since).Round(time.Second).String())
	}
}

// Down reports whether the last check of the named dependency failed; false before the first
// check, or for a dependency not monitored.
func (m *Monitor) Down(name string) bool {
	if m == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.status[name]
	return ok && !st.Up
}

// Problem returns the problem the last check of the named dependency found: "" when it passed,
// before the first check, or for a dependency not monitored.
func (m *Monitor) Problem(name string) string {
	if m == nil {
		return ""
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if st, ok := m.status[name]; ok && !st.Up {
		return st.Problem
	}
	return ""
}

// Report refreshes the results that are due (waiting at most until ctx ends) and returns every
// dependency's status.
func (m *Monitor) Report(ctx context.Context) map[string]Status {
	m.Refresh(ctx, false)
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Status, len(m.checks))
	for _, c := range m.checks {
		out[c.Name] = m.status[c.Name]
	}
	return out
}
