package pingonetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
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
	t.Run("SeedRequest", c.seedRequest)
	t.Run("SeedPhoneFormats", c.seedPhoneFormats)
	t.Run("ActivationRequired", c.activationRequired)
	t.Run("ListReadRenameReorderDelete", c.listReadDelete)
	t.Run("Errors", c.errors)
	t.Run("Users", c.users)
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

func (c *contract) workerToken(t *testing.T) {
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, c.tg.AuthBase+"/"+c.tg.EnvironmentID+"/as/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.tg.WorkerID), url.QueryEscape(c.tg.WorkerSecret))
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
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
	c.tok = tok.AccessToken

	// client_secret_post is documented too.
	form.Set("client_id", c.tg.WorkerID)
	form.Set("client_secret", c.tg.WorkerSecret)
	resp2, err := c.hc.PostForm(c.tg.AuthBase+"/"+c.tg.EnvironmentID+"/as/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 200 {
		t.Errorf("client_secret_post: %d", resp2.StatusCode)
	}
	form.Set("client_secret", "wrong")
	resp3, err := c.hc.PostForm(c.tg.AuthBase+"/"+c.tg.EnvironmentID+"/as/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp3.Body.Close()
	if resp3.StatusCode != 401 && resp3.StatusCode != 400 {
		t.Errorf("wrong secret: %d, want 401", resp3.StatusCode)
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
	for _, link := range []string{"self", "environment", "user"} {
		if h, _ := getPath(dev, "_links", link, "href").(string); !strings.HasPrefix(h, "http") {
			t.Errorf("_links.%s.href = %q", link, h)
		}
	}
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
	for _, f := range []string{"createdAt", "updatedAt"} {
		s, _ := dev[f].(string)
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s = %q: %v", f, s, err)
		}
	}
	if p, _ := dev["phone"].(string); digits(p) != digits(c.tg.Phone) {
		t.Errorf("phone = %q, want the digits of %q", p, c.tg.Phone)
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
	if len(code) != 6 {
		t.Fatalf("code %q is not 6 digits", code)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	status, _, e := c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"`+wrong+`"}`, c.tok)
	if status != http.StatusBadRequest || !detailNames(e, "otp") {
		t.Errorf("wrong otp: %d %v, want 400 with a detail naming otp", status, e)
	}
	status, _, dev = c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"`+code+`"}`, c.tok)
	if status != http.StatusOK || dev["status"] != "ACTIVE" {
		t.Errorf("right otp: %d %v", status, dev["status"])
	}
}

func detailNames(e map[string]any, target string) bool {
	ds, _ := e["details"].([]any)
	for _, d := range ds {
		dm, _ := d.(map[string]any)
		if strings.EqualFold(dm["target"].(string), target) || dm["code"] == "INVALID_OTP" {
			return true
		}
	}
	return false
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
	mfa, _ := u["mfaEnabled"].(bool)
	status, _, _ = c.call(http.MethodPut, base+"/"+c.tg.UserID+"/mfaEnabled", "application/json", `{"mfaEnabled":`+boolString(mfa)+`}`, c.tok)
	if status != 200 {
		t.Errorf("set mfaEnabled: %d", status)
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (c *contract) deviceLimit(t *testing.T) {
	var ids []string
	defer func() {
		for _, id := range ids {
			c.deleteDevice(id)
		}
	}()
	for i := 0; i < c.tg.DeviceLimit; i++ {
		status, _, dev := c.call(http.MethodPost, c.devicesURL(), "application/json", `{"type":"SMS","phone":"`+c.tg.Phone+`"}`, c.tok)
		if status != http.StatusCreated {
			t.Fatalf("create %d: %d", i, status)
		}
		ids = append(ids, dev["id"].(string))
	}
	status, _, e := c.call(http.MethodPost, c.devicesURL(), "application/json", `{"type":"SMS","phone":"`+c.tg.Phone+`"}`, c.tok)
	if status != 400 || !hasDetail(e, "SIZE_LIMIT_EXCEEDED") {
		t.Errorf("over the limit: %d %v", status, e)
	}
}

func hasDetail(e map[string]any, code string) bool {
	ds, _ := e["details"].([]any)
	for _, d := range ds {
		if dm, _ := d.(map[string]any); dm["code"] == code {
			return true
		}
	}
	return false
}
