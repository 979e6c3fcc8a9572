package pingonetest

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone/emulator"
)

// Clock is a settable clock for Options.Now, and for anything else a test runs on the same
// time as the emulator (a store, a limiter, a client).
type Clock struct {
	// Start, when set, is the time the clock stands at until advanced; when zero, the clock
	// follows the real time.
	Start time.Time

	mu     sync.Mutex
	offset time.Duration
}

// Now returns Start, or the real time when Start is zero, plus every advance so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Start.IsZero() {
		return time.Now().Add(c.offset)
	}
	return c.Start.Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Start runs an emulator with opts for the test and closes it when the test ends; a setting
// emulator.New refuses fails the test.
func Start(t testing.TB, opts emulator.Options) *emulator.Server {
	t.Helper()
	s, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// WorkerToken gets an access token from s's token endpoint with the client credentials grant,
// authenticating with client secret basic, as any API client would; a refusal fails the test.
func WorkerToken(t testing.TB, s *emulator.Server, clientID, clientSecret string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.AuthBase()+"/"+s.EnvironmentID()+"/as/token",
		strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, clientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("worker token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}
