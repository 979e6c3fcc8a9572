package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// activePhone signs the employee in and registers +1 512-520-1234 as an active phone.
func activePhone(t *testing.T, env *portaltest.Env, b *portaltest.Browser) string {
	t.Helper()
	p := addPhone(t, env, b, number)
	id := deviceID(t, p)
	b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	return id
}

func TestStepUpBeforeChangingMethods(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	id := activePhone(t, env, b) // the first phone needed only the password: addPhone checks that
	// Typing the code just now proved the phone: no second check for 10 minutes.
	if p := b.Get("/devices/sms/new"); p.H1() != "Add your phone" {
		t.Fatalf("right after the code: %q", p.H1())
	}
	env.Clock.Advance(11 * time.Minute)

	// With an active phone, adding another first explains the check, then goes through
	// PingOne's MFA policy with max_age.
	p := b.Get("/devices/sms/new")
	cont := p.LinkTo("/auth/login?step_up=1")
	if p.H1() != "Confirm it’s you" || cont == "" || !strings.Contains(p.Text(), "+1 •••-•••-1234") {
		t.Fatalf("add without step-up: %d %q", p.Status, p.Text())
	}
	loc, _ := url.Parse(cont)
	if loc.Query().Get("return_to") != "/devices/sms/new" {
		t.Fatalf("step-up link %s", cont)
	}
	p = b.Get(loc.String())
	q, _ := url.Parse(p.URL)
	if q.Query().Get("acr_values") != "Multi_Factor" || q.Query().Get("max_age") != "600" {
		t.Fatalf("step-up request: %s", p.URL)
	}
	p = b.PassStepUpEmployee(p)
	if p.Path() != "/devices/sms/new" || p.H1() != "Add your phone" {
		t.Fatalf("after step-up: %s %q", p.URL, p.H1())
	}
	// Within 10 minutes no second step-up; after, again.
	if p := b.Get("/devices/" + id + "/remove"); p.Status != 200 || !contains(p.Labels(), "Remove") {
		t.Fatalf("remove right after step-up: %d %s", p.Status, p.URL)
	}
	env.Clock.Advance(11 * time.Minute)
	// The question comes first (issue #25), saying what follows; the step-up comes after it.
	confirm := b.Get("/devices/" + id + "/remove")
	if confirm.H1() != "Remove +1 512-520-1234?" || !strings.Contains(confirm.Text(), "you sign in again") ||
		confirm.LinkTo("/auth/login?step_up=1") != "" {
		t.Fatalf("11 minutes later, remove: %s %q %q", confirm.URL, confirm.H1(), confirm.Text())
	}
	// "Remove" with a stale step-up changes nothing: it asks for PingOne's MFA sign-in, on the
	// step-up's own page ("Confirm…", Continue), as every step-up does (docs/ui-contract.md).
	p = b.Submit(confirm, "/remove", nil)
	if len(env.Emu.Devices(env.Demo.EmployeeID)) != 1 || !strings.HasPrefix(p.H1(), "Confirm") || p.LinkTo("/auth/login?step_up=1") == "" {
		t.Fatalf("a remove went through without a fresh MFA sign-in, or did not ask for one: %s", p.URL)
	}
	// The confirmation is kept for the step-up alone: the address it comes back to removes
	// nothing by itself, in another session or once used.
	other := env.NewBrowser(t)
	other.SignInEmployee("/devices")
	if q := other.Get("/devices/" + id + "/remove/confirmed"); len(env.Emu.Devices(env.Demo.EmployeeID)) != 1 || q.Path() != "/devices/"+id+"/remove" {
		t.Fatalf("the step-up's return address removed a phone without a confirmation: %s", q.URL)
	}
	p = b.PassStepUpEmployee(p)
	if p.Path() != "/devices" || !strings.Contains(p.Text(), "was removed") || len(env.Emu.Devices(env.Demo.EmployeeID)) != 0 {
		t.Fatalf("after the step-up: %s %q", p.URL, p.Text())
	}
}

// TestStepUpNeedsTheMFAPolicysACR: if PingOne answers a step-up with another sign-on policy
// (a misconfigured tenant), the portal refuses to treat it as MFA.
func TestStepUpNeedsTheMFAPolicysACR(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.ForceACR = "Single_Factor" }))
	b := env.NewBrowser(t)
	activePhone(t, env, b)
	env.Clock.Advance(11 * time.Minute)
	p := b.PassStepUpEmployee(b.Get("/devices/sms/new"))
	if p.Status != http.StatusForbidden || !strings.Contains(p.Text(), "Extra check not completed") {
		t.Fatalf("step-up answered with the wrong acr: %d %s %q", p.Status, p.URL, p.Text())
	}
}

