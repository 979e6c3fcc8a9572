package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// newClock is a clock for the emulator standing at the time the test started.
func newClock() *pingonetest.Clock { return &pingonetest.Clock{Start: time.Now()} }

// api is a worker's raw view of an emulator's management API.
type api struct {
	t   *testing.T
	s   *emulator.Server
	tok string
	uid string
}

func newAPI(t *testing.T, opts emulator.Options, email string) *api {
	t.Helper()
	s := pingonetest.Start(t, opts)
	s.AddApp(emulator.App{ClientID: "w", ClientSecret: "s", Worker: true, Roles: true})
	a := &api{t: t, s: s, uid: s.AddUser(emulator.SeedUser{Username: "u", Email: email})}
	a.tok = pingonetest.WorkerToken(t, s, "w", "s")
	return a
}

func (a *api) call(method, path, ct, body string) (int, http.Header, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.s.APIBase()+"/environments/"+a.s.EnvironmentID()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.tok)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	return doJSON(a.t, http.DefaultClient, req)
}

func (a *api) devices() string { return "/users/" + a.uid + "/devices" }

func (a *api) create(status string) string {
	a.t.Helper()
	body := `{"type":"SMS","phone":"+15125201234"`
	if status != "" {
		body += `,"status":"` + status + `"`
	}
	st, _, d := a.call(http.MethodPost, a.devices(), "application/json", body+"}")
	if st != 201 {
		a.t.Fatalf("create: %d %v", st, d)
	}
	return d["id"].(string)
}

