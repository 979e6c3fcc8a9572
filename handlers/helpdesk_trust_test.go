package handlers_test

// Issue #21: no way into the help desk with a stolen password, and nothing an agent can be
// talked into reading out. Every test goes through the real router against the emulator.

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// attackerPhone is the thief's own number.
const attackerPhone = "+15125203333"

// TestStolenStaffPasswordOpensNoHelpDesk is the chain, end to end: a help-desk member
// without a phone, a thief with their password only. The thief cannot register a first phone
// in the portal; a phone that reaches the account another way (a sign-on policy that pairs a
// first device, an administrator fooled) passes PingOne's MFA sign-in but opens no help desk
// and approves no colleague's caller until HELPDESK_NEW_PHONE_WAIT has passed; so the
// colleague cannot turn a user's MFA off on the thief's word, and no record names the thief
// as approver.
func TestStolenStaffPasswordOpensNoHelpDesk(t *testing.T) {
	const protectedGroup = "5a3e3c9e-7b1f-4d7e-9c55-2f4b8c1d0a11"
	env := portaltest.Start(t, portaltest.WithEnv("HELPDESK_PROTECTED_GROUP_IDS", protectedGroup),
		portaltest.WithEnv("HELPDESK_NEW_PHONE_WAIT", "24h"))
	samID := env.Emu.AddUser(emulator.SeedUser{Username: "sam.staff", Email: "sam@example.com", Given: "Sam", Family: "Staff",
		Password: "Pw-sam", GroupIDs: []string{env.Demo.HelpdeskGroup}})
	env.Emu.AddUser(emulator.SeedUser{Username: "pat.protected", Email: "pat@example.com", Given: "Pat", Family: "Protected",
		Password: "Pw-pat", GroupIDs: []string{protectedGroup}})
	erin := env.Emu.AddUser(emulator.SeedUser{Username: "ursula.user", Email: "ursula@example.com", Given: "Ursula", Family: "User",
		MFAEnabled: true})

	// 1. The password alone: no first phone for staff, nor for a protected person, in the
	// portal; nothing is made and nothing texted.
	for _, who := range []struct{ user, pass string }{{"sam.staff", "Pw-sam"}, {"pat.protected", "Pw-pat"}} {
		thief := env.NewBrowser(t)
		form := thief.SignIn("/enroll", who.user, who.pass)
		if form.Status != http.StatusForbidden || !strings.Contains(form.Text(), "cannot add their first phone here") {
			t.Fatalf("%s's add-phone form: %d %q", who.user, form.Status, form.Text())
		}
		p := postForm(t, thief, form, "/devices/sms", url.Values{"phone": {attackerPhone}, "region": {"US"}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Ask an administrator to add it for you") {
			t.Fatalf("%s's first phone: %d %q", who.user, p.Status, p.Text())
		}
	}
	if n := env.Emu.Calls("devices.create"); n != 0 || env.Emu.LastCode(attackerPhone) != "" {
		t.Fatalf("a first phone was registered on a password alone: %d creates", n)
	}
	if a := findAudit(t, env, "add_phone", "refused"); !strings.Contains(a["detail"].(string), "administrator") {
		t.Errorf("refused record: %v", a)
	}
	// A phone already waiting for its code (made before the rule) is not activated either.
	const waitingPhone = "+15125204321"
	waiting := env.Emu.AddSMSDevice(samID, waitingPhone, false)
	thief := env.NewBrowser(t)
	code := thief.SignIn("/devices/"+waiting+"/verify", "sam.staff", "Pw-sam")
	if r := thief.Submit(code, "/verify", url.Values{"code": {env.Emu.LastCode(waitingPhone)}}); r.Status != http.StatusForbidden ||
		!strings.Contains(r.Text(), "cannot add their first phone here") || env.Emu.Devices(samID)[0].Status != "ACTIVATION_REQUIRED" ||
		env.Emu.Calls("devices.activate") != 0 {
		t.Fatalf("a waiting first phone's code: %d %q", r.Status, r.Text())
	}

	// 2. The thief's phone reaches the account outside the portal, and PingOne's MFA sign-in
	// texts it: the help desk stays shut, pages and forms alike.
	env.Emu.AddSMSDevice(samID, attackerPhone, true)
	thief = env.NewBrowser(t)
	p := thief.SignIn("/helpdesk", "sam.staff", "Pw-sam")
	p = thief.PassStepUp(p, "sam.staff", "Pw-sam")
	if p.Status != http.StatusForbidden || !strings.Contains(p.Text(), "The help desk is closed to you for now") ||
		strings.Contains(p.Text(), "Find a user") {
		t.Fatalf("the help desk with a phone added a moment ago: %d %q", p.Status, p.Text())
	}
	for _, u := range []string{"/helpdesk?q=ursula", "/helpdesk/users/" + erin, "/helpdesk/users/" + erin + "/verify"} {
		if g := thief.Get(u); g.Status != http.StatusForbidden || strings.Contains(g.Text(), "Ursula") {
			t.Errorf("GET %s: %d %q", u, g.Status, g.Text())
		}
	}

	// 3. A colleague asks for an approval of Ursula's caller; the thief approves it.
	hank, home := staffBrowser(t, env)
	base := "/helpdesk/users/" + erin
	hank.Submit(hank.Get(base+"/verify"), "/verify", url.Values{"method": {"approval"}})
	_, listPage, _ := addStaff(t, env, "olga.observer", "+15125202222")
	m := regexp.MustCompile(`action="(/helpdesk/approvals/[^"]+)"`).FindStringSubmatch(listPage.Body)
	if m == nil {
		t.Fatalf("the approval request is not listed for staff: %q", listPage.Text())
	}
	devices := thief.Get("/devices")
	if r := postForm(t, thief, devices, m[1], nil); r.Status != http.StatusForbidden {
		t.Fatalf("the thief's approval: %d %q", r.Status, r.Text())
	}

	// 4. The colleague is still not verified: MFA stays on, and no record names the thief.
	r := postForm(t, hank, home, base+"/mfa", url.Values{"enabled": {"false"}, "reason": {"user asked"}})
	if r.Status != http.StatusForbidden || !env.Emu.MFAEnabled(erin) {
		t.Fatalf("MFA off after the thief's approval: %d %q", r.Status, r.Text())
	}
	for _, a := range auditRecords(t, env) {
		if a["approver_id"] == samID || (a["action"] == "approve_caller" && a["outcome"] == "success") {
			t.Fatalf("a record names the thief as approver: %v", a)
		}
	}
	if !strings.Contains(env.Logs.String(), `"help desk refused: a phone of the staff member is too new"`) {
		t.Error("the refusal is not logged for the operator")
	}

	// 5. The rule is the wait, not a ban: past HELPDESK_NEW_PHONE_WAIT the phone opens it.
	env.Clock.Advance(25 * time.Hour)
	later := env.NewBrowser(t)
	p = later.PassStepUp(later.SignIn("/helpdesk", "sam.staff", "Pw-sam"), "sam.staff", "Pw-sam")
	if p.Status != http.StatusOK || p.H1() != "Help desk" {
		t.Fatalf("the help desk past the wait: %d %q", p.Status, p.Text())
	}
}

// TestNewPhoneDoesNotVerifyACaller (issue #21 item 2): while any active phone of the user was
// added within HELPDESK_NEW_PHONE_WAIT, no code goes to a phone: the page says why and offers
// the email code and a colleague; a posted choice sends nothing. An old phone verifies.
func TestNewPhoneDoesNotVerifyACaller(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("HELPDESK_NEW_PHONE_WAIT", "12h"))
	erin := env.Demo.EmployeeID
	env.Emu.AgeDevice(erin, env.Emu.AddSMSDevice(erin, erinPhone, true), 48*time.Hour)
	fresh := env.Emu.AddSMSDevice(erin, "+15125208888", true)
	b, _ := staffBrowser(t, env)
	base := "/helpdesk/users/" + erin
	v := b.Get(base + "/verify")
	if !strings.Contains(v.Text(), "Not possible: a phone of Erin Employee was added or changed on") ||
		!strings.Contains(v.Text(), "Use a code to their email or a colleague’s approval") ||
		!contains(v.Labels(), "A code to their email") || !contains(v.Labels(), "A colleague's approval") {
		t.Fatalf("verify page with a new phone: %q %v", v.Text(), v.Labels())
	}
	texts := len(env.Emu.Outbox())
	p := b.Submit(v, "/verify", url.Values{"method": {"sms"}})
	if p.Status != http.StatusUnprocessableEntity || len(env.Emu.Outbox()) != texts || contains(p.Labels(), "Caller's code") {
		t.Fatalf("a code to a new phone: %d, %d texts %q", p.Status, len(env.Emu.Outbox())-texts, p.Text())
	}
	// Past the wait, the phone verifies like any other.
	env.Emu.AgeDevice(erin, fresh, 13*time.Hour)
	p = b.Submit(b.Get(base+"/verify"), "/verify", url.Values{"method": {"sms"}})
	if p.Status != http.StatusOK || !contains(p.Labels(), "Caller's code") || len(env.Emu.Outbox()) != texts+1 {
		t.Fatalf("a code to old phones: %d %q", p.Status, p.Text())
	}
}

