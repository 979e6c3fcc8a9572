package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

const number = "+1 (512) 520-1234"

// addPhone signs in through /enroll and submits the number; it returns the code page.
func addPhone(t *testing.T, env *portaltest.Env, b *portaltest.Browser, input string) *portaltest.Page {
	t.Helper()
	form := b.SignInEmployee("/enroll")
	if form.Path() != "/devices/sms/new" {
		t.Fatalf("after sign-in from /enroll: %s, want the add-phone form", form.Path())
	}
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {input}, "region": {"US"}})
	if !strings.HasSuffix(p.Path(), "/verify") {
		t.Fatalf("after Send code: %d %s %q", p.Status, p.Path(), p.Text())
	}
	return p
}

func deviceID(t *testing.T, p *portaltest.Page) string {
	t.Helper()
	m := regexp.MustCompile(`/devices/([0-9a-f-]{36})/verify`).FindStringSubmatch(p.URL)
	if m == nil {
		t.Fatalf("no device in %s", p.URL)
	}
	return m[1]
}

func TestDeepLinkSurvivesSignIn(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	// The link's sign-in comes back to the form itself, not to the link (one hop fewer).
	var hops []string
	b.HTTP.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host == mustURL(env.URL).Host {
			hops = append(hops, req.URL.Path)
		}
		return nil
	}
	p := b.SignInEmployee("/enroll")
	if p.Status != 200 || p.Path() != "/devices/sms/new" || p.H1() != "Add your phone" {
		t.Fatalf("landed on %d %s %q", p.Status, p.Path(), p.H1())
	}
	if want := []string{"/auth/callback", "/devices/sms/new"}; !slices.Equal(hops[len(hops)-2:], want) {
		t.Errorf("the portal's redirects: %v, want the sign-in's answer then the form (%v)", hops, want)
	}
	if p := b.Get("/enroll"); p.Path() != "/devices/sms/new" {
		t.Errorf("/enroll signed in: %s, want the form", p.Path())
	}
	for _, want := range []string{"Country or region", "Phone number", "Send code", "Sign out"} {
		if !contains(p.Labels(), want) {
			t.Errorf("no %q on the add-phone form: %v", want, p.Labels())
		}
	}
	if in := p.Input("phone"); in == nil || in["type"] != "tel" || in["autocomplete"] != "tel" {
		t.Errorf("phone field: %v", in)
	}
	if !strings.Contains(p.Body, "/demo/sms") {
		t.Error("demo pages must link to /demo/sms")
	}
}

func contains(list []string, want string) bool {
	for _, s := range list {
		if s == want || strings.HasPrefix(s, want) {
			return true
		}
	}
	return false
}

