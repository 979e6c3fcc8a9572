package limits

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

func newLimiter(t *testing.T) (*Limiter, *pingonetest.Clock) {
	t.Helper()
	c := &pingonetest.Clock{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := store.NewMemory(store.MemoryOptions{Now: c.Now})
	t.Cleanup(func() { _ = st.Close() })
	return New(st, DefaultRules()), c
}

// TestDefaultRules: each rule lets its number through in its window, refuses the next with the
// time until the oldest slot frees, and lets one through after that wait.
func TestDefaultRules(t *testing.T) {
	ctx := context.Background()
	r := DefaultRules()
	for _, tc := range []struct {
		rule    Rule
		allowed int
		wait    time.Duration
	}{
		{r.NewDevice, 5, time.Hour},
		{r.ResendShort, 1, 30 * time.Second},
		{r.ResendHour, 5, time.Hour},
		{r.TextsToNumber, 3, 5 * time.Minute},
		{r.SignIn, 300, time.Minute},
		{r.ActorTexts, 30, time.Hour},
		{r.HelpdeskTexts, 200, time.Hour},
		{r.HelpdeskSearch, 60, time.Hour},
		{r.CallerCodes, 3, time.Hour},
		{r.CallerCodesUser, 5, time.Hour},
	} {
		t.Run(tc.rule.Name, func(t *testing.T) {
			l, c := newLimiter(t)
			k := Key{tc.rule, "k"}
			for i := range tc.allowed {
				if _, err := l.Reserve(ctx, k); err != nil {
					t.Fatalf("event %d refused: %v", i+1, err)
				}
			}
			_, err := l.Reserve(ctx, k)
			var le *Error
			if !errors.As(err, &le) || le.Rule.Name != tc.rule.Name || le.RetryAfter != tc.wait {
				t.Fatalf("over the limit: %v", err)
			}
			if w, _ := l.Wait(ctx, k); w != tc.wait {
				t.Fatalf("Wait %v, want %v", w, tc.wait)
			}
			if _, err := l.Reserve(ctx, Key{tc.rule, "other"}); err != nil {
				t.Fatalf("another subject was refused: %v", err)
			}
			c.Advance(le.RetryAfter)
			if _, err := l.Reserve(ctx, k); err != nil {
				t.Fatalf("refused after waiting the %v it said: %v", le.RetryAfter, err)
			}
		})
	}
}

// TestReserveAllOrNothing: when one key is full nothing is counted on the others, and cancelled
// reservations are given back.
func TestReserveAllOrNothing(t *testing.T) {
	ctx := context.Background()
	l, _ := newLimiter(t)
	r := l.Rules()
	num := Key{r.TextsToNumber, "+15551234567"}
	for range 3 {
		if _, err := l.Reserve(ctx, num); err != nil {
			t.Fatal(err)
		}
	}
	user := Key{r.ResendHour, "u1"}
	if _, err := l.Reserve(ctx, user, num); !errors.As(err, new(*Error)) {
		t.Fatalf("a full number must refuse: %v", err)
	}
	if w, _ := l.Wait(ctx, user); w != 0 {
		t.Fatal("the user's slot was kept although the number refused")
	}
	rs, err := l.Reserve(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := l.Reserve(ctx, user); err != nil {
			t.Fatalf("reservation %d after a give-back: %v", i+1, err)
		}
	}
}

// TestParallelReservations: 50 requests at once on a limit of 3 get exactly 3 slots.
func TestParallelReservations(t *testing.T) {
	ctx := context.Background()
	l, _ := newLimiter(t)
	k := Key{l.Rules().TextsToNumber, "+15551234567"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 50 {
		wg.Go(func() {
			if _, err := l.Reserve(ctx, k); err == nil {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != 3 {
		t.Fatalf("%d of 50 parallel reservations granted; the limit is 3", granted)
	}
}

// TestWrongCodeLockout: five wrong codes lock the device for 15 minutes; a right code given
// back does not count; no guess is let through while locked, not even after 3 minutes.
func TestWrongCodeLockout(t *testing.T) {
	ctx := context.Background()
	l, c := newLimiter(t)
	right, err := l.Guess(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	if err := right.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := l.Guess(ctx, "d1"); err != nil {
			t.Fatalf("wrong code %d refused: %v", i+1, err)
		}
	}
	for _, after := range []time.Duration{0, 3 * time.Minute, 11 * time.Minute} {
		c.Advance(after)
		_, err := l.Guess(ctx, "d1")
		var le *Error
		if !errors.As(err, &le) || le.Rule.Name != NameWrongCode || le.RetryAfter <= 0 {
			t.Fatalf("guess while locked (+%v) was let through: %v", after, err)
		}
	}
	if _, err := l.Guess(ctx, "d2"); err != nil {
		t.Fatalf("another device is not locked: %v", err)
	}
	c.Advance(time.Minute + time.Second)
	if _, err := l.Guess(ctx, "d1"); err != nil {
		t.Fatalf("still locked after 15 minutes: %v", err)
	}
	// Locked again, Unlock (the help desk's) lifts the portal's lock at once.
	for range 5 {
		_, _ = l.Guess(ctx, "d1")
	}
	if _, err := l.Guess(ctx, "d1"); !errors.As(err, new(*Error)) {
		t.Fatalf("not locked again after five more wrong codes: %v", err)
	}
	if err := l.Unlock(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Guess(ctx, "d1"); err != nil {
		t.Fatalf("still locked after Unlock: %v", err)
	}
}

// TestStoreDownFailsClosed: with the store gone nothing is let through, and the error says the
// store is unavailable (not a refusal with a wait).
func TestStoreDownFailsClosed(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory(store.MemoryOptions{})
	l := New(st, DefaultRules())
	_ = st.Close()
	if _, err := l.Reserve(ctx, Key{l.Rules().TextsToNumber, "+15551234567"}); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Reserve: %v", err)
	}
	if _, err := l.Guess(ctx, "d1"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Guess: %v", err)
	}
	if err := l.SignIn(ctx, "192.0.2.1"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("SignIn: %v", err)
	}
}

func TestNetwork(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"not an address", "not an address"},
	} {
		if got := Network(tc.in); got != tc.want {
			t.Errorf("Network(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSignInPerNetwork: addresses in one IPv6 /64 share the sign-in limit.
func TestSignInPerNetwork(t *testing.T) {
	ctx := context.Background()
	c := &pingonetest.Clock{Start: time.Now()}
	rules := DefaultRules()
	rules.SignIn = Rule{NameSignIn, 2, time.Minute}
	l := New(store.NewMemory(store.MemoryOptions{Now: c.Now}), rules)
	for _, ip := range []string{"2001:db8::1", "2001:db8::2"} {
		if err := l.SignIn(ctx, ip); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.SignIn(ctx, "2001:db8::ffff:3"); !errors.As(err, new(*Error)) {
		t.Fatalf("a third address in the same /64 was let through: %v", err)
	}
	if err := l.SignIn(ctx, "2001:db8:0:1::1"); err != nil {
		t.Fatalf("another /64 was refused: %v", err)
	}
}

func TestTextKeys(t *testing.T) {
	l, _ := newLimiter(t)
	ctx := context.Background()
	self := l.TextKeys(WithActor(ctx, "u1"), "u1")
	if len(self) != 1 || self[0].Rule.Name != NameActorTexts || self[0].Subject != "u1" {
		t.Fatalf("self: %+v", self)
	}
	if none := l.TextKeys(ctx, "u1"); len(none) != 1 || none[0].Subject != "u1" {
		t.Fatalf("no actor: %+v", none)
	}
	staff := l.TextKeys(WithActor(ctx, "s1"), "u1")
	if len(staff) != 2 || staff[0].Subject != "s1" || staff[1].Rule.Name != NameHelpdeskTexts {
		t.Fatalf("staff: %+v", staff)
	}
}

func TestParseRule(t *testing.T) {
	for _, tc := range []struct {
		in     string
		limit  int
		window time.Duration
	}{
		{"300/1m", 300, time.Minute},
		{"5/h", 5, time.Hour},
		{" 1 / 30s ", 1, 30 * time.Second},
		{"200/1h", 200, time.Hour},
	} {
		r, err := ParseRule("x", tc.in)
		if err != nil || r.Limit != tc.limit || r.Window != tc.window || r.Name != "x" {
			t.Errorf("ParseRule(%q) = %+v, %v", tc.in, r, err)
			continue
		}
		if back, _ := ParseRule("x", r.String()); back != r {
			t.Errorf("%q does not read back: %q", tc.in, r.String())
		}
	}
	for _, in := range []string{"0/1m", "-1/1m", "5", "5/soon", "5/500ms"} {
		if r, err := ParseRule("x", in); err == nil {
			t.Errorf("ParseRule(%q) = %+v, want an error", in, r)
		}
	}
}

// TestHelpdeskKeys (issue #21): a caller code counts per agent and user and per user; a search
// per agent.
func TestHelpdeskKeys(t *testing.T) {
	l, _ := newLimiter(t)
	ctx := context.Background()
	keys := l.CallerCodeKeys("agent", "user")
	if len(keys) != 2 || keys[0].Rule.Name != NameCallerCodes || keys[0].Subject != "agent user" ||
		keys[1].Rule.Name != NameCallerCodesUser || keys[1].Subject != "user" {
		t.Fatalf("caller code keys: %+v", keys)
	}
	for i := range 60 {
		if err := l.Search(ctx, "agent"); err != nil {
			t.Fatalf("search %d: %v", i+1, err)
		}
	}
	var le *Error
	if err := l.Search(ctx, "agent"); !errors.As(err, &le) || le.Rule.Name != NameHelpdeskSearch {
		t.Fatalf("61st search: %v", err)
	}
	if err := l.Search(ctx, "another agent"); err != nil {
		t.Fatalf("another agent's search: %v", err)
	}
}