// TestContactDetailsMaskedUntilVerified (issue #21 item 3): before the caller is verified the
// user's page and the search show numbers and addresses masked exactly as the verify page
// does; once verified, the user's page shows them whole.
func TestContactDetailsMaskedUntilVerified(t *testing.T) {
	env := portaltest.Start(t)
	erin := env.Demo.EmployeeID
	env.Emu.AgeDevice(erin, env.Emu.AddSMSDevice(erin, erinPhone, true), 48*time.Hour)
	b, _ := staffBrowser(t, env)
	base := "/helpdesk/users/" + erin
	whole := []string{"erin.employee@example.com", "512-520-9876", "5125209876"}
	verify := b.Get(base + "/verify")
	for _, page := range []*portaltest.Page{b.Get(base), b.Get("/helpdesk?q=erin"), verify} {
		for _, leak := range whole {
			if strings.Contains(page.Body, leak) {
				t.Errorf("%s shows %q before the caller is verified", page.URL, leak)
			}
		}
		if !strings.Contains(page.Text(), "e•••@example.com") {
			t.Errorf("%s: no masked address in %q", page.URL, page.Text())
		}
	}
	for _, page := range []*portaltest.Page{b.Get(base), verify} {
		if !strings.Contains(page.Text(), "+1 •••-•••-9876") {
			t.Errorf("%s: no masked number in %q", page.URL, page.Text())
		}
	}
	p := verifyCaller(t, env, b, erin, "erin.employee@example.com")
	if !strings.Contains(p.Text(), "+1 512-520-9876") || !strings.Contains(p.Text(), "erin.employee@example.com") {
		t.Fatalf("the user's page once verified: %q", p.Text())
	}
}

