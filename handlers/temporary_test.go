package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// employeeWithPhone gives the demo employee an active phone and MFA on, as someone who has
// been using the portal: the one who calls the help desk when the phone is lost.
func employeeWithPhone(env *portaltest.Env) string {
	id := env.Emu.AddSMSDevice(env.Demo.EmployeeID, "+15125201234", true)
	env.Emu.SetMFAEnabled(env.Demo.EmployeeID, true)
	return id
}

// grantTemporary gives the employee temporary access from the help desk's page p (the caller
// verified) and returns the page it lands on.
func grantTemporary(t *testing.T, b *portaltest.Browser, p *portaltest.Page, duration, reason string) *portaltest.Page {
	t.Helper()
	return b.Submit(p, "/temporary", url.Values{"duration": {duration}, "reason": {reason}})
}

// TestHelpdeskTemporaryAccess is part 1 of issue #23 from the help desk's side: the controls
// only after verification, the lengths up to HELPDESK_BYPASS_MAX, a reason always, the end in
// PingOne, the page's status, the audit record, ending it early; and "Turn MFA off" no longer
// offered.
func TestHelpdeskTemporaryAccess(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("HELPDESK_BYPASS_MAX", "4h"))
	employeeWithPhone(env)
	erin := env.Demo.EmployeeID
	b, _ := staffBrowser(t, env)
	base := "/helpdesk/users/" + erin

	p := b.Get(base)
	if contains(p.Labels(), "Temporary access") || !strings.Contains(p.Text(), "has no temporary access") {
		t.Fatalf("before verification: %v %q", p.Labels(), p.Text())
	}
	p = verifyCaller(t, env, b, erin, "erin.employee@example.com")
	for _, want := range []string{"Temporary access", "Duration", "Reason or ticket"} {
		if !contains(p.Labels(), want) {
			t.Fatalf("no %q once the caller is verified: %v", want, p.Labels())
		}
	}
	if contains(p.Labels(), "Turn MFA off") {
		t.Fatal("Turn MFA off is offered without HELPDESK_ALLOW_MFA_OFF")
	}
	if !strings.Contains(p.Body, `value="1h0m0s"`) || !strings.Contains(p.Body, `value="4h0m0s"`) || strings.Contains(p.Body, `value="24h0m0s"`) {
		t.Fatalf("durations offered under a 4h maximum: %q", p.ByID("duration"))
	}
	if !hasAttr(p.Input("reason"), "required") {
		t.Fatal("the reason is not required")
	}

	refused := []struct{ name, duration, reason, says string }{
		{"no reason", "4h0m0s", "  ", "temporary access always needs one"},
		{"over HELPDESK_BYPASS_MAX", "24h0m0s", "INC-1", "Choose one of the durations offered"},
		{"not offered", "3h0m0s", "INC-1", "Choose one of the durations offered"},
		{"not a duration", "forever", "INC-1", "Choose one of the durations offered"},
	}
	for _, tc := range refused {
		got := grantTemporary(t, b, p, tc.duration, tc.reason)
		if got.Status != http.StatusOK || !strings.Contains(got.Text(), tc.says) || !env.Emu.BypassUntil(erin).IsZero() {
			t.Fatalf("%s: %d %q, bypass %v", tc.name, got.Status, got.Text(), env.Emu.BypassUntil(erin))
		}
	}
	if a := findAudit(t, env, "temporary_access", "refused"); a["detail"] != "no reason" {
		t.Errorf("refusal record %v", a)
	}

	start := env.Clock.Now()
	p = grantTemporary(t, b, p, "4h0m0s", "INC-7 phone lost")
	until := env.Emu.BypassUntil(erin)
	if d := until.Sub(start); d < 4*time.Hour-time.Minute || d > 4*time.Hour+time.Minute {
		t.Fatalf("PingOne keeps the bypass until %s, %s after the request", until, d)
	}
	if !strings.Contains(p.Text(), "Temporary access until ") || !strings.Contains(p.Text(), until.UTC().Format("15:04 UTC")) || !contains(p.Labels(), "End temporary access") {
		t.Fatalf("after granting it: %q %v", p.Text(), p.Labels())
	}
	a := findAudit(t, env, "temporary_access", "success")
	if a["reason"] != "INC-7 phone lost" || a["helpdesk"] != true || !strings.HasPrefix(a["detail"].(string), "until "+until.UTC().Format("2006-01-02T15:04")) || a["request_id"] == "" {
		t.Errorf("audit record %v", a)
	}

	// Turning MFA off is refused at the door, with words, and changes nothing.
	if got := b.Get(base + "/mfa?enabled=false"); got.Status != http.StatusForbidden || got.H1() != "MFA can’t be turned off here" {
		t.Fatalf("MFA off asked for: %d %q", got.Status, got.H1())
	}
	if got := postForm(t, b, p, base+"/mfa", url.Values{"enabled": {"false"}, "reason": {"T-1"}}); got.Status != http.StatusForbidden || !env.Emu.MFAEnabled(erin) {
		t.Fatalf("MFA off posted: %d, MFA on: %v", got.Status, env.Emu.MFAEnabled(erin))
	}

	p = b.Submit(p, "/temporary/end", nil)
	if !env.Emu.BypassUntil(erin).IsZero() || !strings.Contains(p.Text(), "has ended") || !contains(p.Labels(), "Temporary access") {
		t.Fatalf("after ending it: bypass %v, %q", env.Emu.BypassUntil(erin), p.Text())
	}
	findAudit(t, env, "end_temporary_access", "success")
}

