package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/cmd/app"
	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/internal/logging"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// wantErrorPage checks what the person sees when PingOne fails: a clear page with the request
// ID and a way forward, never a stack trace.
func wantErrorPage(t *testing.T, p *portaltest.Page, status int, words string) {
	t.Helper()
	rid := p.Header.Get("X-Request-Id")
	if p.Status != status || rid == "" || !strings.Contains(p.Text(), rid) || !strings.Contains(p.Text(), words) ||
		!contains(p.Labels(), "Try again") || strings.Contains(p.Body, "goroutine") {
		t.Fatalf("want a %d page saying %q with the request ID; got %d %q", status, words, p.Status, p.Text())
	}
}

// wantOneActivePhone checks PingOne ends with exactly the registration it should have.
func wantOneActivePhone(t *testing.T, env *portaltest.Env) {
	t.Helper()
	devs := env.Emu.Devices(env.Demo.EmployeeID)
	if len(devs) != 1 || devs[0].Status != "ACTIVE" || devs[0].Phone != "+15125201234" {
		t.Fatalf("PingOne holds %+v, want exactly one active phone", devs)
	}
	if !env.Emu.MFAEnabled(env.Demo.EmployeeID) {
		t.Fatal("mfaEnabled not set")
	}
}

func wantHealthy(t *testing.T, env *portaltest.Env, b *portaltest.Browser) {
	t.Helper()
	if p := b.Get("/healthz"); p.Status != 200 {
		t.Fatalf("healthz %d", p.Status)
	}
	if p := b.Get("/devices"); p.Status != 200 {
		t.Fatalf("the portal did not recover: %d", p.Status)
	}
}

// faultCase is a fault injected into one PingOne call and the error page the person must
// see: its status and words.
type faultCase struct {
	name   string
	fault  emulator.Fault
	status int
	words  string
}

// finish completes the journey from the code page.
func finish(t *testing.T, env *portaltest.Env, b *portaltest.Browser, codePage *portaltest.Page) {
	t.Helper()
	p := b.Submit(codePage, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if p.Path() != "/devices" || !strings.Contains(p.Text(), "Active") {
		t.Fatalf("after the right code: %d %s %q", p.Status, p.URL, p.Text())
	}
}

// TestFaultsWhileAddingAPhone injects each fault into "Send code" (a create, never retried),
// then the person presses the button again.
func TestFaultsWhileAddingAPhone(t *testing.T) {
	tests := []faultCase{
		{"slower than the portal's timeout", emulator.Fault{Route: "devices.create", Latency: 2 * time.Second}, 503, "did not answer in time"},
		{"500", emulator.Fault{Route: "devices.create", Status: 500}, 503, "having trouble"},
		{"502", emulator.Fault{Route: "devices.create", Status: 502}, 503, "having trouble"},
		{"503 with Retry-After", emulator.Fault{Route: "devices.create", Status: 503, RetryAfter: "20"}, 503, "having trouble"},
		{"429", emulator.Fault{Route: "devices.create", Status: 429, RetryAfter: "20"}, 503, "busy"},
		{"connection reset", emulator.Fault{Route: "devices.create", Drop: true}, 503, "did not answer"},
		{"malformed JSON", emulator.Fault{Route: "devices.create", Status: 201, Body: `{"id": "x", "status": `}, 502, "could not read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t, portaltest.WithEnv("PINGONE_TIMEOUT", "500ms"))
			b := env.NewBrowser(t)
			form := b.SignInEmployee("/devices/sms/new")
			env.Emu.Inject(tc.fault)
			p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
			wantErrorPage(t, p, tc.status, tc.words)
			if tc.fault.RetryAfter != "" && p.Header.Get("Retry-After") != tc.fault.RetryAfter {
				t.Errorf("Retry-After %q, want PingOne's %q", p.Header.Get("Retry-After"), tc.fault.RetryAfter)
			}
			// Pressing "Send code" again resumes or creates: never a second device.
			p = b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
			if !strings.HasSuffix(p.Path(), "/verify") {
				t.Fatalf("retry: %d %s %q", p.Status, p.URL, p.Text())
			}
			finish(t, env, b, p)
			wantOneActivePhone(t, env)
			wantHealthy(t, env, b)
		})
	}
}

