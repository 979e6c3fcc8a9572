package health

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMonitor: a check runs once however many ask at the same time, its result holds for Every,
// going down and coming back are each logged once and observed, and Down says what the last
// check found (nothing before the first).
func TestMonitor(t *testing.T) {
	var fail atomic.Bool
	var runs atomic.Int32
	release := make(chan struct{})
	var logs bytes.Buffer
	var mu sync.Mutex
	var observed []bool
	m := New(Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Observe: func(name string, up bool, _ time.Time) {
		mu.Lock()
		observed = append(observed, up)
		mu.Unlock()
	}}, Check{Name: "redis", Every: time.Hour, Timeout: time.Second, Run: func(ctx context.Context) error {
		runs.Add(1)
		<-release
		if fail.Load() {
			return errors.New("READONLY You can't write against a read only replica.")
		}
		return nil
	}, Problem: func(err error) string { return "read-only" }})

	if m.Down("redis") || m.Down("nothing") {
		t.Fatal("down before any check")
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { m.Refresh(context.Background(), false) })
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("5 refreshes at once ran the check %d times", n)
	}
	if st := m.Report(context.Background())["redis"]; !st.Up || st.Checked.IsZero() || runs.Load() != 1 {
		t.Fatalf("report: %+v after %d runs (the result holds for an hour)", st, runs.Load())
	}

	fail.Store(true)
	m.Refresh(context.Background(), true)
	m.Refresh(context.Background(), true)
	st := m.Report(context.Background())["redis"]
	if st.Up || st.Problem != "read-only" || !m.Down("redis") {
		t.Fatalf("after a failed check: %+v", st)
	}
	fail.Store(false)
	m.Refresh(context.Background(), true)
	if m.Down("redis") {
		t.Fatal("still down after a passing check")
	}
	out := logs.String()
	if strings.Count(out, `"msg":"dependency down"`) != 1 || strings.Count(out, `"msg":"dependency up again"`) != 1 ||
		!strings.Contains(out, "READONLY") {
		t.Errorf("logs:\n%s", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []bool{true, false, false, true}; len(observed) != len(want) || observed[0] != want[0] || observed[1] != want[1] || observed[3] != want[3] {
		t.Errorf("observed %v, want %v", observed, want)
	}
	if m.Draining() {
		t.Error("draining before Drain")
	}
	m.Drain()
	if !m.Draining() {
		t.Error("not draining after Drain")
	}
}