func TestEmployeeJourney(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	id := deviceID(t, p)
	// One sentence asks for the code, with the policy's length and the number masked.
	if !strings.Contains(p.Text(), "Enter the 6-digit code sent to +1 •••-•••-1234.") || strings.Contains(p.Text(), "+1 512-520-1234") ||
		!contains(p.Labels(), "Verification code") ||
		!contains(p.Labels(), "Verify") || !contains(p.Labels(), "Resend code") {
		t.Fatalf("code page: %q %v", p.Text(), p.Labels())
	}
	if in := p.Input("code"); in["autocomplete"] != "one-time-code" || in["inputmode"] != "numeric" {
		t.Errorf("code field: %v", in)
	}
	devs := env.Emu.Devices(env.Demo.EmployeeID)
	if len(devs) != 1 || devs[0].Status != "ACTIVATION_REQUIRED" || devs[0].Phone != "+15125201234" {
		t.Fatalf("PingOne holds %+v", devs)
	}

	// A wrong code says so and keeps the person on the page.
	p = b.Submit(p, "/verify", url.Values{"code": {"000000"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.ByID("code-error"), "not right") ||
		p.Input("code")["aria-invalid"] != "true" {
		t.Fatalf("wrong code: %d %q", p.Status, p.ByID("code-error"))
	}
	// Resend inside the cool-down is refused with the time left, and sends nothing.
	sent, reads := len(env.Emu.Outbox()), env.Emu.Calls("devices.get")
	p = b.Submit(p, "/resend", nil)
	if n := env.Emu.Calls("devices.get") - reads; n != 1 {
		t.Errorf("a refused resend read the device %d times, want 1", n)
	}
	if p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" || !strings.Contains(p.Text(), "seconds") {
		t.Fatalf("resend in cool-down: %d %q", p.Status, p.Text())
	}
	if len(env.Emu.Outbox()) != sent {
		t.Fatal("a code was sent during the cool-down")
	}
	// After the cool-down a new code goes out.
	env.Clock.Advance(31 * time.Second)
	p = b.Submit(p, "/resend", nil)
	if p.Status != 200 || !strings.HasSuffix(p.Path(), "/verify") || len(env.Emu.Outbox()) != sent+1 {
		t.Fatalf("resend: %d %s, %d texts", p.Status, p.Path(), len(env.Emu.Outbox()))
	}
	code := env.Emu.LastCode("+15125201234")
	p = b.Submit(p, "/verify", url.Values{"code": {code[:3] + " " + code[3:]}}) // pasted with a space
	if p.Path() != "/devices" || !strings.Contains(p.Text(), "is set up") {
		t.Fatalf("right code: %d %s %q", p.Status, p.Path(), p.Text())
	}
	if !strings.Contains(p.Text(), "+1 512-520-1234") || !strings.Contains(p.Text(), "Active") || !contains(p.Labels(), "Remove") {
		t.Fatalf("devices page: %q", p.Text())
	}
	devs = env.Emu.Devices(env.Demo.EmployeeID)
	if len(devs) != 1 || devs[0].ID != id || devs[0].Status != "ACTIVE" {
		t.Fatalf("PingOne holds %+v", devs)
	}
	if !env.Emu.MFAEnabled(env.Demo.EmployeeID) {
		t.Fatal("mfaEnabled was not set")
	}

	// Logs: masked numbers only, never a code, a token or a secret.
	logs := env.Logs.String()
	for _, secret := range []string{"5125201234", "512-520-1234", code, env.Demo.WorkerSecret, env.Demo.WebSecret, env.Demo.EmployeePass} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
	if !strings.Contains(logs, "+1 •••-•••-1234") || !strings.Contains(logs, `"request_id"`) {
		t.Error("the log lacks the masked number or request IDs")
	}
}

func TestSameNumberWaitingIsResumedNotDuplicated(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	first := deviceID(t, addPhone(t, env, b, number))
	env.Clock.Advance(time.Minute)
	p := b.Get("/devices/sms/new")
	p = b.Submit(p, "/devices/sms", url.Values{"phone": {"+1.512.520.1234"}, "region": {""}})
	if deviceID(t, p) != first || !strings.Contains(p.Text(), "already waiting") {
		t.Fatalf("second add: %s %q", p.URL, p.Text())
	}
	if n := len(env.Emu.Devices(env.Demo.EmployeeID)); n != 1 {
		t.Fatalf("%d devices, want 1", n)
	}
	if n := len(env.Emu.Outbox()); n != 2 {
		t.Fatalf("%d texts, want 2 (the first and the resumed one)", n)
	}
}

func TestAlreadyActiveNumberIsRefused(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	p = b.Get("/devices/sms/new") // no step-up: the code was typed moments ago
	p = b.Submit(p, "/devices/sms", url.Values{"phone": {"512-520-1234"}, "region": {"US"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.ByID("phone-error"), "already set up") {
		t.Fatalf("%d %q", p.Status, p.ByID("phone-error"))
	}
	if p.Input("phone")["value"] != "512-520-1234" {
		t.Error("the refused number must stay in the field")
	}
}

func TestRefusedNumberStaysWithItsReason(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	form := b.SignInEmployee("/devices/sms/new")
	tests := []struct{ input, region, want string }{
		{"512 520", "US", "too short (country or region: United States)"},
		{"+44 20 7946 0018", "", "landline"},
		{"+1 800 555 0100", "", "toll-free"},
		{"5125201234", "", "Choose your country"},
		{"+1 512 CALL NOW", "", "Use only digits"},
		{"+999 1234 5678", "", "calling code"},
	}
	for _, tc := range tests {
		p := b.Submit(form, "/devices/sms", url.Values{"phone": {tc.input}, "region": {tc.region}})
		in := p.Input("phone")
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.ByID("phone-error"), tc.want) ||
			in["aria-invalid"] != "true" || !strings.Contains(in["aria-describedby"], "phone-error") || in["value"] != tc.input {
			t.Errorf("%q: %d %q %v", tc.input, p.Status, p.ByID("phone-error"), in)
		}
	}
	if n := len(env.Emu.Devices(env.Demo.EmployeeID)); n != 0 {
		t.Fatalf("a refused number reached PingOne: %d devices", n)
	}
}

func TestDeviceLimitInWords(t *testing.T) {
	env := portaltest.Start(t)
	c, err := pingone.New(pingone.Config{EnvironmentID: env.Emu.EnvironmentID(), APIBase: env.Emu.APIBase(), AuthBase: env.Emu.AuthBase(),
		ClientID: env.Demo.WorkerID, ClientSecret: env.Demo.WorkerSecret})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := c.CreateSMSDevice(context.Background(), env.Demo.EmployeeID, pingone.NewSMSDevice{Phone: "+1512520120" + string(rune('0'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	b := env.NewBrowser(t)
	// Five active phones: adding a sixth first needs the MFA step-up.
	form := b.PassStepUpEmployee(b.SignInEmployee("/devices/sms/new"))
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.ByID("phone-error"), "limit of sign-in devices (5)") {
		t.Fatalf("%d %q", p.Status, p.ByID("phone-error"))
	}
	if n := len(env.Emu.Devices(env.Demo.EmployeeID)); n != 5 {
		t.Fatalf("%d devices", n)
	}
}

func TestRemoveWithConfirmation(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	id := deviceID(t, p)
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	confirm := b.Get("/devices/" + id + "/remove")
	if confirm.Status != 200 || !strings.Contains(confirm.H1(), "+1 512-520-1234") || !contains(confirm.Labels(), "Remove") {
		t.Fatalf("confirmation: %d %q", confirm.Status, confirm.Text())
	}
	if n := len(env.Emu.Devices(env.Demo.EmployeeID)); n != 1 {
		t.Fatal("showing the confirmation removed the device")
	}
	p = b.Submit(confirm, "/remove", nil)
	if p.Path() != "/devices" || !strings.Contains(p.Text(), "was removed") {
		t.Fatalf("after remove: %s %q", p.Path(), p.Text())
	}
	if n := len(env.Emu.Devices(env.Demo.EmployeeID)); n != 0 {
		t.Fatalf("%d devices left", n)
	}
}

func TestSignOutEndsBothSessions(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := b.SignInEmployee("/devices")
	if p.Path() != "/devices" {
		t.Fatal(p.URL)
	}
	p = b.Submit(p, "/auth/logout", nil)
	if p.Path() != "/" || !contains(p.Labels(), "Sign in") {
		t.Fatalf("after sign-out: %s %q", p.URL, p.Text())
	}
	if env.Emu.Calls("signoff") != 1 {
		t.Fatal("PingOne's session was not ended (no signoff)")
	}
	// Both sessions are gone: the portal asks for sign-in, and so does PingOne.
	p = b.Get("/devices")
	if !strings.Contains(p.Body, `name="password"`) {
		t.Fatalf("after sign-out /devices gave %s", p.URL)
	}
}

func TestSessionLifetimes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []time.Duration
		want  string
	}{
		{"idle", []time.Duration{31 * time.Minute}, "without activity"},
		{"absolute", []time.Duration{25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute,
			25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute,
			25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute,
			25 * time.Minute, 25 * time.Minute, 25 * time.Minute}, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t)
			b := env.NewBrowser(t)
			b.SignInEmployee("/devices")
			var p *portaltest.Page
			for _, d := range tc.steps {
				env.Clock.Advance(d)
				p = b.Get("/devices")
				if p.Path() != "/devices" {
					break
				}
			}
			if p.Path() == "/devices" {
				t.Fatal("the session never ended")
			}
			// PingOne still has its own session, yet it must ask for the password again.
			if !strings.Contains(p.Body, `name="password"`) {
				t.Fatalf("after expiry: %s, want PingOne's sign-in form", p.URL)
			}
			p = b.Submit(p, "/as/authorize", url.Values{"username": {env.Demo.Employee}, "password": {env.Demo.EmployeePass}})
			if p.Path() != "/devices" || !strings.Contains(p.Text(), tc.want) {
				t.Fatalf("no message %q on %s: %q", tc.want, p.URL, p.Text())
			}
		})
	}
}

func TestCSRF(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices/sms/new")
	// No token.
	p := b.Post("/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	if p.Status != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", p.Status)
	}
	// A cross-site request is refused even with a valid token (http.CrossOriginProtection).
	tok := csrfOf(t, b.Get("/devices/sms/new"))
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/devices/sms", strings.NewReader(url.Values{"csrf": {tok}, "phone": {number}, "region": {"US"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := b.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST with a valid token: %d", resp.StatusCode)
	}
	if n := len(env.Emu.Devices(env.Demo.EmployeeID)); n != 0 {
		t.Fatal("a forged request made a device")
	}
}

