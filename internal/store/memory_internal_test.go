package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone/pingonetest"
)

// TestMemoryJanitor shows that memory stays bounded by what is live: expired values and limit
// logs whose window has passed are swept out without being touched again.
func TestMemoryJanitor(t *testing.T) {
	clock := &pingonetest.Clock{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := NewMemory(MemoryOptions{Now: clock.Now, JanitorInterval: 5 * time.Millisecond})
	defer m.Close()
	ctx := context.Background()

	for i := range 1000 {
		key := fmt.Sprintf("k%d", i)
		if err := m.Set(ctx, key, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Reserve(ctx, key, 3, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Attempt(ctx, "locked", 1, time.Minute, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := m.Set(ctx, "long", []byte("v"), 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	if n := m.size(); n != 2002 {
		t.Fatalf("size %d, want 2002", n)
	}
	clock.Advance(time.Minute)
	waitSize(t, m, 2) // the lock (an hour) and the long value remain
	clock.Advance(time.Hour)
	waitSize(t, m, 1)
	clock.Advance(time.Hour)
	waitSize(t, m, 0)
}

func waitSize(t *testing.T, m *Memory, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for m.size() != want {
		if time.Now().After(deadline) {
			t.Fatalf("size %d after sweeps, want %d", m.size(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMemoryLogBounded shows that refused reservations add nothing: a limit's log never holds
// more than its limit, however hard it is hammered.
func TestMemoryLogBounded(t *testing.T) {
	m := NewMemory(MemoryOptions{JanitorInterval: -1})
	defer m.Close()
	for range 10000 {
		if _, err := m.Reserve(context.Background(), "k", 5, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	m.mu.Lock()
	n := len(m.logs["k"].entries)
	m.mu.Unlock()
	if n != 5 {
		t.Fatalf("log holds %d entries, want 5", n)
	}
}

// TestMemoryCloseStopsJanitor checks that Close returns only once the janitor has stopped.
func TestMemoryCloseStopsJanitor(t *testing.T) {
	m := NewMemory(MemoryOptions{JanitorInterval: time.Millisecond})
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.done:
	default:
		t.Fatal("janitor still running after Close")
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// size is how many keys are held, live or not yet swept; for tests.
func (m *Memory) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.kv) + len(m.logs)
}