// TestMFAOffStillOfferedWhenAllowed keeps today's "Turn MFA off" with HELPDESK_ALLOW_MFA_OFF,
// and "Turn MFA on" for a user whose MFA is off either way.
func TestMFAOffStillOfferedWhenAllowed(t *testing.T) {
	for _, allow := range []bool{false, true} {
		env := portaltest.Start(t, portaltest.WithEnv("HELPDESK_ALLOW_MFA_OFF", map[bool]string{true: "true", false: "false"}[allow]))
		b, _ := staffBrowser(t, env)
		p := verifyCaller(t, env, b, env.Demo.EmployeeID, "erin.employee@example.com")
		if !contains(p.Labels(), "Turn MFA on") {
			t.Fatalf("allow=%v: MFA off, yet no Turn MFA on: %v", allow, p.Labels())
		}
		env.Emu.SetMFAEnabled(env.Demo.EmployeeID, true)
		p = b.Get("/helpdesk/users/" + env.Demo.EmployeeID)
		if contains(p.Labels(), "Turn MFA off") != allow {
			t.Fatalf("allow=%v: Turn MFA off offered: %v", allow, contains(p.Labels(), "Turn MFA off"))
		}
	}
}

// TestPersonOnTemporaryAccess is part 1 from the person's side: the banner on every page, and
// no change to an existing phone (nor one added beside it), in words that send them to the
// help desk.
func TestPersonOnTemporaryAccess(t *testing.T) {
	env := portaltest.Start(t)
	phoneID := employeeWithPhone(env)
	staff, _ := staffBrowser(t, env)
	grantTemporary(t, staff, verifyCaller(t, env, staff, env.Demo.EmployeeID, "erin.employee@example.com"), "1h0m0s", "INC-8")
	until := env.Emu.BypassUntil(env.Demo.EmployeeID).UTC().Format("15:04")

	b := env.NewBrowser(t)
	p := b.SignInEmployee("/devices")
	for _, path := range []string{"/devices", "/", "/devices/" + phoneID + "/rename"} {
		got := b.Get(path)
		if !strings.Contains(got.Text(), "You have temporary access until") || !strings.Contains(got.Text(), until) || got.LinkTo("/devices/sms/new") == "" {
			t.Errorf("%s has no temporary-access banner: %q", path, got.Text())
		}
	}
	for _, path := range []string{"/devices/sms/new", "/devices/" + phoneID + "/remove"} {
		got := b.Get(path)
		if got.Status != http.StatusForbidden || got.H1() != "Not possible with temporary access" || !strings.Contains(got.Text(), "call the help desk") {
			t.Errorf("%s on temporary access: %d %q", path, got.Status, got.Text())
		}
	}
	if got := b.Submit(p, "/auth/logout", nil); got.Path() != "/" {
		t.Fatal(got.URL)
	}
	// Once it has ended, the next sign-in shows no banner.
	env.Clock.Advance(time.Hour + time.Minute)
	if got := b.SignInEmployee("/devices"); strings.Contains(got.Text(), "temporary access") {
		t.Fatalf("banner after the end: %q", got.Text())
	}
}