func TestNobodyTouchesAnotherUsersDevice(t *testing.T) {
	env := portaltest.Start(t)
	// Another user has a device; the employee tries to act on it by ID. (The demo's help-desk
	// member has an active phone, so their adding one would ask for the step-up.)
	otherID := env.Emu.AddUser(emulator.SeedUser{Username: "olga.other", Given: "Olga", Family: "Other", Password: "Pw-olga"})
	hb := env.NewBrowser(t)
	form := hb.SignIn("/devices/sms/new", "olga.other", "Pw-olga")
	other := deviceID(t, hb.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}}))

	b := env.NewBrowser(t)
	p := b.SignInEmployee("/devices")
	for _, u := range []string{"/devices/" + other + "/verify", "/devices/" + other + "/remove"} {
		if g := b.Get(u); g.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d", u, g.Status)
		}
	}
	csrf := csrfOf(t, p)
	for _, u := range []string{"/devices/" + other + "/verify", "/devices/" + other + "/remove", "/devices/" + other + "/resend"} {
		if g := b.Post(u, url.Values{"csrf": {csrf}, "code": {env.Emu.LastCode("+15125201234")}}); g.Status != http.StatusNotFound {
			t.Errorf("POST %s: %d", u, g.Status)
		}
	}
	devs := env.Emu.Devices(otherID)
	if len(devs) != 1 || devs[0].Status != "ACTIVATION_REQUIRED" {
		t.Fatalf("the other user's device changed: %+v", devs)
	}
	if g := b.Get("/devices/not-a-uuid/verify"); g.Status != http.StatusNotFound {
		t.Errorf("malformed ID: %d", g.Status)
	}
}