func TestLimitNewDevicesPerUser(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	form := b.SignInEmployee("/devices/sms/new")
	// Five numbers added and removed again (none active, so no step-up): the sixth is refused
	// by the portal, although PingOne would allow it.
	for i := range 5 {
		p := b.Submit(form, "/devices/sms", url.Values{"phone": {"+1 512 520 12" + strconv.Itoa(10+i)}, "region": {"US"}})
		id := deviceID(t, p)
		confirm := b.Get("/devices/" + id + "/remove")
		b.Submit(confirm, "/remove", nil)
	}
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	if p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" || !strings.Contains(p.ByID("phone-error"), "several phones") {
		t.Fatalf("sixth device in an hour: %d %q", p.Status, p.ByID("phone-error"))
	}
	if n := env.Emu.Calls("devices.create"); n != 5 {
		t.Fatalf("%d creates reached PingOne", n)
	}
}

func TestLimitResendsPerHour(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	for i := range 5 {
		env.Clock.Advance(101 * time.Second)
		if p = b.Submit(p, "/resend", nil); p.Status != 200 {
			t.Fatalf("resend %d: %d %q", i+1, p.Status, p.Text())
		}
	}
	env.Clock.Advance(101 * time.Second)
	p = b.Submit(p, "/resend", nil)
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text(), "many codes") {
		t.Fatalf("sixth resend: %d %q", p.Status, p.Text())
	}
	if n := env.Emu.Calls("devices.resend"); n != 5 {
		t.Fatalf("%d resends reached PingOne", n)
	}
}

func TestLimitTextsPerNumberAcrossUsers(t *testing.T) {
	env := portaltest.Start(t)
	emp := env.NewBrowser(t)
	ep := addPhone(t, env, emp, number) // text 1
	// Another person without a phone (the demo's help-desk member has one, so adding would
	// ask for the step-up first).
	env.Emu.AddUser(emulator.SeedUser{Username: "olga.other", Given: "Olga", Family: "Other", Password: "Pw-olga"})
	staff := env.NewBrowser(t)
	form := staff.SignIn("/devices/sms/new", "olga.other", "Pw-olga")
	sp := staff.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}}) // text 2
	env.Clock.Advance(31 * time.Second)
	if ep = emp.Submit(ep, "/resend", nil); ep.Status != 200 { // text 3
		t.Fatalf("third text: %d", ep.Status)
	}
	sp = staff.Submit(sp, "/resend", nil) // a fourth text to the same number within 5 minutes
	if sp.Status != http.StatusTooManyRequests || !strings.Contains(sp.Text(), "this number") {
		t.Fatalf("fourth text to one number: %d %q", sp.Status, sp.Text())
	}
	if n := len(env.Emu.Outbox()); n != 3 {
		t.Fatalf("%d texts sent", n)
	}
}

func TestLimitWrongCodesPerDevice(t *testing.T) {
	env, b, p := lockByWrongCodes(t, func(o *emulator.Options) { o.OTPMaxFailures = 10 })
	p = wantLocked(t, env, b, p, "after 5 wrong codes")
	env.Clock.Advance(16 * time.Minute)
	// By then PingOne's code has expired too: a new one, then the lock is over.
	p = b.Submit(p, "/resend", nil)
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if p.Path() != "/devices" {
		t.Fatalf("after the lock: %d %s", p.Status, p.URL)
	}
}