// TestFaultsWhileVerifying injects faults into the code check (activate, never retried).
func TestFaultsWhileVerifying(t *testing.T) {
	tests := []faultCase{
		{"503", emulator.Fault{Route: "devices.activate", Status: 503, RetryAfter: "5"}, 503, "having trouble"},
		{"429", emulator.Fault{Route: "devices.activate", Status: 429, RetryAfter: "5"}, 503, "busy"},
		{"slow", emulator.Fault{Route: "devices.activate", Latency: 2 * time.Second}, 503, "did not answer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t, portaltest.WithEnv("PINGONE_TIMEOUT", "500ms"))
			b := env.NewBrowser(t)
			codePage := addPhone(t, env, b, number)
			env.Emu.Inject(tc.fault)
			p := b.Submit(codePage, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
			wantErrorPage(t, p, tc.status, tc.words)
			finish(t, env, b, codePage)
			wantOneActivePhone(t, env)
			wantHealthy(t, env, b)
		})
	}
}

// TestLostAnswers: PingOne carried out a create or an activate but its answer never came. The
// portal looks the device up instead of sending the request again (a second create would
// duplicate the phone), and tells the person the truth.
func TestLostAnswers(t *testing.T) {
	for _, route := range []string{"devices.create", "devices.activate"} {
		t.Run(route, func(t *testing.T) {
			env := portaltest.Start(t)
			b := env.NewBrowser(t)
			form := b.SignInEmployee("/devices/sms/new")
			if route == "devices.create" {
				env.Emu.Inject(emulator.Fault{Route: route, LoseAnswer: true})
			}
			p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
			if !strings.HasSuffix(p.Path(), "/verify") {
				t.Fatalf("%d %s %q", p.Status, p.Path(), p.Text())
			}
			if n := len(env.Emu.Devices(env.Demo.EmployeeID)); n != 1 {
				t.Fatalf("%d devices after %d creates", n, env.Emu.Calls("devices.create"))
			}
			if route == "devices.activate" {
				env.Emu.Inject(emulator.Fault{Route: route, LoseAnswer: true})
			}
			finish(t, env, b, p)
			if env.Emu.Calls(route) != 1 {
				t.Fatalf("%s was sent %d times", route, env.Emu.Calls(route))
			}
			wantOneActivePhone(t, env)
		})
	}
}

func TestWorkerTokenExpiresBetweenCalls(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	codePage := addPhone(t, env, b, number)
	before := env.Emu.TokenRequests()
	env.Emu.Inject(emulator.Fault{Route: "devices.activate", ExpireToken: true})
	finish(t, env, b, codePage)
	if got := env.Emu.TokenRequests() - before; got != 1 {
		t.Fatalf("%d new tokens, want 1", got)
	}
	wantOneActivePhone(t, env)
}

func TestResetOnAReadIsRetriedUnseen(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	env.Emu.Inject(emulator.Fault{Route: "devices.list", Drop: true})
	env.Emu.Inject(emulator.Fault{Route: "devices.list", Status: 502})
	if p := b.Get("/devices"); p.Status != 200 {
		t.Fatalf("a reset and a 502 on a read: %d %q", p.Status, p.Text())
	}
	if n := env.Emu.Calls("devices.list"); n < 3 {
		t.Fatalf("devices.list called %d times", n)
	}
}

func TestNewSigningKeyInJWKS(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	if err := env.Emu.RotateSigningKey(); err != nil {
		t.Fatal(err)
	}
	// A new person signs in with a token signed by a key the portal has not seen yet.
	b2 := env.NewBrowser(t)
	if p := b2.SignIn("/devices", env.Demo.Helpdesk, env.Demo.HelpdeskPass); p.Path() != "/devices" || p.Status != 200 {
		t.Fatalf("sign-in after key rotation: %d %s %q", p.Status, p.URL, p.Text())
	}
}

