// Package pingonetest holds PingOne's contract suite (RunContract: every call the portal makes,
// in raw HTTP, against the emulator in pingone/emulator and, when credentials are given, a real
// tenant) and the test helpers built on the emulator: Start (an emulator closed when the test
// ends), WorkerToken and Clock. It imports testing and is for tests only; production code uses
// pingone/emulator.
package pingonetest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Target is a PingOne environment for the contract suite: the emulator, or a real tenant.
type Target struct {
	APIBase, AuthBase, EnvironmentID string
	WorkerID, WorkerSecret           string
	// UserID is a user the suite may add devices to and remove them from; Username is theirs.
	UserID, Username string
	// GroupID is a group UserID belongs to.
	GroupID string
	// Phone is an E.164 number the suite may register (a test number on a real tenant).
	Phone string
	// ReadCode returns the pairing code last texted to phone; nil skips the checks that need it.
	ReadCode func(phone string) string
	// DeviceLimit is the tenant's maxAllowedDevices; 0 skips the limit check.
	DeviceLimit int
	// OTPLength is the SMS code length of the tenant's device policy; 0 means 6.
	OTPLength int
	// DevicePolicyID is the device authentication policy the portal is set to use
	// (PINGONE_DEVICE_POLICY_ID); "" means the environment's default.
	DevicePolicyID string
	// WorkerAuthMethod is the worker app's token endpoint authentication method:
	// "client_secret_basic" (the default when empty) or "client_secret_post".
	WorkerAuthMethod string
	// Email is an address the suite may send a device authentication code to (a one-time
	// email device); "" skips the email check. ReadEmailCode returns the code last emailed to
	// it; nil skips checking the code.
	Email         string
	ReadEmailCode func(email string) string
	// OtherUserID is a second user the suite may add a device to, for the check that one
	// user's device authentication cannot reach another user's phone; "" skips it.
	OtherUserID string
	// HTTPClient is the client to use; nil means http.DefaultClient.
	HTTPClient *http.Client
}

type contract struct {
	t   *testing.T
	tg  Target
	hc  *http.Client
	tok string
}

// RunContract holds a PingOne environment to the facts in docs/pingone-api.md and the seed's
// example: every documented call and answer shape, with raw HTTP so that the client's own
// leniency cannot hide a difference. The same suite runs against the emulator and, when
// credentials are given, against a real tenant.
func RunContract(t *testing.T, tg Target) {
	c := &contract{t: t, tg: tg, hc: tg.HTTPClient}
	if c.hc == nil {
		c.hc = http.DefaultClient
	}
	t.Run("WorkerToken", c.workerToken)
	if c.tok == "" {
		t.Fatal("no worker token: the rest of the contract cannot run")
	}
	// The parts run in this order, each on the state the ones before it left.
	for _, part := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"SeedRequest", c.seedRequest},
		{"SeedPhoneFormats", c.seedPhoneFormats},
		{"ActivationRequired", c.activationRequired},
		{"ListReadRenameReorderDelete", c.listReadDelete},
		{"Errors", c.errors},
		{"Users", c.users},
		{"MFASettings", c.mfaSettings},
		{"DeviceAuthenticationPolicies", c.devicePolicies},
		{"BlockAndUnblock", c.blockAndUnblock},
		{"DeviceAuthentication", c.deviceAuthentication},
		{"BypassMFA", c.bypassMFA},
		{"Activities", c.activities},
	} {
		t.Run(part.name, part.run)
	}
	if tg.GroupID != "" {
		t.Run("Group", c.group)
	}
	if tg.DeviceLimit > 0 {
		t.Run("DeviceLimit", c.deviceLimit)
	}
}

func (c *contract) devicesURL() string {
	return c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/users/" + c.tg.UserID + "/devices"
}

// call sends a request and decodes a JSON answer into a map (nil for an empty body).
func (c *contract) call(method, u, contentType, body string, token string) (int, http.Header, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			c.t.Fatalf("%s %s: answer is not a JSON object: %v: %.200s", method, u, err, data)
		}
	}
	return resp.StatusCode, resp.Header, out
}

