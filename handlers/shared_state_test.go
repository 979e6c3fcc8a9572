package handlers_test

// Tests through the real router of the limits and sessions kept in the shared store (issue #11
// items 3, 4 and 6; issue #12's fail-closed rule).

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
	"github.com/smsmfa/portal/testkit/redistest"
)

// getWithCookie loads u with only the given session cookie, not following redirects: what an
// attacker holding a copy of the cookie would send.
func getWithCookie(t *testing.T, env *portaltest.Env, path, cookie string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", env.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "mfa_session", Value: cookie})
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestSignOutEndsACopiedCookie (issue #11 item 6): after sign-out, a copy of the session cookie
// taken before it no longer opens the session.
func TestSignOutEndsACopiedCookie(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := b.SignInEmployee("/devices")
	copied := cookieValue(b, mustURL(env.URL))
	if resp := getWithCookie(t, env, "/devices", copied); resp.StatusCode != http.StatusOK {
		t.Fatalf("the copied cookie does not work before sign-out: %d", resp.StatusCode)
	}
	b.Submit(p, "/auth/logout", nil)
	resp := getWithCookie(t, env, "/devices", copied)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/auth/login") {
		t.Fatalf("after sign-out the copied cookie still opens /devices: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !strings.Contains(env.Logs.String(), "signed out on the server") {
		t.Error("no log line says why the session ended")
	}
}

// TestDisabledAccountLosesItsSession (issue #11 item 6): a person disabled in PingOne loses
// their session at their first request after the one-minute check, and is told why.
func TestDisabledAccountLosesItsSession(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	env.Emu.SetUserEnabled(env.Demo.EmployeeID, false)
	env.Clock.Advance(61 * time.Second)
	p := b.Get("/devices")
	if p.Status != http.StatusForbidden || !strings.Contains(p.Text(), "Your account is disabled") {
		t.Fatalf("a disabled person's request: %d %q", p.Status, p.Text())
	}
	env.Emu.SetUserEnabled(env.Demo.EmployeeID, true)
	p = b.Get("/devices")
	if p.Path() == "/devices" && p.Status == http.StatusOK && !strings.Contains(p.Body, `name="password"`) {
		t.Fatal("the session survived the account being disabled")
	}
}

// TestWrongCodesLockForTheWholeSpan (issue #11 item 4): five wrong codes, then no code at all
// for 15 minutes, not one more every 3 minutes.
func TestWrongCodesLockForTheWholeSpan(t *testing.T) {
	env, b, p := lockByWrongCodes(t, func(o *emulator.Options) { o.OTPMaxFailures = 10; o.OTPLifetime = time.Hour })
	for _, after := range []time.Duration{4 * time.Minute, 6 * time.Minute} {
		env.Clock.Advance(after)
		p = wantLocked(t, env, b, p, "during the lock, "+after.String()+" later")
	}
	env.Clock.Advance(6 * time.Minute)
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if p.Path() != "/devices" {
		t.Fatalf("after the lock: %d %s %q", p.Status, p.URL, p.ByID("code-error"))
	}
}

// TestParallelResendsCannotRaceTheLimit (issue #11 item 4): ten resends at once, while PingOne
// is slow, send one text: the slot is taken before PingOne is asked.
func TestParallelResendsCannotRaceTheLimit(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	env.Clock.Advance(31 * time.Second)
	env.Emu.SetLatency(150 * time.Millisecond)
	before := len(env.Emu.Outbox())
	var wg sync.WaitGroup
	statuses := make([]int, 10)
	for i := range statuses {
		wg.Go(func() { statuses[i] = b.Submit(p, "/resend", nil).Status })
	}
	wg.Wait()
	if sent := len(env.Emu.Outbox()) - before; sent != 1 {
		t.Fatalf("%d texts sent by 10 parallel resends (statuses %v); the cool-down allows 1", sent, statuses)
	}
	refused := 0
	for _, s := range statuses {
		if s == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused != 9 {
		t.Fatalf("statuses %v: want 9 refusals in words (429)", statuses)
	}
}

// TestStaffTextLimits (issue #11 item 3): one staff member's texts are bounded per hour, and so
// are the whole help desk's, with their own words; the person's own texts are not counted
// against the help desk.
func TestStaffTextLimits(t *testing.T) {
	for _, tc := range []struct {
		name, env, words string
	}{
		{"per acting person", "LIMIT_ACTOR_TEXTS", "You have sent many codes"},
		{"help desk budget", "LIMIT_HELPDESK_TEXTS", "The help desk has sent as many codes as it may"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t, portaltest.WithEnv(tc.env, "2/1h"))
			s, _ := staffBrowser(t, env)
			verifyCaller(t, env, s, env.Demo.EmployeeID, "erin.employee@example.com")
			base := "/helpdesk/users/" + env.Demo.EmployeeID
			before := len(env.Emu.Outbox()) // the staff member's own step-up code
			numbers := []string{"+1 512 520 1234", "+1 512 520 1235", "+1 512 520 1236"}
			var p *portaltest.Page
			for i, n := range numbers {
				form := s.Get(base + "/phone/new")
				p = s.Submit(form, "/phone", url.Values{"phone": {n}, "region": {"US"}})
				if i < 2 && p.Status != http.StatusOK {
					t.Fatalf("staff text %d: %d %q", i+1, p.Status, p.Text())
				}
			}
			if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text(), tc.words) {
				t.Fatalf("third staff text: %d %q", p.Status, p.Text())
			}
			if n := len(env.Emu.Outbox()) - before; n != 2 {
				t.Fatalf("%d texts sent", n)
			}
			// The employee's own text is theirs, not the help desk's.
			emp := env.NewBrowser(t)
			if p := addPhone(t, env, emp, "+1 512 520 1237"); p.Status != http.StatusOK {
				t.Fatalf("the employee's own phone: %d %q", p.Status, p.Text())
			}
		})
	}
}