func TestUnknownOrDisabledPersonGetsAClearPage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(env *portaltest.Env)
		want   string
	}{
		// PingOne's sign-in knows the person but the management API does not (another
		// population, a worker without access to it).
		{"unknown", func(env *portaltest.Env) { env.Emu.Inject(emulator.Fault{Route: "users.get", Status: 404}) }, "not set up"},
		{"disabled", func(env *portaltest.Env) { env.Emu.SetUserEnabled(env.Demo.EmployeeID, false) }, "disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t)
			b := env.NewBrowser(t)
			// Stop at the redirect back to the portal, change the user in PingOne, then return.
			b.HTTP.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if req.URL.Path == "/auth/callback" {
					return http.ErrUseLastResponse
				}
				return nil
			}
			p := b.SignInEmployee("/devices")
			loc := p.Header.Get("Location")
			if !strings.Contains(loc, "/auth/callback") {
				t.Fatalf("no redirect to the callback: %d %s", p.Status, loc)
			}
			tc.change(env)
			b.HTTP.CheckRedirect = nil
			p = b.Get(loc)
			if p.Status != http.StatusForbidden || !strings.Contains(p.Text(), tc.want) || !strings.Contains(p.Text(), "reference") {
				t.Fatalf("%d %q", p.Status, p.Text())
			}
		})
	}
}

func TestReturnTargetIsLocalOnly(t *testing.T) {
	for _, target := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		env := portaltest.Start(t)
		b := env.NewBrowser(t)
		p := b.SignInEmployee("/auth/login?return_to=" + url.QueryEscape(target))
		if !strings.HasPrefix(p.URL, env.URL+"/devices") {
			t.Errorf("return_to %q led to %s", target, p.URL)
		}
	}
}

func TestPingOneDownGivesAPageWithTheRequestID(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	env.Emu.Inject(emulator.Fault{Route: "devices.list", Status: 503, Times: -1})
	p := b.Get("/devices")
	rid := p.Header.Get("X-Request-Id")
	if p.Status != http.StatusServiceUnavailable || rid == "" || !strings.Contains(p.Text(), rid) || !strings.Contains(p.Text(), "having trouble") {
		t.Fatalf("%d %q", p.Status, p.Text())
	}
	if !strings.Contains(env.Logs.String(), `"request_id":"`+rid+`"`) {
		t.Fatal("the log has no line with the page's request ID")
	}
	env.Emu.ClearFaults()
	if p := b.Get("/devices"); p.Status != 200 {
		t.Fatalf("after PingOne recovered: %d", p.Status)
	}
}

func TestHealthAndHeaders(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	if p := b.Get("/healthz"); p.Status != 200 {
		t.Fatalf("healthz %d", p.Status)
	}
	if p := b.Get("/readyz"); p.Status != 200 {
		t.Fatalf("readyz %d %s", p.Status, p.Body)
	}
	p := b.Get("/")
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'", "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin",
	} {
		if !strings.Contains(p.Header.Get(h), want) {
			t.Errorf("%s = %q", h, p.Header.Get(h))
		}
	}
	if !strings.Contains(p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("CSP lets the portal be framed")
	}
	for _, c := range b.HTTP.Jar.Cookies(mustURL(env.URL)) {
		if c.Value != "" && strings.Contains(c.Value, env.Demo.Employee) {
			t.Error("the session cookie is readable")
		}
	}
}

