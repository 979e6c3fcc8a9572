package pingone_test

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
)

// sendTimes records when each management call left for PingOne.
type sendTimes struct {
	next http.RoundTripper
	mu   sync.Mutex
	at   []time.Time
}

func (s *sendTimes) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet {
		s.mu.Lock()
		s.at = append(s.at, time.Now())
		s.mu.Unlock()
	}
	return s.next.RoundTrip(r)
}

// maxInWindow is the most calls sent within any window of length w.
func (s *sendTimes) maxInWindow(w time.Duration) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := append([]time.Time(nil), s.at...)
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	most := 0
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < w; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

type queueSeen struct {
	mu                sync.Mutex
	admitted, refused int
	queued, maxQueued int
	longestAdmitted   time.Duration
}

func (q *queueSeen) observe(wait time.Duration, admitted bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if admitted {
		q.admitted++
		q.longestAdmitted = max(q.longestAdmitted, wait)
	} else {
		q.refused++
	}
}

func (q *queueSeen) count(delta int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queued += delta
	q.maxQueued = max(q.maxQueued, q.queued)
}

func throttled(rps float64, times *sendTimes, seen *queueSeen) func(*pingone.Config) {
	return func(c *pingone.Config) {
		c.MaxRPS = rps
		times.next = c.HTTPClient.Transport
		c.HTTPClient = &http.Client{Transport: times, Timeout: c.HTTPClient.Timeout}
		c.ObserveQueue, c.ObserveQueued = seen.observe, seen.count
	}
}

// TestMaxRPSQueuesCallers: 20 calls at once under a ceiling of 10 a second all succeed, queued
// rather than refused: PingOne never sees more than the ceiling in any second, and the queue
// shows in the observers.
func TestMaxRPSQueuesCallers(t *testing.T) {
	for _, tc := range []struct {
		name        string
		rps         float64
		minDuration time.Duration
		maxPerSec   int
	}{
		// A burst of one: the first call goes at once, the 19 others 100 ms apart. Sends are
		// timed when they leave, after the scheduler woke the goroutine: on a loaded machine
		// (the race detector, 2 cores) a late wake-up can move a send into the next second, so
		// the window allows two more than the ceiling; without it all 20 leave at once.
		{"ceiling 10/s", 10, 1800 * time.Millisecond, 13},
		{"ceiling 40/s", 40, 450 * time.Millisecond, 41},
	} {
		t.Run(tc.name, func(t *testing.T) {
			times, seen := &sendTimes{}, &queueSeen{}
			f := newFixture(t, throttled(tc.rps, times, seen))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := f.client.CheckToken(ctx); err != nil { // the token is not counted
				t.Fatal(err)
			}
			before := f.emu.Calls("users.get")
			start := time.Now()
			errs := f.getUserAtOnce(ctx, 20)
			took := time.Since(start)
			for _, err := range errs {
				t.Errorf("a queued call failed: %v", err)
			}
			if n := f.emu.Calls("users.get") - before; n != 20 {
				t.Errorf("PingOne answered %d calls, want 20", n)
			}
			if took < tc.minDuration {
				t.Errorf("20 calls took %v at %v a second; want at least %v", took, tc.rps, tc.minDuration)
			}
			if n := times.maxInWindow(time.Second); n > tc.maxPerSec {
				t.Errorf("%d calls left within one second, ceiling %v", n, tc.rps)
			}
			seen.mu.Lock()
			defer seen.mu.Unlock()
			if seen.admitted < 15 || seen.refused != 0 || seen.maxQueued < 10 || seen.queued != 0 {
				t.Errorf("queue observed: %d waited, %d refused, at most %d queued, %d left", seen.admitted, seen.refused, seen.maxQueued, seen.queued)
			}
		})
	}
}

// TestMaxRPSDeadlineShorterThanQueue: a caller whose deadline comes before its turn gets a
// clear error at once (not a hang until the deadline, not a call PingOne may refuse), and the
// page classifying it sees a rate limit.
func TestMaxRPSDeadlineShorterThanQueue(t *testing.T) {
	times, seen := &sendTimes{}, &queueSeen{}
	f := newFixture(t, throttled(5, times, seen))
	ctx := context.Background()
	if err := f.client.CheckToken(ctx); err != nil {
		t.Fatal(err)
	}
	// Ten callers with time to wait fill the next two seconds.
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.client.GetUser(ctx, f.userID, false); err != nil {
				t.Errorf("a patient caller failed: %v", err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	before := f.emu.Calls("users.get")
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client.GetUser(short, f.userID, false)
	took := time.Since(start)
	var te *pingone.ThrottledError
	if !errors.As(err, &te) || !pingone.IsRateLimited(err) || te.Wait < 300*time.Millisecond {
		t.Fatalf("err = %v, want a *ThrottledError with a wait past the deadline", err)
	}
	if took > 200*time.Millisecond {
		t.Errorf("the refusal took %v: it must come at once, not at the deadline", took)
	}
	wg.Wait()
	if n := f.emu.Calls("users.get") - before; n > 10 {
		t.Errorf("PingOne got %d calls; the refused one must not be sent", n)
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	if seen.refused != 1 {
		t.Errorf("%d refusals observed, want 1", seen.refused)
	}
	// Its turn was given back: the patient callers were not pushed later by it.
	if seen.longestAdmitted > 2*time.Second {
		t.Errorf("a patient caller waited %v for 10 turns at 5 a second", seen.longestAdmitted)
	}
}

// TestNoCeilingByDefault: without MaxRPS nothing queues.
func TestNoCeilingByDefault(t *testing.T) {
	times, seen := &sendTimes{}, &queueSeen{}
	f := newFixture(t, throttled(0, times, seen))
	start := time.Now()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.client.GetUser(context.Background(), f.userID, false); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("20 calls took %v without a ceiling", took)
	}
	if seen.admitted+seen.refused+seen.maxQueued != 0 {
		t.Errorf("queue observed without a ceiling: %+v", seen)
	}
	if _, err := pingone.New(pingone.Config{EnvironmentID: "e", ClientID: "c", ClientSecret: "s", MaxRPS: -1}); err == nil {
		t.Error("a negative ceiling was accepted")
	}
}