func (a *api) activate(id, otp string) (int, map[string]any) {
	st, _, m := a.call(http.MethodPost, a.devices()+"/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"`+otp+`"}`)
	return st, m
}

func TestOTPLengthOption(t *testing.T) {
	for _, n := range []int{5, 11} {
		if _, err := emulator.New(emulator.Options{OTPLength: n}); err == nil {
			t.Errorf("OTP length %d accepted", n)
		}
	}
	a := newAPI(t, emulator.Options{OTPLength: 10}, "")
	a.create("ACTIVATION_REQUIRED")
	if c := a.s.LastCode("+15125201234"); len(c) != 10 {
		t.Fatalf("code %q", c)
	}
}

// TestCodePolicyDefaults: PingOne's SMS defaults are a 30-minute code, 3 failures, no cool-down.
func TestCodePolicyDefaults(t *testing.T) {
	clk := newClock()
	a := newAPI(t, emulator.Options{Now: clk.Now, TokenLifetime: 2 * time.Hour}, "")
	id := a.create("ACTIVATION_REQUIRED")
	clk.Advance(29 * time.Minute)
	if st, m := a.activate(id, a.s.LastCode("+15125201234")); st != 200 {
		t.Fatalf("a 29-minute-old code: %d %v", st, m)
	}
	id2 := a.create("ACTIVATION_REQUIRED")
	code := a.s.LastCode("+15125201234")
	clk.Advance(31 * time.Minute)
	if st, _ := a.activate(id2, code); st != 400 {
		t.Fatalf("a 31-minute-old code: %d", st)
	}
	if !strings.Contains(a.s.Outbox()[0].Text, "30 minutes") {
		t.Errorf("text %q", a.s.Outbox()[0].Text)
	}
}

func TestCoolDownAfterFailures(t *testing.T) {
	clk := newClock()
	a := newAPI(t, emulator.Options{Now: clk.Now, OTPMaxFailures: 2, OTPCoolDown: 2 * time.Minute, LockoutFailureCount: 10}, "")
	id := a.create("ACTIVATION_REQUIRED")
	code := a.s.LastCode("+15125201234")
	for range 2 {
		a.activate(id, "000000")
	}
	if st, _ := a.activate(id, code); st != 400 {
		t.Fatalf("the code after 2 failures: %d, want it void", st)
	}
	resend := func() int {
		st, _, _ := a.call(http.MethodPost, a.devices()+"/"+id, "application/vnd.pingidentity.device.sendActivationCode+json", "")
		return st
	}
	if st := resend(); st != 400 {
		t.Fatalf("resend in the cool-down: %d", st)
	}
	clk.Advance(2*time.Minute + time.Second)
	if st := resend(); st != 204 {
		t.Fatalf("resend after the cool-down: %d", st)
	}
	if st, _ := a.activate(id, a.s.LastCode("+15125201234")); st != 200 {
		t.Fatalf("new code: %d", st)
	}
}

func TestLockoutFromMFASettings(t *testing.T) {
	clk := newClock()
	a := newAPI(t, emulator.Options{Now: clk.Now, OTPMaxFailures: 5}, "")
	st, _, m := a.call(http.MethodPut, "/mfaSettings", "application/json", `{"pairing":{"maxAllowedDevices":5,"pairingKeyFormat":"NUMERIC"},"lockout":{"failureCount":2,"durationSeconds":120}}`)
	if st != 200 {
		t.Fatalf("put: %d %v", st, m)
	}
	id := a.create("ACTIVATION_REQUIRED")
	a.activate(id, "000000")
	a.activate(id, "000000")
	_, _, d := a.call(http.MethodGet, a.devices()+"/"+id, "", "")
	exp, _ := time.Parse(time.RFC3339, getString(d, "lock", "expiresAt"))
	if getString(d, "lock", "status") != "LOCKED" || exp.Sub(clk.Now()) > 2*time.Minute || exp.Sub(clk.Now()) < 119*time.Second {
		t.Fatalf("after lockout.failureCount wrong codes: %v", d["lock"])
	}
	clk.Advance(121 * time.Second)
	_, _, d = a.call(http.MethodGet, a.devices()+"/"+id, "", "")
	if getString(d, "lock", "status") != "UNLOCKED" {
		t.Fatalf("after durationSeconds: %v", d["lock"])
	}
	if st, _, _ := a.call(http.MethodPut, "/mfaSettings", "application/json", `{"pairing":{"maxAllowedDevices":16}}`); st != 400 {
		t.Fatalf("maxAllowedDevices 16: %d", st)
	}
}

func TestDeviceLimitCountsActiveAndBlocked(t *testing.T) {
	a := newAPI(t, emulator.Options{DeviceLimit: 2}, "")
	waiting := a.create("ACTIVATION_REQUIRED")
	code := a.s.LastCode("+15125201234")
	first := a.create("")
	a.call(http.MethodPost, a.devices()+"/"+first, "application/vnd.pingidentity.device.block+json", "")
	a.create("")
	st, _, e := a.call(http.MethodPost, a.devices(), "application/json", `{"type":"SMS","phone":"+15125201234"}`)
	want := `{"code":"REQUEST_FAILED","details":[{"code":"LIMIT_EXCEEDED","innerError":{"maximumAllowed":2},"message":"Maximum allowed devices has been reached"}],"message":"The request could not be completed."}`
	delete(e, "id")
	got, _ := json.Marshal(e)
	if st != 400 || string(got) != want {
		t.Fatalf("over the limit: %d %s", st, got)
	}
	// Pairing the waiting device would make three.
	if st, e := a.activate(waiting, code); st != 400 || getString(e, "code") != "REQUEST_FAILED" {
		t.Fatalf("activate over the limit: %d %v", st, e)
	}
}

func TestNewDeviceNotification(t *testing.T) {
	tests := []struct {
		policy, email  string
		emails, notice int // emails; SMS notices (texts without a code)
	}{
		{"", "u@example.com", 1, 0},
		{"", "", 0, 1},
		{emulator.NotifySMSThenEmail, "u@example.com", 0, 1},
		{emulator.NotifyNone, "u@example.com", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.policy+"/"+tc.email, func(t *testing.T) {
			a := newAPI(t, emulator.Options{NewDeviceNotification: tc.policy}, tc.email)
			id := a.create("ACTIVATION_REQUIRED")
			if len(a.s.Emails()) != 0 {
				t.Fatal("a notice before pairing")
			}
			if st, _ := a.activate(id, a.s.LastCode("+15125201234")); st != 200 {
				t.Fatal("activate")
			}
			notices := slices.DeleteFunc(a.s.Outbox(), func(m emulator.SMS) bool { return m.Code != "" })
			if len(a.s.Emails()) != tc.emails || len(notices) != tc.notice {
				t.Fatalf("%d emails, %d SMS notices", len(a.s.Emails()), len(notices))
			}
			if tc.emails == 1 {
				m := a.s.Emails()[0]
				if m.To != tc.email || m.Subject == "" || !strings.Contains(m.Text, "1234") || strings.Contains(m.Text, "+15125201234") {
					t.Fatalf("email %+v", m)
				}
			}
			for path, want := range map[string]int{"/demo/email": tc.emails, "/demo/sms": len(a.s.Outbox())} {
				resp, err := http.Get(a.s.URL() + path)
				if err != nil {
					t.Fatal(err)
				}
				var list []map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&list)
				resp.Body.Close()
				if resp.Header.Get("Content-Type") != "application/json" || len(list) != want {
					t.Fatalf("%s: %q, %d entries, want %d", path, resp.Header.Get("Content-Type"), len(list), want)
				}
				for _, m := range list {
					if _, err := time.Parse(time.RFC3339, m["sentAt"].(string)); err != nil || m["to"] == "" || m["text"] == "" {
						t.Fatalf("%s entry %v", path, m)
					}
				}
			}
		})
	}
}