// TestReadyzWhenTokenRefused: a refused worker token is PingOne's side of every instance, so the
// instance stays ready, and /healthz/deps reports PingOne down and why, without the secret.
func TestReadyzWhenTokenRefused(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("PINGONE_WORKER_CLIENT_SECRET", "wrong-secret"))
	b := env.NewBrowser(t)
	if p := b.Get("/readyz"); p.Status != http.StatusOK {
		t.Fatalf("readyz with a refused worker: %d", p.Status)
	}
	p := b.Get("/healthz/deps")
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, `"pingone":{"up":false`) ||
		!strings.Contains(p.Body, `"problem":"worker token refused"`) || strings.Contains(p.Body, "wrong-secret") {
		t.Fatalf("/healthz/deps with a refused worker: %d %s", p.Status, p.Body)
	}
	if strings.Contains(env.Logs.String(), "wrong-secret") {
		t.Fatal("the secret reached the log")
	}
}

func mustURL(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}

func TestMakeDefaultAndRename(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	first := activePhone(t, env, b)
	p := b.Get("/devices/sms/new")
	p = b.Submit(p, "/devices/sms", url.Values{"phone": {"+44 7400 123456"}})
	second := deviceID(t, p)
	puts := env.Emu.Calls("users.mfaEnabled")
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+447400123456")}})
	if n := env.Emu.Calls("users.mfaEnabled") - puts; n != 0 {
		t.Errorf("mfaEnabled was already on, yet set %d more times", n)
	}
	if !contains(p.Labels(), "Make default +44 7400 123456") {
		t.Fatalf("no Make default for the second phone: %v", p.Labels())
	}
	p = b.Submit(p, "/devices/"+second+"/default", nil)
	if d := env.Emu.Devices(env.Demo.EmployeeID); d[0].ID != second || !strings.Contains(p.Text(), "now your default") {
		t.Fatalf("default: %+v %q", d, p.Text())
	}
	findAudit(t, env, "set_default_device", "success")

	form := b.Get("/devices/" + first + "/rename")
	if !contains(form.Labels(), "Name for this phone") {
		t.Fatalf("rename form: %v", form.Labels())
	}
	for _, bad := range []string{"   ", strings.Repeat("x", 41)} {
		if p := b.Submit(form, "/rename", url.Values{"nickname": {bad}}); p.Status != http.StatusUnprocessableEntity || p.Input("nickname")["aria-invalid"] != "true" {
			t.Errorf("nickname %q: %d", bad, p.Status)
		}
	}
	p = b.Submit(form, "/rename", url.Values{"nickname": {"  Work\tphone "}})
	if !strings.Contains(p.Text(), "Work phone") {
		t.Fatalf("after rename: %q", p.Text())
	}
	for _, d := range env.Emu.Devices(env.Demo.EmployeeID) {
		if d.ID == first && d.Nickname != "Work phone" {
			t.Fatalf("PingOne nickname %q", d.Nickname)
		}
	}
	findAudit(t, env, "rename_device", "success")
	// Someone else's device cannot be renamed or made default.
	other := env.Emu.AddSMSDevice(env.Demo.HelpdeskID, "+15125209999", true)
	if g := b.Get("/devices/" + other + "/rename"); g.Status != http.StatusNotFound {
		t.Errorf("rename form for another user's device: %d", g.Status)
	}
	if g := b.Submit(form, "/rename", url.Values{"nickname": {"Mine now"}}); g.Status == http.StatusNotFound {
		t.Error("renaming one's own phone failed")
	}
	csrf := csrfOf(t, p)
	if g := b.Post("/devices/"+other+"/default", url.Values{"csrf": {csrf}}); g.Status != http.StatusNotFound {
		t.Errorf("make default on another user's device: %d", g.Status)
	}
	if g := b.Post("/devices/"+other+"/rename", url.Values{"csrf": {csrf}, "nickname": {"x"}}); g.Status != http.StatusNotFound {
		t.Errorf("rename another user's device: %d", g.Status)
	}
}

func TestUnknownAddressIsA404Page(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	for _, u := range []string{"/nothing-here", "/devices/x/y/z", "/static/missing.css"} {
		if p := b.Get(u); p.Status != http.StatusNotFound {
			t.Errorf("%s: %d %s", u, p.Status, p.URL)
		}
	}
	if p := b.Get("/nothing-here"); !strings.Contains(p.Text(), "Page not found") || !strings.Contains(p.Text(), "reference") {
		t.Errorf("404 page: %q", p.Text())
	}
}