func (c *contract) tokenRequest(method, secret string) *http.Response {
	c.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if method == "client_secret_post" {
		form.Set("client_id", c.tg.WorkerID)
		form.Set("client_secret", secret)
	}
	req, _ := http.NewRequest(http.MethodPost, c.tg.AuthBase+"/"+c.tg.EnvironmentID+"/as/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if method != "client_secret_post" {
		req.SetBasicAuth(url.QueryEscape(c.tg.WorkerID), url.QueryEscape(secret))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

func (c *contract) workerToken(t *testing.T) {
	method, other := "client_secret_basic", "client_secret_post"
	if c.tg.WorkerAuthMethod == "client_secret_post" {
		method, other = other, method
	}
	resp := c.tokenRequest(method, c.tg.WorkerSecret)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&tok) != nil {
		t.Fatalf("token endpoint answered %d", resp.StatusCode)
	}
	if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "Bearer") || tok.ExpiresIn < 3000 || tok.ExpiresIn > 3700 {
		t.Fatalf("token answer: type %q, expires_in %v, token present %v", tok.TokenType, tok.ExpiresIn, tok.AccessToken != "")
	}
	// PingOne's access tokens are JWTs: three base64url parts, the header naming RS256 and a kid.
	if parts := strings.Split(tok.AccessToken, "."); len(parts) != 3 {
		t.Errorf("access token is not a JWT: %d parts", len(parts))
	} else if hdr, err := base64.RawURLEncoding.DecodeString(parts[0]); err != nil || !strings.Contains(string(hdr), `"RS256"`) || !strings.Contains(string(hdr), `"kid"`) {
		t.Errorf("access token header %q: %v", hdr, err)
	}
	c.tok = tok.AccessToken

	// A worker app has one token endpoint authentication method; the other is refused as a
	// failed client authentication, like a wrong secret.
	for _, tc := range []struct{ method, secret string }{{other, c.tg.WorkerSecret}, {method, "wrong"}} {
		r := c.tokenRequest(tc.method, tc.secret)
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(r.Body).Decode(&e)
		r.Body.Close()
		if (r.StatusCode != 401 && r.StatusCode != 400) || e.Error != "invalid_client" {
			t.Errorf("%s with secret ok=%v: %d %q, want 401 invalid_client", tc.method, tc.secret == c.tg.WorkerSecret, r.StatusCode, e.Error)
		}
	}
}

func getPath(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func checkErrorShape(t *testing.T, e map[string]any) {
	t.Helper()
	for _, f := range []string{"id", "code", "message"} {
		if s, _ := e[f].(string); s == "" {
			t.Errorf("error body lacks %s: %v", f, e)
		}
	}
}

func (c *contract) errors(t *testing.T) {
	status, _, e := c.call(http.MethodGet, c.devicesURL(), "", "", "")
	if status != 401 || e["code"] != "ACCESS_FAILED" {
		t.Errorf("no token: %d %v", status, e["code"])
	}
	checkErrorShape(t, e)
	status, _, e = c.call(http.MethodGet, c.devicesURL(), "", "", "forged."+c.tok[:min(8, len(c.tok))])
	if status != 401 {
		t.Errorf("forged token: %d", status)
	}
	status, _, e = c.call(http.MethodPost, c.devicesURL(), "text/plain", `{"type":"SMS","phone":"`+c.tg.Phone+`"}`, c.tok)
	if status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain create: %d, want 415", status)
	}
	status, _, e = c.call(http.MethodPost, c.devicesURL(), "application/json", `{"type":"SMS","phone":"not a number"}`, c.tok)
	if status != 400 || e["code"] != "INVALID_DATA" {
		t.Errorf("bad phone: %d %v", status, e["code"])
	}
	checkErrorShape(t, e)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// hasDetail reports whether one of the error's details has code, or, when target is not
// empty, names target (case aside). A detail without a code or target, as a real tenant may
// send, is simply not a match.
func hasDetail(e map[string]any, code, target string) bool {
	ds, _ := e["details"].([]any)
	for _, d := range ds {
		dm, _ := d.(map[string]any)
		dc, _ := dm["code"].(string)
		dt, _ := dm["target"].(string)
		if dc == code || target != "" && strings.EqualFold(dt, target) {
			return true
		}
	}
	return false
}
