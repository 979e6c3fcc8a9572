package pingonetest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
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

var e164Re = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// checkDevice asserts the shape of a device answer from PingOne's reference pages, since the
// published description leaves device answers untyped: E.164 phone, lock and block objects,
// HAL links, a documented status.
func checkDevice(t *testing.T, dev map[string]any) {
	t.Helper()
	if p, _ := dev["phone"].(string); dev["type"] == "SMS" && !e164Re.MatchString(p) {
		t.Errorf("phone %q is not E.164", p)
	}
	switch dev["status"] {
	case "ACTIVE", "ACTIVATION_REQUIRED":
	default:
		t.Errorf("status %v", dev["status"])
	}
	switch getPath(dev, "lock", "status") {
	case "UNLOCKED":
	case "LOCKED":
		if s, _ := getPath(dev, "lock", "expiresAt").(string); s != "" {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("lock.expiresAt %q: %v", s, err)
			}
		}
	default:
		t.Errorf("lock = %v, want an object with status LOCKED or UNLOCKED", dev["lock"])
	}
	switch getPath(dev, "block", "status") {
	case "UNBLOCKED":
	case "BLOCKED":
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(getPath(dev, "block", "blockedAt"))); err != nil {
			t.Errorf("block.blockedAt: %v", err)
		}
	default:
		t.Errorf("block = %v, want an object with status BLOCKED or UNBLOCKED", dev["block"])
	}
	if _, ok := dev["blocked"]; ok {
		t.Error("a boolean blocked beside the block object")
	}
	for _, link := range []string{"self", "environment", "user"} {
		if h, _ := getPath(dev, "_links", link, "href").(string); !strings.HasPrefix(h, "http") {
			t.Errorf("_links.%s.href = %q", link, h)
		}
	}
	for _, f := range []string{"createdAt", "updatedAt"} {
		s, _ := dev[f].(string)
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s = %q: %v", f, s, err)
		}
	}
}

func (c *contract) deleteDevice(id string) {
	c.call(http.MethodDelete, c.devicesURL()+"/"+id, "", "", c.tok)
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

// seedRequest sends the seed's exact request: type and phone, no status, a worker token.
func (c *contract) seedRequest(t *testing.T) {
	status, _, dev := c.call(http.MethodPost, c.devicesURL(), "application/json",
		`{"type": "SMS", "phone": "`+c.tg.Phone+`"}`, c.tok)
	if status != http.StatusCreated {
		t.Fatalf("seed request answered %d: %v", status, dev)
	}
	defer c.deleteDevice(dev["id"].(string))
	checkDevice(t, dev)
	if id, _ := dev["id"].(string); id == "" {
		t.Error("no id")
	}
	if got := getPath(dev, "environment", "id"); got != c.tg.EnvironmentID {
		t.Errorf("environment.id = %v", got)
	}
	if got := getPath(dev, "user", "id"); got != c.tg.UserID {
		t.Errorf("user.id = %v", got)
	}
	if dev["type"] != "SMS" || dev["status"] != "ACTIVE" {
		t.Errorf("type %v status %v, want SMS ACTIVE (a worker's create defaults to ACTIVE)", dev["type"], dev["status"])
	}
	if p, _ := dev["phone"].(string); p != c.tg.Phone {
		t.Errorf("phone = %q, want %q as sent", p, c.tg.Phone)
	}
}

func (c *contract) seedPhoneFormats(t *testing.T) {
	d := digits(c.tg.Phone)
	if len(d) != 11 || d[0] != '1' {
		t.Skip("the seed's formats are for a NANP number")
	}
	formats := []string{"+1." + d[1:], "+" + d, "+1." + d[1:4] + "." + d[4:7] + "." + d[7:], "+1 (" + d[1:4] + ") " + d[4:7] + "-" + d[7:]}
	for _, f := range formats {
		status, _, dev := c.call(http.MethodPost, c.devicesURL(), "application/json", `{"type":"SMS","phone":"`+f+`"}`, c.tok)
		if status != http.StatusCreated {
			t.Errorf("%q answered %d: %v", f, status, dev)
			continue
		}
		// Whatever separators were sent, the answer carries E.164.
		if dev["phone"] != "+"+d {
			t.Errorf("%q answered phone %v, want +%s", f, dev["phone"], d)
		}
		c.deleteDevice(dev["id"].(string))
	}
}

func (c *contract) activationRequired(t *testing.T) {
	status, _, dev := c.call(http.MethodPost, c.devicesURL(), "application/json",
		`{"type":"SMS","phone":"`+c.tg.Phone+`","status":"ACTIVATION_REQUIRED","nickname":"Contract"}`, c.tok)
	if status != http.StatusCreated || dev["status"] != "ACTIVATION_REQUIRED" {
		t.Fatalf("create with ACTIVATION_REQUIRED: %d %v", status, dev["status"])
	}
	id := dev["id"].(string)
	defer c.deleteDevice(id)
	checkDevice(t, dev)
	if h, _ := getPath(dev, "_links", "activate", "href").(string); h == "" {
		t.Error("no _links.activate on a device awaiting activation")
	}
	status, _, _ = c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.sendActivationCode+json", "", c.tok)
	if status != http.StatusNoContent && status != http.StatusOK {
		t.Errorf("resend: %d, want 204 or 200", status)
	}
	if c.tg.ReadCode == nil {
		return
	}
	code := c.tg.ReadCode(c.tg.Phone)
	length := c.tg.OTPLength
	if length == 0 {
		length = 6
	}
	if len(code) != length || digits(code) != code {
		t.Fatalf("code %q is not %d digits", code, length)
	}
	wrong := strings.Repeat("0", length)
	if code == wrong {
		wrong = strings.Repeat("1", length)
	}
	status, _, e := c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"`+wrong+`"}`, c.tok)
	if status != http.StatusBadRequest || !hasDetail(e, "INVALID_OTP", "otp") {
		t.Errorf("wrong otp: %d %v, want 400 with a detail naming otp", status, e)
	}
	status, _, dev = c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"`+code+`"}`, c.tok)
	if status != http.StatusOK || dev["status"] != "ACTIVE" {
		t.Errorf("right otp: %d %v", status, dev["status"])
	}
	checkDevice(t, dev)
}