// TestHelpdeskSearchCannotListTheDirectory (issue #21 item 4): the 36 one-character searches
// list nobody; a short query finds only an exact username or address, and a user ID finds its
// user; each search is an audit record with the count, never the term; LIMIT_HELPDESK_SEARCH
// stops an agent, in words.
func TestHelpdeskSearchCannotListTheDirectory(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("LIMIT_HELPDESK_SEARCH", "41/1h"))
	zqID := env.Emu.AddUser(emulator.SeedUser{Username: "zq", Email: "zq@example.com", Given: "Zed", Family: "Quinn"})
	b, _ := staffBrowser(t, env)
	for _, ch := range "abcdefghijklmnopqrstuvwxyz0123456789" {
		p := b.Get("/helpdesk?q=" + string(ch))
		if p.Status != http.StatusUnprocessableEntity || strings.Contains(p.Body, `href="/helpdesk/users/`) {
			t.Fatalf("search %q: %d %q", ch, p.Status, p.Text())
		}
	}
	for _, tc := range []struct{ q, want string }{
		{"zq", "Zed Quinn"}, {"ZQ@example.com", "Zed Quinn"}, {zqID, "Zed Quinn"}, {env.Demo.EmployeeID, "Erin Employee"},
	} {
		p := b.Get("/helpdesk?" + url.Values{"q": {tc.q}}.Encode())
		if p.Status != http.StatusOK || !contains(p.Labels(), tc.want) || strings.Count(p.Body, `href="/helpdesk/users/`) != 1 {
			t.Errorf("search %q: %d %q", tc.q, p.Status, p.Text())
		}
	}
	b.Get("/helpdesk?q=quixotic")
	var searches, found int
	for _, a := range auditRecords(t, env) {
		if a["action"] != "search_users" {
			continue
		}
		searches++
		if a["outcome"] == "success" {
			found++
			if _, ok := a["results"]; !ok {
				t.Errorf("a search record without its count: %v", a)
			}
		}
	}
	if searches != 41 || found != 5 {
		t.Errorf("%d search records (%d found), want 41 (5)", searches, found)
	}
	for _, term := range []string{"quixotic", "ZQ@example.com", "zq@example.com"} {
		if strings.Contains(env.Logs.String(), term) {
			t.Errorf("the log holds the search term %q", term)
		}
	}
	if a := auditsOf(t, env, "search_users"); a[len(a)-1]["results"] != float64(0) {
		t.Errorf("the last search's record: %v", a[len(a)-1])
	}
	// The agent's 42nd search in the hour is refused, in words, and asks PingOne nothing.
	before := env.Emu.Calls("users.search")
	p := b.Get("/helpdesk?q=erin")
	if p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" ||
		!strings.Contains(p.Text(), "You have searched the directory many times") || env.Emu.Calls("users.search") != before {
		t.Fatalf("search over the limit: %d %q", p.Status, p.Text())
	}
}

