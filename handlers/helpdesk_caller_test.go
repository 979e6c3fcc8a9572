package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// erinPhone is the active phone the tests below give the demo's employee.
const erinPhone = "+15125209876"

// postForm posts fields with the CSRF token of page p, as a form on that page would.
func postForm(t *testing.T, b *portaltest.Browser, p *portaltest.Page, path string, fields url.Values) *portaltest.Page {
	t.Helper()
	m := csrfRe.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token on %s", p.URL)
	}
	vals := url.Values{"csrf": {m[1]}}
	for k, v := range fields {
		vals[k] = v
	}
	return b.Post(path, vals)
}

// state is what PingOne holds for a user: devices (ID, status, lock, order) and mfaEnabled.
func state(env *portaltest.Env, userID string) string {
	var b strings.Builder
	for _, d := range env.Emu.Devices(userID) {
		b.WriteString(d.ID + "/" + d.Status + "/" + map[bool]string{true: "locked", false: ""}[d.Locked] + ";")
	}
	return b.String() + map[bool]string{true: "mfa", false: "nomfa"}[env.Emu.MFAEnabled(userID)]
}

func auditsOf(t *testing.T, env *portaltest.Env, action string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, a := range auditRecords(t, env) {
		if a["action"] == action {
			out = append(out, a)
		}
	}
	return out
}

// TestHelpdeskNeedsAFreshMFASignIn (issue #11): a password alone opens no help-desk page and
// changes nothing; the MFA sign-in holds for HELPDESK_STEP_UP_MAX_AGE, then is asked again.
// The demo's help-desk member has an active phone, so the step-up works, its code in the
// demo's outbox.
func TestHelpdeskNeedsAFreshMFASignIn(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("HELPDESK_STEP_UP_MAX_AGE", "5m"))
	b := env.NewBrowser(t)
	base := "/helpdesk/users/" + env.Demo.EmployeeID
	p := b.SignIn("/helpdesk", env.Demo.Helpdesk, env.Demo.HelpdeskPass)
	for _, u := range []string{"/helpdesk", "/helpdesk?q=erin", base, base + "/verify", base + "/phone/new", base + "/mfa?enabled=false"} {
		g := b.Get(u)
		if g.Status != 200 || g.H1() != "Confirm it’s you to use the help desk" || strings.Contains(g.Text(), "Erin") ||
			g.LinkTo("/auth/login?step_up=1") == "" {
			t.Errorf("GET %s with a password only: %d %q", u, g.Status, g.Text())
		}
	}
	before := state(env, env.Demo.EmployeeID)
	for _, u := range []string{base + "/phone", base + "/verify", base + "/mfa"} {
		g := postForm(t, b, p, u, url.Values{"phone": {number}, "region": {"US"}, "method": {"email"}, "enabled": {"true"}, "reason": {"x"}})
		if g.Status != http.StatusForbidden || !strings.Contains(g.Text(), "Confirm it’s you first") {
			t.Errorf("POST %s with a password only: %d %q", u, g.Status, g.Text())
		}
	}
	if state(env, env.Demo.EmployeeID) != before || len(env.Emu.Emails()) != 0 {
		t.Fatal("a request with a password only changed something or sent a code")
	}

	// The step-up's code goes to the help-desk member's own phone, and shows in the outbox.
	p = b.PassStepUp(b.Get("/helpdesk"), env.Demo.Helpdesk, env.Demo.HelpdeskPass)
	if p.Path() != "/helpdesk" || p.H1() != "Help desk" {
		t.Fatalf("after the step-up: %s %q", p.URL, p.Text())
	}
	if sms := env.Emu.Outbox(); len(sms) == 0 || sms[0].To != env.Demo.HelpdeskPhone {
		t.Fatalf("the step-up code did not go to the help-desk phone: %+v", sms)
	}
	if out := b.Get("/demo/sms"); !strings.Contains(out.Text(), env.Emu.Outbox()[0].Code) {
		t.Error("the step-up code is not on the demo's outbox page")
	}
	if g := b.Get(base); g.H1() != "Erin Employee" {
		t.Fatalf("user page after the step-up: %q", g.Text())
	}
	// Past HELPDESK_STEP_UP_MAX_AGE the help desk asks again, and a form posted meanwhile
	// changes nothing.
	env.Clock.Advance(6 * time.Minute)
	if g := b.Get(base); g.H1() != "Confirm it’s you to use the help desk" {
		t.Fatalf("an old MFA sign-in still opens the help desk: %q", g.Text())
	}
	if g := postForm(t, b, p, base+"/verify", url.Values{"method": {"email"}}); g.Status != http.StatusForbidden || len(env.Emu.Emails()) != 0 {
		t.Fatalf("an old MFA sign-in still acts: %d", g.Status)
	}
}