// TestPingOneUnreachableAtStart starts the portal while nothing listens at PingOne's address,
// then brings PingOne up there.
func TestPingOneUnreachableAtStart(t *testing.T) {
	addr := portaltest.FreeAddr(t)
	envID := "6c4a6c6e-8d1f-4c55-9a53-0c8a5d2a4f10"
	srv := httptest.NewUnstartedServer(nil)
	public := "http://" + srv.Listener.Addr().String()
	vars := map[string]string{
		"PORTAL_PUBLIC_URL": public, "PINGONE_ENVIRONMENT_ID": envID,
		"PINGONE_API_BASE": "http://" + addr + "/v1", "PINGONE_AUTH_BASE": "http://" + addr,
		"PINGONE_WORKER_CLIENT_ID": "w", "PINGONE_WORKER_CLIENT_SECRET": "ws", "PINGONE_WEB_CLIENT_ID": "web",
		"PINGONE_WEB_CLIENT_SECRET": "webs", "SESSION_KEYS": strings.Repeat("k", 40), "PINGONE_TIMEOUT": "1s", "ALLOWED_REGIONS": "US",
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &portaltest.Logs{}
	clock := &portaltest.Clock{}
	p, err := app.Build(cfg, app.Options{Logger: logging.New(logs, 0), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p.Handler
	srv.Start()
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(public + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz while PingOne is down: %d", code)
	}
	// Ready all the same: PingOne is every instance's, and a load balancer taking them all out
	// would show its own bare error instead of the portal's words (issue #24).
	if code, _ := get("/readyz"); code != http.StatusOK {
		t.Fatalf("readyz while PingOne is down: %d", code)
	}
	if code, body := get("/auth/login"); code != http.StatusServiceUnavailable || !strings.Contains(body, "not answering") {
		t.Fatalf("sign-in while PingOne is down: %d", code)
	}
	if code, _ := get("/"); code != 200 {
		t.Fatalf("home while PingOne is down: %d", code)
	}
	if code, body := get("/healthz/deps"); code != http.StatusServiceUnavailable || !strings.Contains(body, `"pingone":{"up":false`) {
		t.Fatalf("/healthz/deps while PingOne is down: %d %s", code, body)
	}
	// Once the check has found PingOne down, pages say so at once, without waiting on PingOne.
	if code, body := get("/"); code != http.StatusServiceUnavailable || !strings.Contains(body, "Please try again in a minute") {
		t.Fatalf("home after the check found PingOne down: %d %s", code, body)
	}

	emu, err := emulator.New(emulator.Options{Addr: addr, EnvironmentID: envID, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	emu.AddApp(emulator.App{ClientID: "w", ClientSecret: "ws", Worker: true, Roles: true})
	emu.AddApp(emulator.App{ClientID: "web", ClientSecret: "webs", RedirectURIs: []string{public + "/auth/callback"}})
	emu.AddUser(emulator.SeedUser{Username: "erin", Password: "pw"})
	clock.Advance(2 * time.Second)
	// The portal finds PingOne back by itself, within its check interval (5 s).
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := get("/healthz/deps")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz/deps after PingOne came back: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, _ := get("/auth/login"); code != http.StatusFound {
		t.Fatalf("sign-in after PingOne came back: %d", code)
	}
}

// TestPingOneFailuresDoNotUseUpTheLimits: pressing "Send code" again after PingOne failures
// that sent no text must not run into the portal's own per-number limit (3 texts / 5 min).
func TestPingOneFailuresDoNotUseUpTheLimits(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	form := b.SignInEmployee("/devices/sms/new")
	for range 4 {
		env.Emu.Inject(emulator.Fault{Route: "devices.create", Status: 503})
		if p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}}); p.Status != http.StatusServiceUnavailable {
			t.Fatalf("with PingOne failing: %d", p.Status)
		}
	}
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	if !strings.HasSuffix(p.Path(), "/verify") {
		t.Fatalf("after PingOne recovered: %d %q", p.Status, p.Text())
	}
	finish(t, env, b, p)
	wantOneActivePhone(t, env)
}
