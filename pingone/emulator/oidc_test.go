package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

type oidcFixture struct {
	s        *emulator.Server
	hc       *http.Client
	userID   string
	redirect string
}

func newOIDC(t *testing.T) *oidcFixture { return newOIDCWith(t, emulator.Options{}) }

func newOIDCWith(t *testing.T, opts emulator.Options) *oidcFixture {
	s := pingonetest.Start(t, opts)
	f := &oidcFixture{s: s, redirect: "http://127.0.0.1:1/cb"}
	s.AddApp(emulator.App{ClientID: "web", ClientSecret: "web-secret", RedirectURIs: []string{f.redirect}, PostLogoutRedirectURIs: []string{"http://127.0.0.1:1/"}})
	f.userID = s.AddUser(emulator.SeedUser{Username: "ada", Given: "Ada", Family: "Lovelace", Password: "pw", Email: "ada@example.com"})
	s.AddSMSDevice(f.userID, "+15125201234", true)
	jar, _ := cookiejar.New(nil)
	f.hc = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return f
}

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize starts a sign-in with extra parameters and returns the answer.
func (f *oidcFixture) authorize(t *testing.T, extra url.Values) *http.Response {
	q := url.Values{"client_id": {"web"}, "redirect_uri": {f.redirect}, "response_type": {"code"}, "scope": {"openid profile"},
		"state": {"st"}, "nonce": {"n1"}, "code_challenge": {challenge("verifier-verifier-verifier-verifier-43")}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q[k] = v
	}
	resp, err := f.hc.Get(f.s.Issuer() + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

var flowRe = regexp.MustCompile(`name="flow" value="([^"]+)"`)

// signIn submits the sign-in form on page and returns the redirect's query.
func (f *oidcFixture) signIn(t *testing.T, resp *http.Response, password string) (url.Values, string) {
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := flowRe.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no sign-in form: %d %s", resp.StatusCode, body)
	}
	r, err := f.hc.PostForm(f.s.Issuer()+"/authorize", url.Values{"flow": {string(m[1])}, "username": {"ada"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode == http.StatusOK {
		page, _ := io.ReadAll(r.Body)
		if strings.Contains(string(page), `name="otp"`) {
			// The MFA policy's second step: the code texted to ada's phone.
			r, err = f.hc.PostForm(f.s.Issuer()+"/authorize", url.Values{"flow": {string(m[1])}, "otp": {f.s.LastCode("+15125201234")}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
		} else {
			return nil, string(page)
		}
	}
	if r.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(r.Body)
		return nil, string(b)
	}
	u, _ := url.Parse(r.Header.Get("Location"))
	return u.Query(), ""
}

func (f *oidcFixture) exchange(t *testing.T, code, verifier string, basic bool) (int, map[string]any) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {f.redirect}, "code_verifier": {verifier}}
	req, _ := http.NewRequest(http.MethodPost, f.s.Issuer()+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth("web", "web-secret")
	} else {
		form.Set("client_id", "web")
		form.Set("client_secret", "web-secret")
		req, _ = http.NewRequest(http.MethodPost, f.s.Issuer()+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	status, _, out := doJSON(t, f.hc, req)
	return status, out
}

func TestOIDCCodeFlow(t *testing.T) {
	f := newOIDC(t)
	const verifier = "verifier-verifier-verifier-verifier-43"
	q, msg := f.signIn(t, f.authorize(t, url.Values{"acr_values": {"Multi_Factor"}, "login_hint": {"ada"}}), "wrong")
	if q != nil || !strings.Contains(msg, "not correct") {
		t.Fatalf("wrong password: %v %q", q, msg)
	}
	q, _ = f.signIn(t, f.authorize(t, url.Values{"acr_values": {"Multi_Factor"}}), "pw")
	if q.Get("state") != "st" || q.Get("code") == "" {
		t.Fatalf("redirect: %v", q)
	}
	if status, _ := f.exchange(t, q.Get("code"), "not-the-verifier-not-the-verifier-1234", true); status != 400 {
		t.Fatalf("wrong PKCE verifier: %d", status)
	}
	// A failed exchange uses the code up: whoever tried a stolen code cannot try again.
	if status, _ := f.exchange(t, q.Get("code"), verifier, true); status != 400 {
		t.Fatalf("code reused after a failed exchange: %d", status)
	}
	q, _ = f.signIn(t, f.authorize(t, url.Values{"acr_values": {"Multi_Factor"}, "prompt": {"login"}}), "pw")
	// The web app is set to client_secret_basic: its secret in the form is refused as PingOne
	// refuses it, before the code is looked at.
	if status, e := f.exchange(t, q.Get("code"), verifier, false); status != 401 || e["error"] != "invalid_client" {
		t.Fatalf("client_secret_post for a basic app: %d %v", status, e)
	}
	status, tok := f.exchange(t, q.Get("code"), verifier, true)
	if status != 200 || tok["id_token"] == nil || tok["access_token"] == nil {
		t.Fatalf("exchange: %d %v", status, tok)
	}
	if status, _ := f.exchange(t, q.Get("code"), verifier, true); status != 400 {
		t.Fatalf("code used twice: %d", status)
	}
	ctx := oidc.ClientContext(context.Background(), http.DefaultClient)
	p, err := oidc.NewProvider(ctx, f.s.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: "web"}).Verify(ctx, tok["id_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		ACR      string `json:"acr"`
		Username string `json:"preferred_username"`
		AuthTime int64  `json:"auth_time"`
	}
	_ = idt.Claims(&claims)
	if idt.Subject != f.userID || idt.Nonce != "n1" || claims.ACR != "Multi_Factor" || claims.Username != "ada" || claims.AuthTime == 0 {
		t.Fatalf("claims: sub %s nonce %s %+v", idt.Subject, idt.Nonce, claims)
	}
	// userinfo with the user's access token.
	req, _ := http.NewRequest(http.MethodGet, f.s.Issuer()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	resp, err := f.hc.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("userinfo: %v %d", err, resp.StatusCode)
	}
	resp.Body.Close()

	// The SSO session signs ada in without the form, unless prompt=login or max_age=0 asks.
	if r := f.authorize(t, url.Values{"acr_values": {"Multi_Factor"}}); r.StatusCode != http.StatusFound {
		t.Fatalf("SSO: %d", r.StatusCode)
	}
	for _, extra := range []url.Values{{"prompt": {"login"}}, {"max_age": {"0"}, "acr_values": {"Multi_Factor"}}, {"acr_values": {"Single_Factor"}}} {
		if r := f.authorize(t, extra); r.StatusCode != http.StatusOK {
			t.Errorf("%v: %d, want the sign-in form", extra, r.StatusCode)
		}
	}

	// signoff with a registered return address redirects there; an unregistered one does not.
	so := f.s.Issuer() + "/signoff?" + url.Values{"id_token_hint": {tok["id_token"].(string)}, "post_logout_redirect_uri": {"http://127.0.0.1:1/"}, "state": {"x"}}.Encode()
	r, err := f.hc.Get(so)
	if err != nil || r.StatusCode != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), "http://127.0.0.1:1/") {
		t.Fatalf("signoff: %v %d %s", err, r.StatusCode, r.Header.Get("Location"))
	}
	bad := f.s.Issuer() + "/signoff?" + url.Values{"id_token_hint": {tok["id_token"].(string)}, "post_logout_redirect_uri": {"https://evil.example/"}}.Encode()
	if r, err := f.hc.Get(bad); err != nil || r.StatusCode == http.StatusFound {
		t.Fatalf("signoff to an unregistered address redirected")
	}
	if r := f.authorize(t, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("after signoff the SSO session remains: %d", r.StatusCode)
	}
}

func TestMFAPolicyAsksForTheTextedCode(t *testing.T) {
	f := newOIDC(t)
	resp := f.authorize(t, url.Values{"acr_values": {"Multi_Factor"}})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	flow := string(flowRe.FindSubmatch(body)[1])
	r, _ := f.hc.PostForm(f.s.Issuer()+"/authorize", url.Values{"flow": {flow}, "username": {"ada"}, "password": {"pw"}})
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(page), `name="otp"`) || !strings.Contains(string(page), "1234") {
		t.Fatalf("no code step: %s", page)
	}
	if m := f.s.Outbox(); len(m) != 1 || m[0].To != "+15125201234" {
		t.Fatalf("outbox %+v", m)
	}
	r, _ = f.hc.PostForm(f.s.Issuer()+"/authorize", url.Values{"flow": {flow}, "otp": {"000000"}})
	page, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(string(page), "not correct") {
		t.Fatalf("wrong code: %d", r.StatusCode)
	}
	r, _ = f.hc.PostForm(f.s.Issuer()+"/authorize", url.Values{"flow": {flow}, "otp": {f.s.LastCode("+15125201234")}})
	r.Body.Close()
	if r.StatusCode != http.StatusFound {
		t.Fatalf("right code: %d", r.StatusCode)
	}
}

func TestOIDCRefusals(t *testing.T) {
	f := newOIDC(t)
	tests := []struct {
		name   string
		extra  url.Values
		status int
		errQ   string
	}{
		{"no PKCE", url.Values{"code_challenge": {""}}, http.StatusFound, "invalid_request"},
		{"plain PKCE", url.Values{"code_challenge_method": {"plain"}}, http.StatusFound, "invalid_request"},
		{"no openid scope", url.Values{"scope": {"profile"}}, http.StatusFound, "invalid_scope"},
		{"implicit flow", url.Values{"response_type": {"token"}}, http.StatusFound, "unsupported_response_type"},
		{"unregistered redirect", url.Values{"redirect_uri": {"https://evil.example/cb"}}, http.StatusBadRequest, ""},
		{"unknown client", url.Values{"client_id": {"nobody"}}, http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		r := f.authorize(t, tc.extra)
		r.Body.Close()
		if r.StatusCode != tc.status {
			t.Errorf("%s: %d", tc.name, r.StatusCode)
			continue
		}
		if tc.errQ != "" {
			u, _ := url.Parse(r.Header.Get("Location"))
			if u.Query().Get("error") != tc.errQ || !strings.HasPrefix(r.Header.Get("Location"), f.redirect) {
				t.Errorf("%s: redirect %s", tc.name, r.Header.Get("Location"))
			}
		}
	}
}

func TestKeyRotationKeepsOldTokensValid(t *testing.T) {
	f := newOIDC(t)
	q, _ := f.signIn(t, f.authorize(t, nil), "pw")
	_, tok := f.exchange(t, q.Get("code"), "verifier-verifier-verifier-verifier-43", true)
	if err := f.s.RotateSigningKey(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(f.s.Issuer() + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	_ = json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if len(set.Keys) != 2 {
		t.Fatalf("%d keys after rotation, want 2", len(set.Keys))
	}
	ctx := context.Background()
	p, _ := oidc.NewProvider(ctx, f.s.Issuer())
	if _, err := p.Verifier(&oidc.Config{ClientID: "web"}).Verify(ctx, tok["id_token"].(string)); err != nil {
		t.Fatalf("a token signed before rotation: %v", err)
	}
}

func TestCreateUsersThroughTheAPI(t *testing.T) {
	s, _ := emulator.New(emulator.Options{})
	defer s.Close()
	s.AddApp(emulator.App{ClientID: "w", ClientSecret: "s", Worker: true, Roles: true, TokenAuthMethod: "client_secret_post"})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"w"}, "client_secret": {"s"}}
	resp, _ := http.PostForm(s.AuthBase()+"/"+s.EnvironmentID()+"/as/token", form)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	call := func(method, path, ct, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, s.APIBase()+"/environments/"+s.EnvironmentID()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", ct)
		status, _, out := doJSON(t, http.DefaultClient, req)
		return status, out
	}
	status, g := call("POST", "/groups", "application/json", `{"name":"Help desk"}`)
	if status != 201 {
		t.Fatalf("group: %d", status)
	}
	status, u := call("POST", "/users", "application/json", `{"username":"grace","email":"grace@example.com","name":{"given":"Grace","family":"Hopper"}}`)
	if status != 201 || getString(u, "population", "id") != s.PopulationID() {
		t.Fatalf("user: %d %v", status, u)
	}
	if status, _ := call("POST", "/users", "application/json", `{"username":"grace"}`); status != 400 {
		t.Fatalf("duplicate username: %d", status)
	}
	id := u["id"].(string)
	if status, _ := call("PUT", "/users/"+id+"/password", "application/vnd.pingidentity.password.set+json", `{"value":"pw","forceChange":false}`); status != 200 {
		t.Fatalf("password: %d", status)
	}
	if status, _ := call("PUT", "/users/"+id+"/password", "application/json", `{"value":"pw"}`); status != 415 {
		t.Fatalf("password with the wrong content type: %d", status)
	}
	// The activities search takes its filter as a JSON body, like PingOne, and says so.
	for _, tc := range []struct {
		ct, body string
		want     int
	}{
		{"application/x-www-form-urlencoded", `filter=x`, 415},
		{"application/json", `not json`, 400},
		{"application/json", `{"filter":"resources.id eq \"` + id + `\""}`, 400},
	} {
		if status, e := call("POST", "/activities", tc.ct, tc.body); status != tc.want {
			t.Errorf("activities with %s %q: %d %v, want %d", tc.ct, tc.body, status, e, tc.want)
		}
	}
	if status, _ := call("POST", "/users/"+id+"/memberOfGroups", "application/json", `{"id":"`+g["id"].(string)+`"}`); status != 201 {
		t.Fatalf("group membership: %d", status)
	}
	status, u = call("GET", "/users/"+id+"?include=memberOfGroupIDs", "", "")
	if gs, _ := u["memberOfGroupIDs"].([]any); status != 200 || len(gs) != 1 {
		t.Fatalf("read back: %d %v", status, u)
	}
}

func getString(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, _ := cur.(map[string]any)
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}

func TestPairingCodeLocksAfterFailures(t *testing.T) {
	s, _ := emulator.New(emulator.Options{OTPMaxFailures: 3})
	defer s.Close()
	s.AddApp(emulator.App{ClientID: "w", ClientSecret: "s", Worker: true, Roles: true, TokenAuthMethod: "client_secret_post"})
	uid := s.AddUser(emulator.SeedUser{Username: "u"})
	resp, _ := http.PostForm(s.AuthBase()+"/"+s.EnvironmentID()+"/as/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"w"}, "client_secret": {"s"}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	post := func(path, ct, body string) int {
		req, _ := http.NewRequest("POST", s.APIBase()+"/environments/"+s.EnvironmentID()+"/users/"+uid+"/devices"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", ct)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if post("", "application/json", `{"type":"SMS","phone":"+15125201234","status":"ACTIVATION_REQUIRED"}`) != 201 {
		t.Fatal("create")
	}
	id := s.Devices(uid)[0].ID
	code := s.LastCode("+15125201234")
	for range 3 {
		post("/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"999999x"}`)
	}
	if !s.Devices(uid)[0].Locked {
		t.Fatal("not locked after 3 wrong codes")
	}
	if st := post("/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"`+code+`"}`); st != 400 {
		t.Fatalf("the right code on a locked device: %d", st)
	}
	if st := post("/"+id, "application/vnd.pingidentity.device.unlock+json", ``); st != 200 {
		t.Fatalf("unlock: %d", st)
	}
	if st := post("/"+id, "application/vnd.pingidentity.device.sendActivationCode+json", ``); st != 204 {
		t.Fatalf("resend after unlock: %d", st)
	}
	if st := post("/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"`+s.LastCode("+15125201234")+`"}`); st != 200 {
		t.Fatalf("activate after unlock: %d", st)
	}
}