// TestHelpdeskCannotChangeItsOwnPeople (issue #11): staff cannot change their own account (it
// goes through self-service), other staff, or members of HELPDESK_PROTECTED_GROUP_IDS: the
// page says why, and every change, verification included, is refused before PingOne is asked.
func TestHelpdeskCannotChangeItsOwnPeople(t *testing.T) {
	const protectedGroup = "5a3e3c9e-7b1f-4d7e-9c55-2f4b8c1d0a11"
	env := portaltest.Start(t, portaltest.WithEnv("HELPDESK_PROTECTED_GROUP_IDS", protectedGroup))
	patID := env.Emu.AddUser(emulator.SeedUser{Username: "pat.protected", Email: "pat@example.com", Given: "Pat", Family: "Protected",
		GroupIDs: []string{protectedGroup}})
	patPhone := env.Emu.AddSMSDevice(patID, "+15125207777", true)
	hildaID := env.Emu.AddUser(emulator.SeedUser{Username: "hilda.helpdesk", Email: "hilda@example.com", Given: "Hilda", Family: "Helpdesk",
		GroupIDs: []string{env.Demo.HelpdeskGroup}})
	hildaPhone := env.Emu.AddSMSDevice(hildaID, "+15125206666", true)
	hankPhone := env.Emu.Devices(env.Demo.HelpdeskID)[0].ID
	b, home := staffBrowser(t, env)

	for _, tc := range []struct {
		name, id, device, why string
	}{
		{"own account", env.Demo.HelpdeskID, hankPhone, "This is your own account"},
		{"other staff", hildaID, hildaPhone, "Hilda Helpdesk is help-desk staff"},
		{"protected group", patID, patPhone, "Pat Protected is in a protected group"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := "/helpdesk/users/" + tc.id
			page := b.Get(base)
			if page.Status != 200 || !strings.Contains(page.Text(), tc.why) || contains(page.Labels(), "Verify caller") ||
				contains(page.Labels(), "Add phone") || contains(page.Labels(), "Remove") {
				t.Fatalf("user page: %d %q %v", page.Status, page.Text(), page.Labels())
			}
			before, emails, texts := state(env, tc.id), len(env.Emu.Emails()), len(env.Emu.Outbox())
			for _, g := range []string{base + "/verify", base + "/phone/new", base + "/mfa?enabled=false", base + "/devices/" + tc.device + "/remove"} {
				if r := b.Get(g); r.Status != http.StatusForbidden || !strings.Contains(r.Text(), tc.why) {
					t.Errorf("GET %s: %d %q", g, r.Status, r.Text())
				}
			}
			for _, path := range []string{"/verify", "/verify/code", "/phone", "/mfa", "/devices/" + tc.device + "/remove",
				"/devices/" + tc.device + "/unlock", "/devices/" + tc.device + "/default", "/devices/" + tc.device + "/resend"} {
				for _, method := range []string{"sms", "email", "approval"} {
					r := postForm(t, b, home, base+path, url.Values{"method": {method}, "phone": {number}, "region": {"US"},
						"enabled": {"false"}, "reason": {"T-1"}, "code": {"123456"}})
					if r.Status != http.StatusForbidden || !strings.Contains(r.Text(), tc.why) {
						t.Errorf("POST %s (%s): %d %q", path, method, r.Status, r.Text())
					}
				}
			}
			if state(env, tc.id) != before || len(env.Emu.Emails()) != emails || len(env.Emu.Outbox()) != texts {
				t.Fatal("a refused request changed the account or sent a code")
			}
		})
	}
	if got := b.Get("/helpdesk"); strings.Contains(got.Text(), "Waiting for your approval") {
		t.Error("a refused approval request was listed")
	}
	for _, a := range auditsOf(t, env, "add_phone") {
		if a["outcome"] != "refused" || !strings.HasPrefix(a["detail"].(string), "protected: ") {
			t.Errorf("record of a refused change: %v", a)
		}
	}
}