// TestRedisDownFailsClosed (issue #12): with the portal on Redis, Redis dying mid-journey sends
// nothing, says so in words (never a stack trace) with a log line, reports Redis down at
// /healthz/deps (not /readyz), and the portal recovers by itself when Redis is back.
func TestRedisDownFailsClosed(t *testing.T) {
	rs := redistest.Start(t)
	env := portaltest.Start(t, portaltest.WithEnv("REDIS_URL", rs.URL(0)), portaltest.WithEnv("REDIS_KEY_PREFIX", "test:"))
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	keys, err := rs.Do("DBSIZE")
	if err != nil || keys == "0" {
		t.Fatalf("nothing in Redis after a text: %q %v", keys, err)
	}
	env.Clock.Advance(31 * time.Second)
	sent := len(env.Emu.Outbox())

	rs.Kill()
	p = b.Submit(p, "/resend", nil)
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Text(), "cannot check its safety limits") ||
		strings.Contains(p.Body, "goroutine") {
		t.Fatalf("resend with Redis down: %d %q", p.Status, p.Text())
	}
	if n := len(env.Emu.Outbox()); n != sent {
		t.Fatalf("a text was sent while the limits could not be checked")
	}
	if !strings.Contains(env.Logs.String(), "store unavailable") {
		t.Error("no log line names the store outage")
	}
	// The instance stays ready (Redis is every instance's: issue #24); the outage is reported
	// apart.
	if r := b.Get("/readyz"); r.Status != http.StatusOK {
		t.Fatalf("/readyz with Redis down: %d", r.Status)
	}
	if r := b.Get("/healthz/deps"); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, `"redis":{"up":false`) {
		t.Fatalf("/healthz/deps with Redis down: %d %s", r.Status, r.Body)
	}

	rs.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for r := b.Get("/healthz/deps"); !strings.Contains(r.Body, `"redis":{"up":true`); r = b.Get("/healthz/deps") {
		if time.Now().After(deadline) {
			t.Fatalf("/healthz/deps did not see Redis back: %s", r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Redis came back empty (no persistence here): the session is gone, so the person signs in
	// again and finishes the journey with the code already texted.
	p = b.SignInEmployee("/devices")
	id := env.Emu.Devices(env.Demo.EmployeeID)[0].ID
	p = b.Get("/devices/" + id + "/verify")
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if p.Path() != "/devices" || env.Emu.Devices(env.Demo.EmployeeID)[0].Status != "ACTIVE" {
		t.Fatalf("after Redis came back: %d %s %q", p.Status, p.URL, p.Text())
	}
}

// TestSignOutHintsPingOneFromTheRecord: the sign-in's ID token lives in the session's record
// on the server, not in the cookie (which every request carries), and sign-out still hands it
// to PingOne's sign-out as id_token_hint (the record here round-trips through Redis).
func TestSignOutHintsPingOneFromTheRecord(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("REDIS_URL", redistest.Start(t).URL(0)))
	b := env.NewBrowser(t)
	p := b.SignInEmployee("/devices")
	cookie := cookieValue(b, mustURL(env.URL))
	if len(cookie) > 1400 {
		t.Errorf("session cookie of %d bytes: the ID token is back in it?", len(cookie))
	}
	var hint string
	b.HTTP.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if strings.HasSuffix(req.URL.Path, "/signoff") {
			hint = req.URL.Query().Get("id_token_hint")
		}
		return nil
	}
	b.Submit(p, "/auth/logout", nil)
	parts := strings.Split(hint, ".")
	if len(parts) != 3 {
		t.Fatalf("sign-out sent PingOne the hint %q, want the ID token", hint)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || !strings.Contains(string(payload), `"sub":"`+env.Demo.EmployeeID+`"`) {
		t.Errorf("the hint is not the employee's ID token: %s %v", payload, err)
	}
}

// TestCallerCodesCountAgainstStaffTexts: a code the help desk texts to verify a caller is a
// text like any other: it counts against the staff member's texts (and the help desk's), and
// once they are used up the verify page says so in words and PingOne sends nothing.
func TestCallerCodesCountAgainstStaffTexts(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("LIMIT_ACTOR_TEXTS", "1/1h"))
	erin := env.Demo.EmployeeID
	env.Emu.AgeDevice(erin, env.Emu.AddSMSDevice(erin, erinPhone, true), 48*time.Hour)
	s, _ := staffBrowser(t, env)
	base := "/helpdesk/users/" + erin
	before := len(env.Emu.Outbox())
	v := s.Submit(s.Get(base+"/verify"), "/verify", url.Values{"method": {"sms"}})
	if !strings.Contains(v.Text(), "A code was sent to") {
		t.Fatalf("first code: %d %q", v.Status, v.Text())
	}
	p := postForm(t, s, v, base+"/verify", url.Values{"method": {"sms"}})
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text(), "You have sent many codes") {
		t.Fatalf("second code over the staff member's texts: %d %q", p.Status, p.Text())
	}
	if n := len(env.Emu.Outbox()) - before; n != 1 {
		t.Errorf("%d texts sent, want 1", n)
	}
	if a := findAudit(t, env, "verify_caller", "refused"); a["detail"] == "" {
		t.Errorf("refusal record %v", a)
	}
}
