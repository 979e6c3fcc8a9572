package pingone_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
)

// TestBypassMFA sets, reads and ends a user's MFA bypass against the emulator, every request
// validated against the bypassMFA description (its one date-time format included).
func TestBypassMFA(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client

	b, err := c.GetBypassMFA(ctx, f.userID)
	if err != nil || b.Active || !b.Until.IsZero() {
		t.Fatalf("before any bypass: %+v, %v", b, err)
	}
	// Sub-millisecond parts and a local zone must still reach PingOne in its one format.
	until := time.Now().Add(4*time.Hour + 123456789*time.Nanosecond).In(time.FixedZone("X", -5*3600))
	b, err = c.SetBypassMFA(ctx, f.userID, until)
	if err != nil {
		t.Fatal(err)
	}
	want := until.UTC().Truncate(time.Millisecond)
	if !b.Active || !b.Until.Equal(want) {
		t.Fatalf("set: %+v, want active until %s", b, want)
	}
	if got := f.emu.BypassUntil(f.userID); !got.Equal(want) {
		t.Fatalf("the emulator keeps %s, want %s", got, want)
	}
	if b, err = c.GetBypassMFA(ctx, f.userID); err != nil || !b.Active || !b.Until.Equal(want) {
		t.Fatalf("read: %+v, %v", b, err)
	}
	if err := c.EndBypassMFA(ctx, f.userID); err != nil {
		t.Fatal(err)
	}
	if b, err = c.GetBypassMFA(ctx, f.userID); err != nil || b.Active {
		t.Fatalf("after the end: %+v, %v", b, err)
	}
	if !f.emu.BypassUntil(f.userID).IsZero() {
		t.Fatal("the emulator still bypasses MFA after the end")
	}
	if f.spec.Seen()["PUT /environments/{environmentID}/users/{userID}/bypassMFA"] != 2 {
		t.Fatalf("calls seen: %v", f.spec.Seen())
	}
}

// TestBypassMFARetriesAndFails shows the bypass calls as idempotent (retried through a 503)
// and their failure typed for the caller.
func TestBypassMFARetriesAndFails(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emu.Inject(emulator.Fault{Route: "users.bypassMFA.put", Status: 503, Times: 1})
	if _, err := f.client.SetBypassMFA(ctx, f.userID, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("one 503 is retried: %v", err)
	}
	f.emu.Inject(emulator.Fault{Route: "users.bypassMFA.get", Status: 503, Times: -1})
	if _, err := f.client.GetBypassMFA(ctx, f.userID); !pingone.IsUnavailable(err) {
		t.Fatalf("PingOne down: %v", err)
	}
}

// TestTransactionIDHeader shows every call carrying the request's ID as
// X-Ping-External-Transaction-ID, made safe as PingOne makes it.
func TestTransactionIDHeader(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	f := newFixture(t, func(cfg *pingone.Config) {
		next := cfg.HTTPClient.Transport
		cfg.HTTPClient.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if strings.Contains(r.URL.Path, "/environments/") || strings.HasSuffix(r.URL.Path, "/as/token") {
				mu.Lock()
				seen = append(seen, r.Header.Get(pingone.HeaderTransactionID))
				mu.Unlock()
			}
			return next.RoundTrip(r)
		})
	})
	ctx := pingone.ContextWithTransactionID(context.Background(), "6f1c2a40-req ÿ")
	if _, err := f.client.GetUser(ctx, f.userID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetBypassMFA(ctx, f.userID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetUser(context.Background(), f.userID, false); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// The worker token (fetched for the first call), the user, the bypass; then a call without
	// a request ID sends none.
	if len(seen) != 4 || seen[0] != "6f1c2a40-req__" || seen[1] != seen[0] || seen[2] != seen[0] || seen[3] != "" {
		t.Fatalf("transaction IDs sent: %q", seen)
	}
	if got := pingone.TransactionID(pingone.ContextWithTransactionID(context.Background(), strings.Repeat("a", 150))); len(got) != 100 {
		t.Fatalf("a long ID is cut to PingOne's 100 characters: %d", len(got))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