// TestTurningMFAOffAlwaysNeedsAReason (issue #11): even without HELPDESK_REASON_REQUIRED.
func TestTurningMFAOffAlwaysNeedsAReason(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("HELPDESK_ALLOW_MFA_OFF", "true"))
	b, _ := staffBrowser(t, env)
	base := "/helpdesk/users/" + env.Demo.EmployeeID
	verifyCaller(t, env, b, env.Demo.EmployeeID, "erin.employee@example.com")
	// On needs none.
	b.Submit(b.Get(base+"/mfa?enabled=true"), "/mfa", nil)
	if !env.Emu.MFAEnabled(env.Demo.EmployeeID) {
		t.Fatal("MFA not turned on")
	}
	confirm := b.Get(base + "/mfa?enabled=false")
	if !contains(confirm.Labels(), "Reason or ticket") || !hasAttr(confirm.Input("reason"), "required") {
		t.Fatalf("the confirmation does not ask for a reason: %v", confirm.Labels())
	}
	p := b.Submit(confirm, "/mfa", url.Values{"reason": {"   "}})
	if !env.Emu.MFAEnabled(env.Demo.EmployeeID) || !strings.Contains(p.Text(), "turning MFA off always needs one") {
		t.Fatalf("MFA turned off without a reason: %q", p.Text())
	}
	b.Submit(confirm, "/mfa", url.Values{"reason": {"INC-9 user travels without phone"}})
	if env.Emu.MFAEnabled(env.Demo.EmployeeID) {
		t.Fatal("MFA still on")
	}
	if a := findAudit(t, env, "set_mfa_enabled", "refused"); a["detail"] != "no reason" {
		t.Errorf("refused record %v", a)
	}
}

