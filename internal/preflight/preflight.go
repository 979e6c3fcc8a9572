// Package preflight checks, before going live, that a PingOne environment is set up the way the
// portal's configuration says: `portal -check` runs every check and prints one line each, "ok"
// or "FAIL" with the fix in words. It reads only; it changes nothing in the tenant.
package preflight

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/pingone"
)

// PingOne is the part of the PingOne client the checks use.
type PingOne interface {
	CheckToken(ctx context.Context) error
	SearchUsers(ctx context.Context, f pingone.Filter, limit int, cursor string) (*pingone.UserPage, error)
	ListDevices(ctx context.Context, userID string) ([]pingone.Device, error)
	MFASettings(ctx context.Context) (*pingone.MFASettings, error)
	DevicePolicy(ctx context.Context) (*pingone.DevicePolicy, error)
	Group(ctx context.Context, groupID string) (*pingone.Group, error)
	// Issuer is the OpenID issuer sign-in expects: {auth base}/{environment ID}/as.
	Issuer() string
}

// Result is the outcome of one check.
type Result struct {
	// Name says what was checked, such as "worker token".
	Name string
	// OK is whether the check passed.
	OK bool
	// Detail is what was found when it passed, or what is wrong when it failed.
	Detail string
	// Fix says, when it failed (or warns), what to change and where.
	Fix string
	// Warn marks a check that passed with a setting worth changing: printed as WARN, it does
	// not fail the preflight.
	Warn bool
}

// Checker runs the checks for one configuration.
type Checker struct {
	Config  *config.Config
	PingOne PingOne
	// HTTP makes the OpenID Connect requests (discovery, the sign-in redirect, the web app's
	// credentials); it must not follow redirects (Run sets that on a copy).
	HTTP *http.Client
	// Mail is the notices' mail server to greet; nil means the one SMTP_URL names.
	Mail MailServer
	// Redis is the shared store at REDIS_URL, or nil when the portal keeps its state in memory.
	Redis Redis
}

// discovery is the part of the OpenID Provider metadata the portal relies on.
type discovery struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	EndSessionEndpoint    string   `json:"end_session_endpoint"`
	ACRValues             []string `json:"acr_values_supported"`
	PKCEMethods           []string `json:"code_challenge_methods_supported"`
}

// Run performs every check, in the order a person would fix them, and returns one Result each.
// A check whose prerequisite failed is reported as failed with the reason, never skipped.
func (c *Checker) Run(ctx context.Context) []Result {
	hc := *c.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var out []Result
	add := func(r Result) { out = append(out, r) }

	add(c.publicURL())
	// The shared store first: it is the portal's own, and reachable without PingOne.
	c.redis(ctx, add)
	disc, r := c.discovery(ctx, &hc)
	add(r)
	add(c.redirectURI(ctx, &hc, disc))
	add(c.webClient(ctx, &hc, disc))
	add(c.stepUp(disc))
	add(c.notices(ctx))

	tokenOK := c.workerToken(ctx, &hc, disc, add)
	if !tokenOK {
		for _, n := range []string{"reading users", "reading devices", "MFA settings", "help-desk groups", policyLines[0], policyLines[1],
			policyLines[2], policyLines[3], policyLines[4]} {
			add(Result{Name: n, Detail: "not checked: no worker token", Fix: "fix the worker token first"})
		}
		return out
	}
	userID := c.users(ctx, add)
	c.devices(ctx, userID, add)
	c.mfaSettings(ctx, add)
	c.groups(ctx, add)
	c.devicePolicy(ctx, add)
	return out
}

// Write prints one line per result and reports whether all passed: "ok", "FAIL" with its fix,
// or "WARN" with its fix for a passed check that deserves a look (it does not fail the run).
func Write(w io.Writer, rs []Result) bool {
	passed := 0
	for _, r := range rs {
		if r.OK && r.Warn {
			passed++
			fmt.Fprintf(w, "WARN  %s: %s\n", r.Name, r.Detail)
			if r.Fix != "" {
				fmt.Fprintf(w, "      fix: %s\n", r.Fix)
			}
			continue
		}
		if r.OK {
			passed++
			fmt.Fprintf(w, "ok    %s: %s\n", r.Name, r.Detail)
			continue
		}
		fmt.Fprintf(w, "FAIL  %s: %s\n", r.Name, r.Detail)
		if r.Fix != "" {
			fmt.Fprintf(w, "      fix: %s\n", r.Fix)
		}
	}
	fmt.Fprintf(w, "%d of %d checks passed\n", passed, len(rs))
	return passed == len(rs)
}

func getJSON(ctx context.Context, hc *http.Client, u string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out); err != nil {
		return resp.StatusCode, fmt.Errorf("not JSON: %w", err)
	}
	return resp.StatusCode, nil
}
