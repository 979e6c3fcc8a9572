package pingone

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// DefaultMaxAllowedDevices is PingOne's default for mfaSettings.pairing.maxAllowedDevices.
const DefaultMaxAllowedDevices = 5

// settingsTTL is how long the MFA settings are reused: they change when an administrator edits
// them, rarely, and a few minutes' delay in noticing is harmless (PingOne enforces the limit
// anyway; the portal only uses it to explain).
const settingsTTL = 5 * time.Minute

// MFASettings are the environment's MFA settings, as far as the portal needs them.
type MFASettings struct {
	// MaxAllowedDevices is pairing.maxAllowedDevices: how many ACTIVE or BLOCKED devices a
	// user may have (1 to 15); DefaultMaxAllowedDevices when PingOne leaves it out.
	MaxAllowedDevices int
	// PairingKeyFormat is pairing.pairingKeyFormat (NUMERIC or ALPHANUMERIC), if given.
	PairingKeyFormat string
	// LockoutFailureCount is lockout.failureCount: wrong codes before a device locks; 0 when
	// not given.
	LockoutFailureCount int
	// LockoutDuration is lockout.durationSeconds: how long a locked device stays locked.
	LockoutDuration time.Duration
}

// settingsRetry is how long a failed read of the MFA settings is answered from memory: a
// worker without the role would otherwise cost a refused call on every page that shows the cap.
const settingsRetry = 30 * time.Second

// MFASettings reads GET /environments/{envID}/mfaSettings, keeping the answer for a few
// minutes; concurrent callers with a cold cache share one request. A read PingOne refused is
// kept for settingsRetry, then tried again; one that failed because its caller's context ended
// is not kept.
//
// The worker app needs an admin role that may read the environment's MFA settings. Verified:
// PingOne's MFA Settings reference sends the reader to "PingOne Permissions by Service" (the MFA
// service's settings resource), and Environment Admin covers environment configuration.
// UNVERIFIED: whether Identity Data Admin, the role the user and device calls need, includes
// the MFA settings read; if it does not, this call answers 403 (IsForbidden, IsMisconfigured),
// and the worker needs Environment Admin too, or a custom role with that permission.
func (c *Client) MFASettings(ctx context.Context) (*MFASettings, error) {
	return c.settings.get(ctx, c.now, settingsTTL, settingsRetry, c.fetchMFASettings)
}

func (c *Client) fetchMFASettings(ctx context.Context) (*MFASettings, error) {
	var wire struct {
		Pairing *struct {
			MaxAllowedDevices int    `json:"maxAllowedDevices"`
			PairingKeyFormat  string `json:"pairingKeyFormat"`
		} `json:"pairing"`
		Lockout *struct {
			FailureCount    int `json:"failureCount"`
			DurationSeconds int `json:"durationSeconds"`
		} `json:"lockout"`
	}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/mfaSettings", idempotent: true}, &wire); err != nil {
		return nil, err
	}
	s := &MFASettings{MaxAllowedDevices: DefaultMaxAllowedDevices}
	if p := wire.Pairing; p != nil {
		if p.MaxAllowedDevices > 0 {
			s.MaxAllowedDevices = p.MaxAllowedDevices
		}
		s.PairingKeyFormat = p.PairingKeyFormat
	}
	if l := wire.Lockout; l != nil {
		s.LockoutFailureCount = l.FailureCount
		s.LockoutDuration = time.Duration(l.DurationSeconds) * time.Second
	}
	return s, nil
}

// Group is a PingOne group.
type Group struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Group reads one group (GET /groups/{groupID}); a group that does not exist is an error for
// which IsNotFound is true. The portal's preflight uses it to check that the configured
// help-desk groups exist.
func (c *Client) Group(ctx context.Context, groupID string) (*Group, error) {
	return doInto[Group](ctx, c, request{method: http.MethodGet, path: "/groups/" + url.PathEscape(groupID), idempotent: true})
}