// TestNoHelpdeskChangeWithoutVerification (issue #16): every change the help desk can make is
// refused, before PingOne is asked, without a verification of the caller by this agent for
// this user that still holds: none at all, an expired one, one for another user, one made by
// another agent. The same request goes through once the caller is verified.
func TestNoHelpdeskChangeWithoutVerification(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("HELPDESK_VERIFICATION_TTL", "3m"))
	erin := env.Demo.EmployeeID
	active := env.Emu.AddSMSDevice(erin, erinPhone, true)
	second := env.Emu.AddSMSDevice(erin, "+15125208888", true)
	waiting := env.Emu.AddSMSDevice(erin, "+15125205555", false)
	env.Emu.LockDevice(erin, second)
	olgaID := env.Emu.AddUser(emulator.SeedUser{Username: "olga.other", Email: "olga@example.com", Given: "Olga", Family: "Other"})
	hilda, _, _ := addStaff(t, env, "hilda.helpdesk", "+15125206666")
	hank, home := staffBrowser(t, env)
	base := "/helpdesk/users/" + erin

	actions := []struct {
		name, path string
		fields     url.Values
		get        string
	}{
		{"add phone", "/phone", url.Values{"phone": {number}, "region": {"US"}}, "/phone/new"},
		{"enter code", "/devices/" + waiting + "/verify", url.Values{"code": {"123456"}}, "/devices/" + waiting + "/verify"},
		{"resend", "/devices/" + waiting + "/resend", nil, ""},
		{"remove", "/devices/" + active + "/remove", nil, "/devices/" + active + "/remove"},
		{"unlock", "/devices/" + second + "/unlock", nil, "/devices/" + second + "/unlock"},
		{"make default", "/devices/" + second + "/default", nil, "/devices/" + second + "/default"},
		{"MFA on", "/mfa", url.Values{"enabled": {"true"}}, "/mfa?enabled=true"},
		{"MFA off", "/mfa", url.Values{"enabled": {"false"}, "reason": {"T-9"}}, "/mfa?enabled=false"},
	}
	refusedAll := func(t *testing.T, how string) {
		t.Helper()
		before, creates, texts := state(env, erin), env.Emu.Calls("devices.create"), len(env.Emu.Outbox())
		for _, a := range actions {
			f := url.Values{"reason": {"T-1"}}
			for k, v := range a.fields {
				f[k] = v
			}
			if p := postForm(t, hank, home, base+a.path, f); p.Status != http.StatusForbidden || p.H1() != "Verify the caller first" {
				t.Errorf("%s, %s: %d %q", how, a.name, p.Status, p.H1())
			}
			if a.get != "" {
				if p := hank.Get(base + a.get); p.Path() != base+"/verify" || !strings.Contains(p.Text(), "Verify the caller before you change anything") {
					t.Errorf("%s, GET %s: %s %q", how, a.name, p.URL, p.Text())
				}
			}
		}
		if state(env, erin) != before || env.Emu.Calls("devices.create") != creates || len(env.Emu.Outbox()) != texts {
			t.Fatalf("%s: a change went through (%s → %s)", how, before, state(env, erin))
		}
	}

	t.Run("never verified", func(t *testing.T) { refusedAll(t, "never verified") })
	t.Run("verified for another user", func(t *testing.T) {
		verifyCaller(t, env, hank, olgaID, "olga@example.com")
		refusedAll(t, "verified for another user")
	})
	t.Run("verified by another agent", func(t *testing.T) {
		verifyCaller(t, env, hilda, erin, "erin.employee@example.com")
		refusedAll(t, "verified by another agent")
	})
	t.Run("expired", func(t *testing.T) {
		verifyCaller(t, env, hank, erin, "erin.employee@example.com")
		// Still good within the TTL: the page offers the changes.
		if p := hank.Get(base); !contains(p.Labels(), "Add phone") {
			t.Fatalf("verified page: %v", p.Labels())
		}
		env.Clock.Advance(3*time.Minute + time.Second)
		if p := hank.Get(base); contains(p.Labels(), "Add phone") || !contains(p.Labels(), "Verify caller") {
			t.Fatalf("an expired verification still offers changes: %v", p.Labels())
		}
		refusedAll(t, "expired")
	})
	t.Run("verified", func(t *testing.T) {
		verifyCaller(t, env, hank, erin, "erin.employee@example.com")
		p := postForm(t, hank, home, base+"/devices/"+second+"/unlock", url.Values{"reason": {"T-2"}})
		if p.Status != 200 || !strings.Contains(p.Text(), "unlocked") {
			t.Fatalf("unlock after verification: %d %q", p.Status, p.Text())
		}
		if a := findAudit(t, env, "unlock_device", "success"); a["verified_by"] != "email" || a["actor_username"] != env.Demo.Helpdesk {
			t.Errorf("unlock record %v", a)
		}
	})
	var refused int
	for _, a := range auditRecords(t, env) {
		if a["outcome"] == "refused" && a["detail"] == "caller not verified" {
			refused++
		}
	}
	if refused != 4*len(actions) {
		t.Errorf("%d refusals recorded, want %d", refused, 4*len(actions))
	}
}