// TestReasonsAreMasked (issue #21 item 5): a number and a code typed into a reason reach
// neither the audit record nor the page as typed; a ticket reference stays readable.
func TestReasonsAreMasked(t *testing.T) {
	env := portaltest.Start(t)
	erin := env.Demo.EmployeeID
	b, home := staffBrowser(t, env)
	base := "/helpdesk/users/" + erin
	reason := "new phone +1 512 520 1234, code 123456, INC0012345"
	want := "new phone +• ••• ••• ••••, code ••••••, INC0012345"
	// Refused before verification: the refusal's record masks it too.
	postForm(t, b, home, base+"/mfa", url.Values{"enabled": {"true"}, "reason": {reason}})
	verifyCaller(t, env, b, erin, "erin.employee@example.com")
	// A refused number shows the form again with the reason as it is kept.
	form := b.Get(base + "/phone/new")
	p := b.Submit(form, "/phone", url.Values{"phone": {"12"}, "region": {"US"}, "reason": {reason}})
	if p.Input("reason")["value"] != want {
		t.Errorf("the reason shown again: %q", p.Input("reason")["value"])
	}
	b.Submit(b.Get(base+"/mfa?enabled=true"), "/mfa", url.Values{"reason": {reason}})
	for _, outcome := range []string{"refused", "success"} {
		if a := findAudit(t, env, "set_mfa_enabled", outcome); a["reason"] != want {
			t.Errorf("%s record's reason: %q", outcome, a["reason"])
		}
	}
	for _, leak := range []string{"512 520 1234", "123456"} {
		if strings.Contains(env.Logs.String(), leak) {
			t.Errorf("the log holds %q", leak)
		}
	}
}

// TestCallerCodesPerAgentAndPerUser (issue #21 item 7): the help desk's caller codes go
// through internal/limits: so many per agent and user (LIMIT_HELPDESK_CALLER_CODES), so one
// agent cannot use up the user's codes for everybody, and a ceiling per user whoever asks
// (LIMIT_HELPDESK_CALLER_CODES_USER).
func TestCallerCodesPerAgentAndPerUser(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("LIMIT_HELPDESK_CALLER_CODES", "2/1h"),
		portaltest.WithEnv("LIMIT_HELPDESK_CALLER_CODES_USER", "3/1h"))
	base := "/helpdesk/users/" + env.Demo.EmployeeID
	hank, hankHome := staffBrowser(t, env)
	hilda, hildaHome, _ := addStaff(t, env, "hilda.helpdesk", "+15125206666")
	send := func(b *portaltest.Browser, home *portaltest.Page) *portaltest.Page {
		return postForm(t, b, home, base+"/verify", url.Values{"method": {"email"}})
	}
	for i := range 2 {
		if p := send(hank, hankHome); p.Status != http.StatusOK {
			t.Fatalf("Hank's code %d: %d %q", i+1, p.Status, p.Text())
		}
	}
	if p := send(hank, hankHome); p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text(), "Too many codes") {
		t.Fatalf("Hank's third code: %d %q", p.Status, p.Text())
	}
	if p := send(hilda, hildaHome); p.Status != http.StatusOK {
		t.Fatalf("a colleague's first code after Hank used his: %d %q", p.Status, p.Text())
	}
	if p := send(hilda, hildaHome); p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" {
		t.Fatalf("the user's fourth code: %d %q", p.Status, p.Text())
	}
	if n := len(env.Emu.Emails()); n != 3 {
		t.Fatalf("%d codes emailed, want 3", n)
	}
}
