package pingone

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// BypassTimeFormat is the only date-time format PingOne accepts for bypassMFAEnabledUntil
// (its reference page: "2025-11-30T00:00:00.000Z"): UTC, milliseconds, a literal Z.
const BypassTimeFormat = "2006-01-02T15:04:05.000Z"

// Bypass is a user's MFA bypass: while Until is in the future, PingOne signs the user in
// without a second factor.
type Bypass struct {
	// Active is whether the bypass holds now.
	Active bool
	// Until is when it ends; zero when none is active.
	Until time.Time
}

// bypassAnswer is GET and PUT bypassMFA's answer. PingOne leaves out both fields when no bypass
// is active. The boolean's name is UNVERIFIED (docs/pingone-api.md): bypassMFAEnabled is read
// when present, and the until date alone decides otherwise.
type bypassAnswer struct {
	Enabled *bool  `json:"bypassMFAEnabled,omitempty"`
	Until   string `json:"bypassMFAEnabledUntil,omitempty"`
}

// read turns the answer into a Bypass at now, leniently: an until date in any RFC 3339 form is
// read, and one PingOne cannot have meant (unreadable) reads as no bypass.
func (a bypassAnswer) read(now time.Time) *Bypass {
	b := &Bypass{}
	if a.Until == "" {
		return b
	}
	until, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(a.Until))
	if err != nil {
		return b
	}
	if until.After(now) && (a.Enabled == nil || *a.Enabled) {
		b.Active, b.Until = true, until.UTC()
	}
	return b
}

func bypassPath(userID string) string { return userPath(userID) + "/bypassMFA" }

// GetBypassMFA reads whether the user may sign in without MFA now, and until when.
func (c *Client) GetBypassMFA(ctx context.Context, userID string) (*Bypass, error) {
	var a bypassAnswer
	if err := c.do(ctx, request{method: http.MethodGet, path: bypassPath(userID), idempotent: true}, &a); err != nil {
		return nil, err
	}
	return a.read(c.now()), nil
}

// SetBypassMFA lets the user sign in without MFA until the time (sent to the millisecond, in
// the one format PingOne accepts).
func (c *Client) SetBypassMFA(ctx context.Context, userID string, until time.Time) (*Bypass, error) {
	var a bypassAnswer
	body := map[string]string{"bypassMFAEnabledUntil": until.UTC().Format(BypassTimeFormat)}
	if err := c.do(ctx, request{method: http.MethodPut, path: bypassPath(userID), body: body, idempotent: true}, &a); err != nil {
		return nil, err
	}
	b := a.read(c.now())
	if a.Until == "" && until.After(c.now()) {
		// An answer without the fields (a 204, or an empty body) means the PUT was taken as sent.
		b = &Bypass{Active: true, Until: until.UTC().Truncate(time.Millisecond)}
	}
	return b, nil
}

// EndBypassMFA ends the user's bypass now. PingOne documents no call for it (UNVERIFIED, as
// docs/pingone-api.md says): an end a second in the past is the documented-nearest, and the
// one place to change if PingOne names another.
func (c *Client) EndBypassMFA(ctx context.Context, userID string) error {
	_, err := c.SetBypassMFA(ctx, userID, c.now().Add(-time.Second))
	return err
}