// TestFirstPhoneOnTemporaryAccess: someone with no active phone adds one on temporary access
// as today; after that, the rule holds for the phone just added as for any.
func TestFirstPhoneOnTemporaryAccess(t *testing.T) {
	env := portaltest.Start(t)
	env.Emu.SetMFAEnabled(env.Demo.EmployeeID, true)
	staff, _ := staffBrowser(t, env)
	grantTemporary(t, staff, verifyCaller(t, env, staff, env.Demo.EmployeeID, "erin.employee@example.com"), "1h0m0s", "INC-9")

	b := env.NewBrowser(t)
	form := b.SignInEmployee("/enroll")
	if form.Path() != "/devices/sms/new" || !strings.Contains(form.Text(), "You have temporary access until") {
		t.Fatalf("first phone on temporary access: %d %s %q", form.Status, form.URL, form.Text())
	}
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if d := env.Emu.Devices(env.Demo.EmployeeID); len(d) != 1 || d[0].Status != "ACTIVE" {
		t.Fatalf("devices %+v after %q", d, p.Text())
	}
	if got := b.Get("/devices/sms/new"); got.Status != http.StatusForbidden || got.H1() != "Not possible with temporary access" {
		t.Fatalf("a second phone on temporary access: %d %q", got.Status, got.H1())
	}
}

// TestStepUpOnTemporaryAccessRefusedInWords: temporary access given after the person signed
// in; their step-up then passes PingOne on the password alone, and the portal refuses it,
// saying why.
func TestStepUpOnTemporaryAccessRefusedInWords(t *testing.T) {
	env := portaltest.Start(t)
	employeeWithPhone(env)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	staff, _ := staffBrowser(t, env)
	grantTemporary(t, staff, verifyCaller(t, env, staff, env.Demo.EmployeeID, "erin.employee@example.com"), "1h0m0s", "INC-10")

	p := b.Get("/devices/sms/new")
	next := p.LinkTo("/auth/login?step_up=1")
	if next == "" {
		t.Fatalf("no step-up offered: %q", p.Text())
	}
	p = b.Submit(b.Get(next), "/as/authorize", url.Values{"username": {env.Demo.Employee}, "password": {env.Demo.EmployeePass}})
	if p.Status != http.StatusForbidden || p.H1() != "Not possible with temporary access" {
		t.Fatalf("step-up on the password alone: %d %q", p.Status, p.Text())
	}
	if !strings.Contains(b.Get("/devices").Text(), "You have temporary access until") {
		t.Fatal("the session did not learn of the temporary access")
	}
}

