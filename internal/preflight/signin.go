package preflight

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/smsmfa/portal/pingone"
)

func (c *Checker) publicURL() Result {
	u := c.Config.PublicURL
	r := Result{Name: "public URL", OK: true}
	if c.Config.Secure() {
		r.Detail = fmt.Sprintf("%s over HTTPS: cookies are Secure and __Host- prefixed, HSTS on; register %s as the web app's redirect URI", u, c.Config.RedirectURL())
	} else {
		r.Detail = fmt.Sprintf("%s is plain HTTP on this machine: fine for a trial, never for people (cookies are not Secure)", u)
	}
	return r
}

func (c *Checker) discovery(ctx context.Context, hc *http.Client) (*discovery, Result) {
	r := Result{Name: "sign-in discovery"}
	iss := c.PingOne.Issuer()
	where := iss + "/.well-known/openid-configuration"
	fix := "check PINGONE_ENVIRONMENT_ID and PINGONE_REGION (or PINGONE_AUTH_BASE): the issuer is {auth base}/{environment ID}/as"
	var d discovery
	status, err := getJSON(ctx, hc, where, &d)
	switch {
	case err != nil:
		r.Detail, r.Fix = fmt.Sprintf("cannot read %s: %v", where, err), fix
		return nil, r
	case status != http.StatusOK:
		r.Detail, r.Fix = fmt.Sprintf("%s answered %d", where, status), fix
		return nil, r
	case d.Issuer != iss:
		r.Detail, r.Fix = fmt.Sprintf("the issuer is %q, the portal expects %q", d.Issuer, iss), fix
		return nil, r
	case d.AuthorizationEndpoint == "" || d.TokenEndpoint == "" || d.JWKSURI == "":
		r.Detail, r.Fix = "the discovery document lacks the authorize, token or JWKS endpoint", fix
		return nil, r
	case len(d.PKCEMethods) > 0 && !slices.Contains(d.PKCEMethods, "S256"):
		r.Detail, r.Fix = "PKCE S256 is not offered", "the portal signs in with PKCE (S256): use a PingOne environment that offers it"
		return nil, r
	}
	r.OK, r.Detail = true, "issuer "+d.Issuer
	if d.EndSessionEndpoint == "" {
		r.Detail += " (no sign-off endpoint: signing out of the portal will not end the PingOne session)"
	}
	return &d, r
}

// redirectURI starts a sign-in as the portal would and looks at PingOne's answer: an
// unregistered redirect URI is refused with an error page instead of the sign-in form.
func (c *Checker) redirectURI(ctx context.Context, hc *http.Client, d *discovery) Result {
	r := Result{Name: "web app and redirect URI"}
	if d == nil {
		r.Detail, r.Fix = "not checked: no discovery document", "fix sign-in discovery first"
		return r
	}
	sum := sha256.Sum256([]byte(rand.Text()))
	q := url.Values{"client_id": {c.Config.WebClientID}, "redirect_uri": {c.Config.RedirectURL()}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {rand.Text()}, "nonce": {rand.Text()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.AuthorizationEndpoint+"?"+q.Encode(), nil)
	if err != nil {
		r.Detail = err.Error()
		return r
	}
	resp, err := hc.Do(req)
	if err != nil {
		r.Detail, r.Fix = fmt.Sprintf("cannot reach the authorize endpoint: %v", err), "check PINGONE_AUTH_BASE and the network to PingOne"
		return r
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		r.Detail = fmt.Sprintf("PingOne refused a sign-in for client %s with redirect URI %s (%d)", c.Config.WebClientID, c.Config.RedirectURL(), resp.StatusCode)
		r.Fix = "check PINGONE_WEB_CLIENT_ID, and add " + c.Config.RedirectURL() + " to the web app's Redirect URIs (it follows PORTAL_PUBLIC_URL)"
		return r
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil && u.Query().Get("error") != "" {
			r.Detail = fmt.Sprintf("PingOne answered the sign-in with %s: %s", u.Query().Get("error"), u.Query().Get("error_description"))
			r.Fix = "enable the authorization code grant with PKCE and the openid and profile scopes on the web app"
			return r
		}
	}
	r.OK, r.Detail = true, fmt.Sprintf("client %s may sign people in at %s", c.Config.WebClientID, c.Config.RedirectURL())
	return r
}

// webClient proves the web app's secret without a person: a token request with a code that
// cannot exist is refused as invalid_grant when the client authenticated, invalid_client when not.
func (c *Checker) webClient(ctx context.Context, hc *http.Client, d *discovery) Result {
	r := Result{Name: "web app secret"}
	if d == nil {
		r.Detail, r.Fix = "not checked: no discovery document", "fix sign-in discovery first"
		return r
	}
	var last string
	for _, style := range []string{"basic", "post"} {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {"preflight-" + rand.Text()},
			"redirect_uri": {c.Config.RedirectURL()}, "code_verifier": {rand.Text() + rand.Text()}}
		status, code, err := tokenRequest(ctx, hc, d.TokenEndpoint, c.Config.WebClientID, c.Config.WebClientSecret, style, form)
		if err != nil {
			r.Detail, r.Fix = fmt.Sprintf("cannot reach the token endpoint: %v", err), "check PINGONE_AUTH_BASE and the network to PingOne"
			return r
		}
		if code == "invalid_grant" {
			r.OK, r.Detail = true, fmt.Sprintf("PingOne accepts the web app's credentials (client secret %s)", style)
			return r
		}
		last = fmt.Sprintf("%d %s", status, code)
	}
	r.Detail = "PingOne refused the web app's credentials with client secret basic and post (" + last + ")"
	r.Fix = "copy the web app's client ID and secret into PINGONE_WEB_CLIENT_ID and PINGONE_WEB_CLIENT_SECRET"
	return r
}