// TestVerifyCallerByTextedCode (issue #16): PingOne texts a code to the user's active phone;
// a wrong code says how many tries are left; the right one verifies; the record names it, and
// the changes that follow name it too.
func TestVerifyCallerByTextedCode(t *testing.T) {
	env := portaltest.Start(t)
	erin := env.Demo.EmployeeID
	env.Emu.AgeDevice(erin, env.Emu.AddSMSDevice(erin, erinPhone, true), 48*time.Hour)
	b, _ := staffBrowser(t, env)
	base := "/helpdesk/users/" + erin
	v := b.Get(base + "/verify")
	if !strings.Contains(v.Text(), "PingOne texts a code to +1 •••-•••-9876") {
		t.Fatalf("verify page: %q", v.Text())
	}
	v = b.Submit(v, "/verify", url.Values{"method": {"sms"}})
	code := env.Emu.LastCode(erinPhone)
	if code == "" || !contains(v.Labels(), "Caller's code") || !strings.Contains(v.Text(), "A code was sent to") {
		t.Fatalf("after sending: %q", v.Text())
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	p := b.Submit(v, "/verify/code", url.Values{"code": {wrong}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.ByID("code-error"), "That code is wrong. Tries left: 2.") ||
		p.Input("code")["aria-invalid"] != "true" {
		t.Fatalf("wrong code: %d %q", p.Status, p.Text())
	}
	if g := b.Get(base); contains(g.Labels(), "Add phone") {
		t.Fatal("a wrong code verified the caller")
	}
	lists := env.Emu.Calls("devices.list")
	p = b.Submit(p, "/verify/code", url.Values{"code": {code[:3] + " " + code[3:]}})
	if !strings.Contains(p.Text(), "Caller verified by a code to their phone") || !contains(p.Labels(), "Add phone") {
		t.Fatalf("right code: %q", p.Text())
	}
	// The check itself reads no devices (the audit takes the signals kept with the code); the
	// user's page it leads to reads them once.
	if n := env.Emu.Calls("devices.list") - lists; n != 1 {
		t.Errorf("%d device lists for a right code and the page after it, want 1", n)
	}
	// The code is used up: the same code again verifies nothing more.
	if again := postForm(t, b, p, base+"/verify/code", url.Values{"code": {code}}); again.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(again.Text(), "No code is waiting") {
		t.Errorf("code reused: %d %q", again.Status, again.Text())
	}
	recs := auditsOf(t, env, "verify_caller")
	var outcomes []string
	for _, a := range recs {
		outcomes = append(outcomes, a["outcome"].(string)+"/"+a["verified_by"].(string))
		if a["target_id"] != erin || a["actor_id"] != env.Demo.HelpdeskID || a["helpdesk"] != true {
			t.Errorf("record %v", a)
		}
	}
	if !slices.Equal(outcomes, []string{"success/sms", "refused/sms", "success/sms"}) {
		t.Errorf("verify records: %v", outcomes)
	}
	form := b.Get(base + "/phone/new")
	b.Submit(form, "/phone", url.Values{"phone": {number}, "region": {"US"}, "reason": {"INC-1"}})
	if a := findAudit(t, env, "add_phone", "success"); a["verified_by"] != "sms" || a["approver_id"] != "" {
		t.Errorf("add record %v", a)
	}
	if logs := env.Logs.String(); strings.Contains(logs, code) || strings.Contains(logs, "5125209876") {
		t.Error("the log holds the code or the full number")
	}
}

// TestVerifyCallerRefusalsInWords (issue #16): a user with neither an active phone nor an
// email; a code tried until PingOne gives up; too many codes for one user.
func TestVerifyCallerRefusalsInWords(t *testing.T) {
	// One agent may send as many as the user's ceiling here: the per-agent share is
	// TestCallerCodesPerAgentAndPerUser's.
	env := portaltest.Start(t, portaltest.WithEnv("LIMIT_HELPDESK_CALLER_CODES", "5/1h"))
	nobodyID := env.Emu.AddUser(emulator.SeedUser{Username: "nora.nomethod", Given: "Nora", Family: "Nomethod"})
	b, home := staffBrowser(t, env)
	v := b.Get("/helpdesk/users/" + nobodyID + "/verify")
	if !strings.Contains(v.Text(), "Nora Nomethod has no active phone and no email address in the directory, so no code can be sent") ||
		v.Input("method-sms")["disabled"] == "" && !strings.Contains(v.Body, `id="method-sms" name="method" value="sms" aria-describedby="method-sms-hint" disabled`) {
		t.Fatalf("no-method page: %q", v.Text())
	}
	for method, words := range map[string]string{"sms": "Nora Nomethod has no active phone", "email": "the directory has no email address for Nora Nomethod"} {
		p := postForm(t, b, home, "/helpdesk/users/"+nobodyID+"/verify", url.Values{"method": {method}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), words) {
			t.Errorf("%s for a user without it: %d %q", method, p.Status, p.Text())
		}
	}
	if env.Emu.Calls("deviceAuthentications.create") != 0 || len(env.Emu.Emails()) != 0 {
		t.Error("PingOne was asked anyway")
	}

	// Three wrong codes: PingOne gives up, and the page says to send a new one.
	base := "/helpdesk/users/" + env.Demo.EmployeeID
	v = b.Submit(b.Get(base+"/verify"), "/verify", url.Values{"method": {"email"}})
	code := env.Emu.LastEmailCode("erin.employee@example.com")
	wrong := "999999"
	if code == wrong {
		wrong = "888888"
	}
	for _, left := range []string{"Tries left: 2.", "Tries left: 1."} {
		v = b.Submit(v, "/verify/code", url.Values{"code": {wrong}})
		if !strings.Contains(v.Text(), left) {
			t.Fatalf("want %q: %q", left, v.Text())
		}
	}
	v = b.Submit(v, "/verify/code", url.Values{"code": {wrong}})
	if !strings.Contains(v.Text(), "That code can no longer be used") || contains(v.Labels(), "Caller's code") {
		t.Fatalf("after the last try: %q", v.Text())
	}
	if p := postForm(t, b, home, base+"/verify/code", url.Values{"code": {code}}); strings.Contains(p.Text(), "Caller verified") {
		t.Fatal("the right code worked after PingOne gave up")
	}
	// Not digits.
	v = b.Submit(b.Get(base+"/verify"), "/verify", url.Values{"method": {"email"}})
	if p := b.Submit(v, "/verify/code", url.Values{"code": {"12ab56"}}); !strings.Contains(p.ByID("code-error"), "digits only") {
		t.Errorf("letters: %q", p.Text())
	}
	// Five codes an hour for one user, then words with the wait.
	for range 3 {
		postForm(t, b, home, base+"/verify", url.Values{"method": {"email"}})
	}
	p := postForm(t, b, home, base+"/verify", url.Values{"method": {"email"}})
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text(), "Too many codes were sent for Erin Employee") ||
		p.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth code: %d %q", p.Status, p.Text())
	}
	if n := len(env.Emu.Emails()); n != 5 {
		t.Fatalf("%d codes emailed", n)
	}
}