func signInStarts(t *testing.T, env *portaltest.Env, xff string, n int) []int {
	var codes []int
	for range n {
		req, _ := http.NewRequest("GET", env.URL+"/auth/login", nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	return codes
}

func TestLimitSignInsPerAddressAndTrustedProxies(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("LIMIT_SIGN_IN", "30/1m"))
	codes := signInStarts(t, env, "", 30)
	if codes[29] != http.StatusFound {
		t.Fatalf("30th sign-in: %d", codes[29])
	}
	// A forged X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
	if c := signInStarts(t, env, "203.0.113.9", 1)[0]; c != http.StatusTooManyRequests {
		t.Fatalf("31st sign-in with a forged X-Forwarded-For: %d", c)
	}

	proxied := portaltest.Start(t, portaltest.WithEnv("TRUSTED_PROXIES", "127.0.0.1"), portaltest.WithEnv("LIMIT_SIGN_IN", "30/1m"))
	signInStarts(t, proxied, "203.0.113.1", 30)
	if c := signInStarts(t, proxied, "203.0.113.1", 1)[0]; c != http.StatusTooManyRequests {
		t.Fatalf("31st from one client behind the proxy: %d", c)
	}
	if c := signInStarts(t, proxied, "203.0.113.2", 1)[0]; c != http.StatusFound {
		t.Fatalf("another client behind the proxy: %d", c)
	}
}

// TestSignInLimitTakesIPv6Slash64 (issue #11 item 4): an IPv6 client picks any address in its
// /64 at will, so the per-address limit counts the /64, not the address.
func TestSignInLimitTakesIPv6Slash64(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("TRUSTED_PROXIES", "127.0.0.1"), portaltest.WithEnv("LIMIT_SIGN_IN", "5/1m"))
	for i := range 5 {
		if c := signInStarts(t, env, fmt.Sprintf("2001:db8:7:7::%x", i+1), 1)[0]; c != http.StatusFound {
			t.Fatalf("sign-in %d: %d", i+1, c)
		}
	}
	if c := signInStarts(t, env, "2001:db8:7:7:ffff:1:2:3", 1)[0]; c != http.StatusTooManyRequests {
		t.Fatalf("a 6th address in the same /64 was let through: %d", c)
	}
	if c := signInStarts(t, env, "2001:db8:7:8::1", 1)[0]; c != http.StatusFound {
		t.Fatalf("the next /64 was refused: %d", c)
	}
}

func TestRegionAllowListForEmployeesAndHelpdesk(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("ALLOWED_REGIONS", "US,CA"))
	b := env.NewBrowser(t)
	form := b.SignInEmployee("/devices/sms/new")
	if strings.Contains(form.Body, `value="GB"`) {
		t.Error("the picker offers a region that is not allowed")
	}
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {"+44 7400 123456"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.ByID("phone-error"), "can't be used here") {
		t.Fatalf("employee: %d %q", p.Status, p.ByID("phone-error"))
	}
	s, _ := staffBrowser(t, env)
	verifyCaller(t, env, s, env.Demo.EmployeeID, "erin.employee@example.com")
	hf := s.Get("/helpdesk/users/" + env.Demo.EmployeeID + "/phone/new")
	p = s.Submit(hf, "/phone", url.Values{"phone": {"+44 7400 123456"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.ByID("phone-error"), "can't be used here") {
		t.Fatalf("help desk: %d %q", p.Status, p.ByID("phone-error"))
	}
	if env.Emu.Calls("devices.create") != 0 {
		t.Fatal("a number from a region not allowed reached PingOne")
	}
}

func TestHTTPSCookieAndHeaders(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("PORTAL_PUBLIC_URL", "https://mfa.example.com"))
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(env.URL + "/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-mfa_session=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Domain=") {
		t.Error("a __Host- cookie must not name a domain")
	}
	for _, want := range []string{"max-age=63072000"} {
		if !strings.Contains(resp.Header.Get("Strict-Transport-Security"), want) {
			t.Errorf("HSTS %q", resp.Header.Get("Strict-Transport-Security"))
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self' " + env.Emu.AuthBase()} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Error("CSP allows inline code")
	}
	for _, h := range []string{"Permissions-Policy", "Cross-Origin-Opener-Policy", "Referrer-Policy", "X-Content-Type-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s", h)
		}
	}
	// Over plain HTTP (demo on localhost) there is no HSTS.
	plain := portaltest.Start(t)
	if r := plain.NewBrowser(t).Get("/"); r.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
}

func TestNoInlineScriptsOrStyles(t *testing.T) {
	files, _ := filepath.Glob("../views/*.templ")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		s := string(data)
		if strings.Contains(s, "templ.Raw") || regexp.MustCompile(`<script>|<style|style="|onclick=|onload=|onsubmit=`).MatchString(s) {
			t.Errorf("%s has raw HTML or inline script or style", f)
		}
	}
}

func TestUserDataIsEscaped(t *testing.T) {
	env := portaltest.Start(t)
	evil := `<script>alert(1)</script>`
	env.Emu.AddUser(emulator.SeedUser{Username: "mallory", Given: evil, Family: `"><img src=x>`, Password: "pw"})
	b := env.NewBrowser(t)
	p := b.SignIn("/devices", "mallory", "pw")
	if strings.Contains(p.Body, evil) || strings.Contains(p.Body, `"><img`) || !strings.Contains(p.Body, "&lt;script&gt;") {
		t.Fatal("user data reached the page unescaped")
	}
}

func TestBodySizeLimit(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	p := b.Post("/devices/sms", url.Values{"phone": {strings.Repeat("1", 100<<10)}})
	if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Text(), "larger than") {
		t.Fatalf("100 KB form: %d", p.Status)
	}
}