// tokenRequest posts form to PingOne's token endpoint as client id with secret, the secret sent
// by the method style ("basic" or "post"), and returns the answer's status and OAuth error code
// ("" on success).
func tokenRequest(ctx context.Context, hc *http.Client, endpoint, id, secret, style string, form url.Values) (int, string, error) {
	if style == "post" {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if style == "basic" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body)
	return resp.StatusCode, body.Error, nil
}

func (c *Checker) stepUp(d *discovery) Result {
	r := Result{Name: "step-up sign-on policy"}
	acr := c.Config.StepUpACR
	switch {
	case d == nil:
		r.Detail, r.Fix = "not checked: no discovery document", "fix sign-in discovery first"
	case len(d.ACRValues) == 0:
		r.OK = true
		r.Detail = fmt.Sprintf("PingOne does not list its sign-on policies; the portal asks for %q and refuses a sign-in that did not run it", acr)
	case slices.Contains(d.ACRValues, acr):
		r.OK, r.Detail = true, fmt.Sprintf("%q is offered", acr)
	default:
		r.Detail = fmt.Sprintf("STEP_UP_ACR %q is not among the policies PingOne offers (%s)", acr, strings.Join(d.ACRValues, ", "))
		r.Fix = "set STEP_UP_ACR to the name of a sign-on policy with an MFA step, and assign that policy to the web app"
	}
	return r
}

func (c *Checker) workerToken(ctx context.Context, hc *http.Client, d *discovery, add func(Result)) bool {
	r := Result{Name: "worker token"}
	if err := c.PingOne.CheckToken(ctx); err != nil {
		r.Detail = err.Error()
		r.Fix = "copy the worker app's client ID and secret into PINGONE_WORKER_CLIENT_ID and PINGONE_WORKER_CLIENT_SECRET, " +
			"enable the worker app, and match its token endpoint authentication method (PINGONE_WORKER_TOKEN_AUTH: basic or post)"
		if other := c.workerMethod(ctx, hc, d); other != "" {
			r.Fix = fmt.Sprintf("the worker app takes its secret by client secret %s, not %s: set PINGONE_WORKER_TOKEN_AUTH=%s (or leave it empty to detect it)",
				other, c.Config.WorkerTokenAuth, other)
		}
		if unknownEnvironment(err) {
			// PingOne answers an environment it does not know with 404 NOT_FOUND, before it
			// looks at any client: the credentials may be right, the environment is not.
			r.Fix = fmt.Sprintf("PingOne knows no environment %s at %s: copy the environment ID (Settings → Environment Properties) "+
				"into PINGONE_ENVIRONMENT_ID, and check PINGONE_REGION (or PINGONE_AUTH_BASE) names the region the environment lives in",
				c.Config.PingOneEnvironmentID, c.PingOne.Issuer())
		}
		add(r)
		return false
	}
	r.OK, r.Detail = true, "the worker app gets a token"
	add(r)
	return true
}

// workerMethod tries the worker app's credentials by the method PINGONE_WORKER_TOKEN_AUTH does
// not name, and returns that method when PingOne accepts them that way ("" otherwise): the
// secret is right, the method is not.
func (c *Checker) workerMethod(ctx context.Context, hc *http.Client, d *discovery) string {
	other := map[string]string{pingone.AuthStyleBasic: pingone.AuthStylePost, pingone.AuthStylePost: pingone.AuthStyleBasic}[c.Config.WorkerTokenAuth]
	if other == "" || d == nil {
		return ""
	}
	status, _, err := tokenRequest(ctx, hc, d.TokenEndpoint, c.Config.WorkerClientID, c.Config.WorkerClientSecret, other,
		url.Values{"grant_type": {"client_credentials"}})
	if err != nil || status != http.StatusOK {
		return ""
	}
	return other
}