// TestVerifyCallerByColleaguesApproval (issue #16): the request shows on every other staff
// member's page; the requester cannot approve it, nor can the user it is about; a colleague's
// approval verifies the requester only, and the records name the approver; a request nobody
// approves times out, in words.
func TestVerifyCallerByColleaguesApproval(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("SESSION_IDLE_TIMEOUT", "2h"))
	erin := env.Demo.EmployeeID
	tomID := env.Emu.AddUser(emulator.SeedUser{Username: "tom.target", Email: "tom@example.com", Given: "Tom", Family: "Target",
		Password: "Pw-tom.target"})
	env.Emu.AgeDevice(tomID, env.Emu.AddSMSDevice(tomID, "+15125204444", true), 48*time.Hour)
	hank, _ := staffBrowser(t, env)
	hilda, _, hildaID := addStaff(t, env, "hilda.helpdesk", "+15125206666")
	base := "/helpdesk/users/" + erin

	p := hank.Submit(hank.Get(base+"/verify"), "/verify", url.Values{"method": {"approval"}})
	if !strings.Contains(p.Text(), "Waiting for a colleague to approve") || !contains(p.Labels(), "Reload") {
		t.Fatalf("after asking: %q", p.Text())
	}
	if own := hank.Get("/helpdesk"); strings.Contains(own.Text(), "Waiting for your approval") {
		t.Error("the requester is offered their own request")
	}
	list := hilda.Get("/helpdesk")
	if !strings.Contains(list.Text(), "hank.helpdesk asks you to confirm that a caller is Erin Employee (erin.employee)") ||
		!contains(list.Labels(), "Approve") {
		t.Fatalf("colleague's page: %q", list.Text())
	}
	action := regexp.MustCompile(`action="(/helpdesk/approvals/[^"]+)"`).FindStringSubmatch(list.Body)[1]
	// The requester approving their own request by posting it directly.
	if r := postForm(t, hank, p, action, nil); !strings.Contains(r.Text(), "You asked for this approval yourself") {
		t.Fatalf("self-approval: %q", r.Text())
	}
	if r := hank.Get(base); contains(r.Labels(), "Add phone") {
		t.Fatal("self-approval verified the caller")
	}

	// A request about Tom; Tom then joins the help desk and tries to approve it.
	hank.Submit(hank.Get("/helpdesk/users/"+tomID+"/verify"), "/verify", url.Values{"method": {"approval"}})
	tomList := hilda.Get("/helpdesk")
	tomAction := ""
	for _, m := range regexp.MustCompile(`action="(/helpdesk/approvals/[^"]+)"`).FindAllStringSubmatch(tomList.Body, -1) {
		if m[1] != action {
			tomAction = m[1]
		}
	}
	env.Emu.SetGroups(tomID, env.Demo.HelpdeskGroup)
	tom, tomHome := staffBrowserAs(t, env, "tom.target", "Pw-tom.target")
	if strings.Contains(tomHome.Text(), "caller is Tom Target") {
		t.Errorf("the target is offered the request about them: %q", tomHome.Text())
	}
	if r := postForm(t, tom, tomHome, tomAction, nil); !strings.Contains(r.Text(), "This request is about your own account") {
		t.Fatalf("approval by the target: %q", r.Text())
	}

	// Hilda approves Erin's: Hank is verified, Hilda is not.
	r := hilda.Submit(list, action, nil)
	if !strings.Contains(r.Text(), "You approved hank.helpdesk’s request") || strings.Contains(r.Text(), "Erin Employee (erin.employee)") {
		t.Fatalf("approval: %q", r.Text())
	}
	if again := postForm(t, hilda, r, action, nil); !strings.Contains(again.Text(), "timed out or was already answered") {
		t.Errorf("second approval: %q", again.Text())
	}
	if g := hilda.Get(base); contains(g.Labels(), "Add phone") {
		t.Error("the approver got the verification")
	}
	user := hank.Get(base)
	if !strings.Contains(user.Text(), "Caller verified by hilda.helpdesk’s approval") || !contains(user.Labels(), "Add phone") {
		t.Fatalf("requester after approval: %q", user.Text())
	}
	hank.Submit(hank.Get(base+"/phone/new"), "/phone", url.Values{"phone": {number}, "region": {"US"}, "reason": {"INC-3"}})
	add := findAudit(t, env, "add_phone", "success")
	if add["verified_by"] != "approval" || add["approver_id"] != hildaID || add["approver_username"] != "hilda.helpdesk" ||
		add["actor_username"] != env.Demo.Helpdesk {
		t.Errorf("add record %v", add)
	}
	if a := findAudit(t, env, "approve_caller", "success"); a["actor_id"] != hildaID || a["target_id"] != erin {
		t.Errorf("approve record %v", a)
	}
	for _, want := range []string{"requester", "target"} {
		found := false
		for _, a := range auditsOf(t, env, "approve_caller") {
			if a["outcome"] == "refused" && strings.Contains(a["detail"].(string), map[string]string{"requester": "own request", "target": "user a request is about"}[want]) {
				found = true
			}
		}
		if !found {
			t.Errorf("no refused approval record by the %s", want)
		}
	}

	// A request nobody approves times out, in words, for the requester and the colleague.
	olgaID := env.Emu.AddUser(emulator.SeedUser{Username: "olga.other", Email: "olga@example.com", Given: "Olga", Family: "Other"})
	hank.Submit(hank.Get("/helpdesk/users/"+olgaID+"/verify"), "/verify", url.Values{"method": {"approval"}})
	list = hilda.Get("/helpdesk")
	if !strings.Contains(list.Text(), "Olga Other") {
		t.Fatalf("Olga's request not listed: %q", list.Text())
	}
	env.Clock.Advance(31 * time.Minute)
	if v := hank.Get("/helpdesk/users/" + olgaID + "/verify"); !strings.Contains(v.Text(), "Nobody approved your request in time") {
		t.Errorf("timed-out request: %q", v.Text())
	}
	list = hilda.Get("/helpdesk")
	if strings.Contains(list.Text(), "Olga Other") {
		t.Error("a timed-out request is still listed")
	}
}