func TestNoSessionFixation(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	u, _ := url.Parse(env.URL)
	store := session.NewStore(env.Config.SessionKeys, false, time.Hour)
	secret := func() string {
		for _, c := range b.HTTP.Jar.Cookies(u) {
			if c.Name == "mfa_session" {
				req := httptest.NewRequest("GET", "/", nil)
				req.AddCookie(c)
				s, _ := store.Get(req, "mfa_session")
				v, _ := s.Values["csrf"].(string)
				return v
			}
		}
		return ""
	}
	// An attacker plants a session cookie of their own making before the victim signs in.
	b.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "mfa_session", Value: "planted", Path: "/"}})
	pre := b.Get("/auth/login?return_to=/devices")
	before, beforeSecret := cookieValue(b, u), secret()
	p := b.Submit(pre, "/as/authorize", url.Values{"username": {env.Demo.Employee}, "password": {env.Demo.EmployeePass}})
	after, afterSecret := cookieValue(b, u), secret()
	if p.Path() != "/devices" || after == "planted" || after == before {
		t.Fatalf("the session cookie was not replaced at sign-in")
	}
	// Nothing from before sign-in survives: the CSRF secret of the pre-sign-in session (which
	// whoever planted it would know) is not the signed-in one.
	if beforeSecret == "" || afterSecret == "" || beforeSecret == afterSecret {
		t.Fatalf("the CSRF secret was not renewed at sign-in (%q, %q)", beforeSecret, afterSecret)
	}
}

func cookieValue(b *portaltest.Browser, u *url.URL) string {
	for _, c := range b.HTTP.Jar.Cookies(u) {
		if c.Name == "mfa_session" {
			return c.Value
		}
	}
	return ""
}

func TestPrivilegeChangeRenewsTheCSRFSecret(t *testing.T) {
	env := portaltest.Start(t)
	b, p := staffBrowser(t, env)
	old := csrfOf(t, p)
	env.Emu.SetGroups(env.Demo.HelpdeskID)
	env.Clock.Advance(31 * time.Second)
	b.Get("/helpdesk") // 403, and the session loses staff rights
	if r := b.Post("/devices/sms", url.Values{"csrf": {old}, "phone": {number}, "region": {"US"}}); r.Status != http.StatusForbidden {
		t.Fatalf("a form from before the privilege change was accepted: %d", r.Status)
	}
}

func TestStrongerMethodsLink(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("STRONGER_METHODS_URL", "https://intranet.example/passkeys"))
	p := env.NewBrowser(t).SignInEmployee("/devices/sms/new")
	if !strings.Contains(p.Body, `href="https://intranet.example/passkeys"`) || !strings.Contains(p.Text(), "NIST SP 800-63B") {
		t.Fatal("no note about SMS with the link to stronger methods")
	}
}

// TestNoFullNumberInTheSessionCookie opens the session cookie with the portal's own keys right
// after each step that sets a flash message (before the next page consumes it) and looks for the
// number: flash messages carry it masked only.
func TestNoFullNumberInTheSessionCookie(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	store := session.NewStore(env.Config.SessionKeys, false, time.Hour)
	u, _ := url.Parse(env.URL)
	check := func(step string, flash bool) {
		t.Helper()
		found := false
		for _, c := range b.HTTP.Jar.Cookies(u) {
			if c.Name != "mfa_session" {
				continue
			}
			req := httptest.NewRequest("GET", "/", nil)
			req.AddCookie(c)
			s, err := store.Get(req, "mfa_session")
			if err != nil {
				t.Fatalf("%s: cannot open the cookie: %v", step, err)
			}
			all := fmt.Sprint(s.Values)
			found = strings.Contains(all, "flash")
			if strings.Contains(strings.NewReplacer("-", "", " ", "").Replace(all), "5125201234") {
				t.Errorf("%s: the session cookie holds the full number: %s", step, all)
			}
		}
		if found != flash {
			t.Fatalf("%s: a flash message in the cookie: %v, want %v", step, found, flash)
		}
	}
	form := b.SignInEmployee("/devices/sms/new")
	b.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	// The code page names the number itself (issue #25): no banner, so no flash to carry it.
	check("after Send code", false)
	b.HTTP.CheckRedirect = nil
	codePage := b.Get(p.Header.Get("Location"))
	b.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	b.Submit(codePage, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	check("after the code", true)
	b.HTTP.CheckRedirect = nil
	// The banner does not name the number just typed (issue #25); the list shows it in full.
	if p := b.Get("/devices"); !strings.Contains(p.Text(), "Your new phone is set up") || strings.Contains(p.Text(), "•••") {
		t.Errorf("flash: %q", p.Text())
	}
}