func TestRateLimitAnswer(t *testing.T) {
	a := newAPI(t, emulator.Options{}, "")
	a.s.Inject(emulator.Fault{Route: "devices.list", Status: 429, RetryAfter: "20"})
	st, h, e := a.call(http.MethodGet, a.devices(), "", "")
	ds, _ := e["details"].([]any)
	if st != 429 || h.Get("Retry-After") != "20" || e["code"] != "REQUEST_LIMITED" || len(ds) != 1 {
		t.Fatalf("%d %q %v", st, h.Get("Retry-After"), e)
	}
	d := ds[0].(map[string]any)
	at, err := time.Parse(time.RFC3339, getString(d, "innerError", "retryAfter"))
	if d["code"] != "LIMIT_EXCEEDED" || err != nil || time.Until(at) < 18*time.Second || time.Until(at) > 21*time.Second {
		t.Fatalf("detail %v: %v", d, err)
	}
}

// TestAccessTokensAreJWTs: signed with the environment's key (the JWKS verifies them), and
// still refused once expired or when forged.
func TestAccessTokensAreJWTs(t *testing.T) {
	a := newAPI(t, emulator.Options{}, "")
	ks := oidc.NewRemoteKeySet(t.Context(), a.s.Issuer()+"/jwks")
	payload, err := ks.VerifySignature(t.Context(), a.tok)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	for _, c := range []string{"exp", "iat", "aud", "client_id", "env", "iss", "jti"} {
		if claims[c] == nil {
			t.Errorf("no %s claim: %v", c, claims)
		}
	}
	if claims["client_id"] != "w" || claims["env"] != a.s.EnvironmentID() {
		t.Errorf("claims %v", claims)
	}
	if st, _, _ := a.call(http.MethodGet, a.devices(), "", ""); st != 200 {
		t.Fatalf("valid token: %d", st)
	}
	parts := strings.Split(a.tok, ".")
	good := a.tok
	a.tok = parts[0] + "." + parts[1] + "x." + parts[2]
	if st, _, _ := a.call(http.MethodGet, a.devices(), "", ""); st != 401 {
		t.Fatalf("altered token: %d", st)
	}
	a.tok = good
	a.s.ExpireTokens()
	if st, _, _ := a.call(http.MethodGet, a.devices(), "", ""); st != 401 {
		t.Fatalf("expired token: %d", st)
	}
}

// TestAMR: the MFA policy with a second factor says so in amr; a policy that lets a person
// through on the password alone still names itself in acr, and amr says ["pwd"].
func TestAMR(t *testing.T) {
	for _, skip := range []bool{false, true} {
		f := newOIDCWith(t, emulator.Options{SkipSecondFactor: skip})
		q, msg := f.signIn(t, f.authorize(t, url.Values{"acr_values": {"Multi_Factor"}}), "pw")
		if q == nil {
			t.Fatalf("sign-in: %s", msg)
		}
		_, tok := f.exchange(t, q.Get("code"), "verifier-verifier-verifier-verifier-43", true)
		raw, _ := tok["id_token"].(string)
		idt, err := oidc.NewProvider(t.Context(), f.s.Issuer())
		if err != nil {
			t.Fatal(err)
		}
		v, err := idt.Verifier(&oidc.Config{ClientID: "web"}).Verify(t.Context(), raw)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			ACR string   `json:"acr"`
			AMR []string `json:"amr"`
		}
		_ = v.Claims(&c)
		wantAMR := []string{"pwd", "otp", "mfa"}
		if skip {
			wantAMR = []string{"pwd"}
		}
		if c.ACR != "Multi_Factor" || !slices.Equal(c.AMR, wantAMR) {
			t.Fatalf("skip %v: acr %q amr %v", skip, c.ACR, c.AMR)
		}
	}
}