// waitEmail waits for an email to the address whose text holds want, in the emulator's outbox
// (where demo mode's notices land), and returns its text.
func waitEmail(t *testing.T, env *portaltest.Env, to, want string) string {
	t.Helper()
	for range 200 {
		for _, m := range env.Emu.Emails() {
			if m.To == to && strings.Contains(m.Text, want) {
				return m.Subject + "\n" + m.Text
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no email to %s with %q in %+v", to, want, env.Emu.Emails())
	return ""
}

// TestNoticesLandOnDemoEmail: in demo mode the notices go to the demo's email outbox: temporary
// access given and ended, by the help desk with the reason's ticket only.
func TestNoticesLandOnDemoEmail(t *testing.T) {
	env := portaltest.Start(t)
	employeeWithPhone(env)
	staff, _ := staffBrowser(t, env)
	p := grantTemporary(t, staff, verifyCaller(t, env, staff, env.Demo.EmployeeID, "erin.employee@example.com"), "1h0m0s", "INC-31 lost on a train")
	mail := waitEmail(t, env, "erin.employee@example.com", "You were given temporary access")
	for _, want := range []string{"A change to how you sign in", "Who: the help desk (ticket INC-31).", "call the help desk right away"} {
		if !strings.Contains(mail, want) {
			t.Errorf("notice lacks %q:\n%s", want, mail)
		}
	}
	if strings.Contains(mail, "train") {
		t.Error("the reason beyond its ticket reached the email")
	}
	staff.Submit(p, "/temporary/end", nil)
	waitEmail(t, env, "erin.employee@example.com", "Your temporary access was ended")
	if page := staff.Get("/demo/email"); !strings.Contains(page.Text(), "Your temporary access was ended") {
		t.Errorf("/demo/email does not show the notice: %q", page.Text())
	}
}

// TestMailServerDownNeverUndoesTheChange: with SMTP_URL naming a server that does not answer,
// the change is made and stays made; the failed notice is logged.
func TestMailServerDownNeverUndoesTheChange(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("SMTP_URL", "smtp://127.0.0.1:9"), portaltest.WithEnv("NOTICE_FROM", "helpdesk@example.com"))
	employeeWithPhone(env)
	staff, _ := staffBrowser(t, env)
	p := grantTemporary(t, staff, verifyCaller(t, env, staff, env.Demo.EmployeeID, "erin.employee@example.com"), "1h0m0s", "INC-32")
	if env.Emu.BypassUntil(env.Demo.EmployeeID).IsZero() || !strings.Contains(p.Text(), "Temporary access until") {
		t.Fatalf("the change failed with the mail server: %q", p.Text())
	}
	for range 200 {
		if strings.Contains(env.Logs.String(), "notice not sent; will retry") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(env.Logs.String(), "notice not sent; will retry") {
		t.Fatal("the failed notice was not logged")
	}
	if !env.Emu.BypassUntil(env.Demo.EmployeeID).After(env.Clock.Now()) {
		t.Fatal("the change was undone")
	}
	for _, m := range env.Emu.Emails() {
		if strings.Contains(m.Text, "temporary access") {
			t.Fatal("with SMTP_URL set, the notice went to the demo outbox")
		}
	}
}

// TestNoticesOfReplaceAndRemove: a phone replaced and a phone removed are each told to the
// person by email, naming the phones masked (PingOne announces neither in the portal's words).
func TestNoticesOfReplaceAndRemove(t *testing.T) {
	env := portaltest.Start(t)
	b, form, _, otherID := replaceSetup(t, env)
	code := b.Submit(form, "/replace", url.Values{"phone": {newNumber}})
	if p := b.Submit(code, "/verify", url.Values{"code": {env.Emu.LastCode(newNumber)}}); !replaced(env) {
		t.Fatalf("after the code: %s %q", p.URL, p.Text())
	}
	mail := waitEmail(t, env, "erin.employee@example.com", "was replaced by")
	if !strings.Contains(mail, "1234") || !strings.Contains(mail, "7777") || strings.Contains(mail, "5125201234") {
		t.Errorf("the replacement's notice does not name both phones masked:\n%s", mail)
	}
	if p := b.Submit(b.Get("/devices/"+otherID+"/remove"), "/remove", nil); p.Path() != "/devices" || !strings.Contains(p.Text(), "was removed") {
		t.Fatalf("after remove: %s %q", p.URL, p.Text())
	}
	if mail = waitEmail(t, env, "erin.employee@example.com", "A phone was removed"); !strings.Contains(mail, "9999") || strings.Contains(mail, "5125209999") {
		t.Errorf("the removal's notice does not name the phone masked:\n%s", mail)
	}
}