func (c *contract) listReadDelete(t *testing.T) {
	var ids []string
	for range 2 {
		status, _, dev := c.call(http.MethodPost, c.devicesURL(), "application/json", `{"type":"SMS","phone":"`+c.tg.Phone+`"}`, c.tok)
		if status != http.StatusCreated {
			t.Fatalf("create: %d", status)
		}
		ids = append(ids, dev["id"].(string))
	}
	defer func() {
		for _, id := range ids {
			c.deleteDevice(id)
		}
	}()
	status, _, list := c.call(http.MethodGet, c.devicesURL(), "", "", c.tok)
	devs, _ := getPath(list, "_embedded", "devices").([]any)
	if status != 200 || len(devs) < 2 {
		t.Fatalf("list: %d, %d devices", status, len(devs))
	}
	for _, d := range devs {
		dm, _ := d.(map[string]any)
		checkDevice(t, dm)
	}
	status, _, _ = c.call(http.MethodPost, c.devicesURL(), "application/vnd.pingidentity.devices.reorder+json",
		`{"order":[{"id":"`+ids[1]+`"},{"id":"`+ids[0]+`"}]}`, c.tok)
	if status != 200 {
		t.Errorf("reorder: %d", status)
	}
	_, _, list = c.call(http.MethodGet, c.devicesURL(), "", "", c.tok)
	devs, _ = getPath(list, "_embedded", "devices").([]any)
	if len(devs) == 0 || devs[0].(map[string]any)["id"] != ids[1] {
		t.Errorf("after reorder the default is not first")
	}
	status, _, dev := c.call(http.MethodPut, c.devicesURL()+"/"+ids[0]+"/nickname", "application/json", `{"nickname":"Work phone"}`, c.tok)
	if status != 200 || dev["nickname"] != "Work phone" {
		t.Errorf("rename: %d %v", status, dev["nickname"])
	}
	status, _, dev = c.call(http.MethodGet, c.devicesURL()+"/"+ids[0], "", "", c.tok)
	if status != 200 || dev["id"] != ids[0] {
		t.Errorf("read: %d", status)
	}
	status, _, _ = c.call(http.MethodDelete, c.devicesURL()+"/"+ids[0], "", "", c.tok)
	if status != http.StatusNoContent {
		t.Errorf("delete: %d, want 204", status)
	}
	status, _, e := c.call(http.MethodGet, c.devicesURL()+"/"+ids[0], "", "", c.tok)
	if status != 404 || e["code"] != "NOT_FOUND" {
		t.Errorf("read deleted: %d %v", status, e["code"])
	}
	checkErrorShape(t, e)
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

func (c *contract) users(t *testing.T) {
	base := c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/users"
	status, _, u := c.call(http.MethodGet, base+"/"+c.tg.UserID+"?include=memberOfGroupIDs", "", "", c.tok)
	if status != 200 || u["id"] != c.tg.UserID || u["username"] != c.tg.Username {
		t.Fatalf("read user: %d %v", status, u["username"])
	}
	if _, ok := u["mfaEnabled"].(bool); !ok {
		t.Error("user has no mfaEnabled")
	}
	if c.tg.GroupID != "" {
		gs, _ := u["memberOfGroupIDs"].([]any)
		found := false
		for _, g := range gs {
			found = found || g == c.tg.GroupID || getPath(map[string]any{"g": g}, "g", "id") == c.tg.GroupID
		}
		if !found {
			t.Errorf("memberOfGroupIDs %v lacks %s", gs, c.tg.GroupID)
		}
	}
	q := url.Values{"filter": {`username eq "` + c.tg.Username + `"`}}
	status, _, page := c.call(http.MethodGet, base+"?"+q.Encode(), "", "", c.tok)
	users, _ := getPath(page, "_embedded", "users").([]any)
	if status != 200 || len(users) != 1 {
		t.Errorf("search by username: %d, %d users", status, len(users))
	}
	q.Set("filter", `username eq "x" oops`)
	status, _, e := c.call(http.MethodGet, base+"?"+q.Encode(), "", "", c.tok)
	if status != 400 {
		t.Errorf("malformed filter: %d %v", status, e)
	}
	// The write flips the flag, so that a PUT that answers 200 but changes nothing is caught,
	// and then puts the user's own value back.
	mfa, _ := u["mfaEnabled"].(bool)
	setMFA := func(want bool) {
		t.Helper()
		status, _, put := c.call(http.MethodPut, base+"/"+c.tg.UserID+"/mfaEnabled", "application/json", `{"mfaEnabled":`+boolString(want)+`}`, c.tok)
		if status != 200 {
			t.Errorf("set mfaEnabled: %d", status)
		}
		if got, ok := put["mfaEnabled"].(bool); !ok || got != want {
			t.Errorf("set mfaEnabled to %v: the answer says %v", want, put["mfaEnabled"])
		}
		status, _, back := c.call(http.MethodGet, base+"/"+c.tg.UserID, "", "", c.tok)
		if got, ok := back["mfaEnabled"].(bool); status != 200 || !ok || got != want {
			t.Errorf("set mfaEnabled to %v: read back %d %v", want, status, back["mfaEnabled"])
		}
	}
	setMFA(!mfa)
	setMFA(mfa)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (c *contract) create(t *testing.T, status string) (int, map[string]any) {
	t.Helper()
	body := `{"type":"SMS","phone":"` + c.tg.Phone + `"`
	if status != "" {
		body += `,"status":"` + status + `"`
	}
	st, _, m := c.call(http.MethodPost, c.devicesURL(), "application/json", body+"}", c.tok)
	return st, m
}

// deviceLimit: maxAllowedDevices counts ACTIVE and BLOCKED devices only, and the answer past
// it is the documented 400 REQUEST_FAILED / LIMIT_EXCEEDED with innerError.maximumAllowed.
func (c *contract) deviceLimit(t *testing.T) {
	var ids []string
	defer func() {
		for _, id := range ids {
			c.deleteDevice(id)
		}
	}()
	status, dev := c.create(t, "ACTIVATION_REQUIRED")
	if status != http.StatusCreated {
		t.Fatalf("create awaiting activation: %d", status)
	}
	ids = append(ids, dev["id"].(string))
	for i := 0; i < c.tg.DeviceLimit; i++ {
		status, dev := c.create(t, "")
		if status != http.StatusCreated {
			t.Fatalf("create %d of %d active (a device awaiting activation must not count): %d %v", i+1, c.tg.DeviceLimit, status, dev)
		}
		ids = append(ids, dev["id"].(string))
	}
	status, e := c.create(t, "")
	if status != 400 || e["code"] != "REQUEST_FAILED" || !hasDetail(e, "LIMIT_EXCEEDED", "") {
		t.Fatalf("over the limit: %d %v", status, e)
	}
	checkErrorShape(t, e)
	ds, _ := e["details"].([]any)
	d0, _ := ds[0].(map[string]any)
	if n, _ := getPath(d0, "innerError", "maximumAllowed").(float64); int(n) != c.tg.DeviceLimit {
		t.Errorf("innerError.maximumAllowed = %v, want %d", getPath(d0, "innerError", "maximumAllowed"), c.tg.DeviceLimit)
	}
	if m, _ := d0["message"].(string); m != "Maximum allowed devices has been reached" {
		t.Errorf("message %q", m)
	}
}

// mfaSettings reads the environment's MFA settings in their documented shape.
func (c *contract) mfaSettings(t *testing.T) {
	status, _, m := c.call(http.MethodGet, c.tg.APIBase+"/environments/"+c.tg.EnvironmentID+"/mfaSettings", "", "", c.tok)
	if status != 200 {
		t.Fatalf("mfaSettings: %d %v", status, m)
	}
	n, ok := getPath(m, "pairing", "maxAllowedDevices").(float64)
	if !ok || n < 1 || n > 15 {
		t.Errorf("pairing.maxAllowedDevices = %v, want 1 to 15", getPath(m, "pairing", "maxAllowedDevices"))
	}
	if c.tg.DeviceLimit > 0 && int(n) != c.tg.DeviceLimit {
		t.Errorf("pairing.maxAllowedDevices = %v, want %d", n, c.tg.DeviceLimit)
	}
	switch getPath(m, "pairing", "pairingKeyFormat") {
	case "NUMERIC", "ALPHANUMERIC":
	default:
		t.Errorf("pairing.pairingKeyFormat = %v", getPath(m, "pairing", "pairingKeyFormat"))
	}
	if fc, ok := getPath(m, "lockout", "failureCount").(float64); !ok || fc < 1 {
		t.Errorf("lockout.failureCount = %v", getPath(m, "lockout", "failureCount"))
	}
	if _, ok := getPath(m, "lockout", "durationSeconds").(float64); !ok {
		t.Errorf("lockout.durationSeconds = %v", getPath(m, "lockout", "durationSeconds"))
	}
}

// blockAndUnblock: a blocked device carries block.status BLOCKED and blockedAt, in the answer
// and when read again; unblocking clears it.
func (c *contract) blockAndUnblock(t *testing.T) {
	status, dev := c.create(t, "")
	if status != http.StatusCreated {
		t.Fatalf("create: %d", status)
	}
	id := dev["id"].(string)
	defer c.deleteDevice(id)
	status, _, dev = c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.block+json", "", c.tok)
	if status != 200 {
		t.Fatalf("block: %d %v", status, dev)
	}
	_, _, dev = c.call(http.MethodGet, c.devicesURL()+"/"+id, "", "", c.tok)
	checkDevice(t, dev)
	if getPath(dev, "block", "status") != "BLOCKED" {
		t.Errorf("after block: block = %v", dev["block"])
	}
	status, _, _ = c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.unblock+json", "", c.tok)
	if status != 200 {
		t.Fatalf("unblock: %d", status)
	}
	_, _, dev = c.call(http.MethodGet, c.devicesURL()+"/"+id, "", "", c.tok)
	if getPath(dev, "block", "status") != "UNBLOCKED" {
		t.Errorf("after unblock: block = %v", dev["block"])
	}
}

// group reads the help-desk group, as the portal's preflight does.
func (c *contract) group(t *testing.T) {
	base := c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/groups/"
	status, _, g := c.call(http.MethodGet, base+c.tg.GroupID, "", "", c.tok)
	if status != 200 || g["id"] != c.tg.GroupID || g["name"] == "" {
		t.Errorf("read group: %d %v", status, g)
	}
	status, _, e := c.call(http.MethodGet, base+"00000000-0000-4000-8000-000000000000", "", "", c.tok)
	if status != 404 || e["code"] != "NOT_FOUND" {
		t.Errorf("unknown group: %d %v", status, e)
	}
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