// TestHelpdeskSignals (issue #16): beside the verify button, in words, and recorded: methods
// changed in the last 24 hours, a phone in another country than the directory's; and adding a
// number from another country warns.
func TestHelpdeskSignals(t *testing.T) {
	env := portaltest.Start(t)
	erin := env.Demo.EmployeeID
	env.Emu.AddSMSDevice(erin, "+447400123456", true)
	b, _ := staffBrowser(t, env)
	base := "/helpdesk/users/" + erin
	p := b.Get(base)
	for _, want := range []string{"Erin Employee’s sign-in methods changed in the last 24 hours",
		"A phone of Erin Employee’s is in another country than the one in the directory (United States)"} {
		if !strings.Contains(p.Text(), want) {
			t.Errorf("no signal %q on %q", want, p.Text())
		}
	}
	verifyCaller(t, env, b, erin, "erin.employee@example.com")
	v := auditsOf(t, env, "verify_caller")
	if len(v) == 0 || !slices.Equal(toStrings(v[len(v)-1]["signals"]), []string{"recent_change", "country_mismatch"}) {
		t.Errorf("verify record signals: %v", v)
	}
	// A day later the change is old; the foreign phone still shows.
	env.Clock.Advance(25 * time.Hour)
	b, _ = staffBrowser(t, env)
	p = b.Get(base)
	if strings.Contains(p.Text(), "changed in the last 24 hours") || !strings.Contains(p.Text(), "another country") {
		t.Errorf("a day later: %q", p.Text())
	}
	verifyCaller(t, env, b, erin, "erin.employee@example.com")
	p = b.Submit(b.Get(base+"/phone/new"), "/phone", url.Values{"phone": {"+44 7400 654321"}, "reason": {"T-7"}})
	if !strings.Contains(p.Text(), "Careful: this number’s country (United Kingdom) is not Erin Employee’s country in the directory (United States)") {
		t.Fatalf("no warning after adding a foreign number: %q", p.Text())
	}
	if a := findAudit(t, env, "add_phone", "success"); !slices.Contains(toStrings(a["signals"]), "country_mismatch") || a["verified_by"] != "email" {
		t.Errorf("add record %v", a)
	}
	// Changes through the portal count as recent changes from then on.
	if p := b.Get(base); !strings.Contains(p.Text(), "changed in the last 24 hours") {
		t.Errorf("after adding: %q", p.Text())
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func hasAttr(attrs map[string]string, name string) bool {
	_, ok := attrs[name]
	return ok
}

// TestDemoEmailShowsTheHelpdesksCodes: in demo mode the codes the help desk emails show on
// /demo/email, as a page and as JSON ([{"to","subject","text","sentAt"}], newest first), so
// that the demo's help-desk journey can verify the employee by email.
func TestDemoEmailShowsTheHelpdesksCodes(t *testing.T) {
	env := portaltest.Start(t)
	b, home := staffBrowser(t, env)
	if p := b.Get("/demo/email"); p.Status != 200 || !strings.Contains(p.Text(), "No emails yet") {
		t.Fatalf("empty mailbox: %d %q", p.Status, p.Text())
	}
	base := "/helpdesk/users/" + env.Demo.EmployeeID
	postForm(t, b, home, base+"/verify", url.Values{"method": {"email"}})
	first := env.Emu.LastEmailCode("erin.employee@example.com")
	env.Clock.Advance(time.Second)
	postForm(t, b, home, base+"/verify", url.Values{"method": {"email"}})
	second := env.Emu.LastEmailCode("erin.employee@example.com")
	var mails []map[string]any
	if err := sentEmails(t, env, &mails); err != nil || len(mails) != 2 {
		t.Fatalf("JSON: %v %v", mails, err)
	}
	for i, code := range []string{second, first} {
		m := mails[i]
		if len(m) != 4 || m["to"] != "erin.employee@example.com" || m["subject"] == "" || m["sentAt"] == "" ||
			!strings.Contains(m["text"].(string), code) {
			t.Errorf("email %d: %v", i, m)
		}
	}
	if p := b.Get("/demo/email"); !strings.Contains(p.Text(), second) || !strings.Contains(p.Text(), "erin.employee@example.com") {
		t.Errorf("page: %q", p.Text())
	}
}
