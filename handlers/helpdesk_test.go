package handlers_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// auditRecords returns the audit records in the log, in order.
func auditRecords(t *testing.T, env *portaltest.Env) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(env.Logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil || line["msg"] != "audit" {
			continue
		}
		a, _ := line["audit"].(map[string]any)
		out = append(out, a)
	}
	return out
}

var auditFields = []string{"actor_id", "actor_username", "target_id", "target_username", "action", "device_id",
	"old_number", "new_number", "reason", "outcome", "detail", "helpdesk", "request_id", "time"}

func findAudit(t *testing.T, env *portaltest.Env, action, outcome string) map[string]any {
	t.Helper()
	for _, a := range auditRecords(t, env) {
		if a["action"] == action && a["outcome"] == outcome {
			for _, f := range auditFields {
				if _, ok := a[f]; !ok {
					t.Errorf("audit record %s lacks %s: %v", action, f, a)
				}
			}
			return a
		}
	}
	t.Fatalf("no audit record %s/%s in:\n%v", action, outcome, auditRecords(t, env))
	return nil
}

// staffBrowser signs the demo's help-desk member in and passes the help desk's step-up (a code
// texted to their own phone).
func staffBrowser(t *testing.T, env *portaltest.Env) (*portaltest.Browser, *portaltest.Page) {
	t.Helper()
	return staffBrowserAs(t, env, env.Demo.Helpdesk, env.Demo.HelpdeskPass)
}

func staffBrowserAs(t *testing.T, env *portaltest.Env, username, password string) (*portaltest.Browser, *portaltest.Page) {
	t.Helper()
	b := env.NewBrowser(t)
	p := b.SignIn("/helpdesk", username, password)
	if p.Path() != "/helpdesk" || p.Status != 200 || p.LinkTo("/auth/login?step_up=1") == "" {
		t.Fatalf("staff sign-in landed on %d %s without the step-up: %q", p.Status, p.URL, p.Text())
	}
	p = b.PassStepUp(p, username, password)
	if p.Path() != "/helpdesk" || p.Status != 200 || p.H1() != "Help desk" {
		t.Fatalf("after the step-up: %d %s %q", p.Status, p.URL, p.Text())
	}
	return b, p
}

// addStaff adds a second help-desk member with an active phone and signs them in.
func addStaff(t *testing.T, env *portaltest.Env, username, phone string) (*portaltest.Browser, *portaltest.Page, string) {
	t.Helper()
	id := env.Emu.AddUser(emulator.SeedUser{Username: username, Email: username + "@example.com", Given: "Second",
		Family: "Staff", Password: "Pw-" + username, GroupIDs: []string{env.Demo.HelpdeskGroup}})
	// An old phone: one added within HELPDESK_NEW_PHONE_WAIT opens no help desk (issue #21).
	env.Emu.AgeDevice(id, env.Emu.AddSMSDevice(id, phone, true), 48*time.Hour)
	b, p := staffBrowserAs(t, env, username, "Pw-"+username)
	return b, p, id
}

// verifyCaller verifies the caller for the user by a code to their email in the directory,
// as the agent does when the caller reads it out, and returns the user's page.
func verifyCaller(t *testing.T, env *portaltest.Env, b *portaltest.Browser, userID, email string) *portaltest.Page {
	t.Helper()
	v := b.Get("/helpdesk/users/" + userID + "/verify")
	for _, want := range []string{"A code to their phone", "A code to their email", "A colleague's approval"} {
		if !contains(v.Labels(), want) {
			t.Fatalf("no choice %q on the verify page: %v", want, v.Labels())
		}
	}
	v = b.Submit(v, "/verify", url.Values{"method": {"email"}})
	if v.Status != 200 || !contains(v.Labels(), "Caller's code") {
		t.Fatalf("after sending the code: %d %s %q", v.Status, v.URL, v.Text())
	}
	code := env.Emu.LastEmailCode(email)
	if code == "" {
		t.Fatalf("no code emailed to %s", email)
	}
	p := b.Submit(v, "/verify/code", url.Values{"code": {code}})
	if p.Path() != "/helpdesk/users/"+userID || !strings.Contains(p.Text(), "Caller verified by a code to their email") {
		t.Fatalf("after the code: %d %s %q", p.Status, p.URL, p.Text())
	}
	return p
}

// TestHelpdeskAddsAndRemovesAPhone is the issue's own check: staff find the employee, add a
// phone with the code the employee reads out, remove it, and the log holds both records.
func TestHelpdeskAddsAndRemovesAPhone(t *testing.T) {
	env := portaltest.Start(t)
	b, p := staffBrowser(t, env)
	for _, want := range []string{"Find a user", "Search", "Help desk"} {
		if !contains(p.Labels(), want) {
			t.Errorf("no %q on /helpdesk: %v", want, p.Labels())
		}
	}
	p = b.Get("/helpdesk?q=erin")
	if !contains(p.Labels(), "Erin Employee") || !strings.Contains(p.Text(), "MFA off") || !strings.Contains(p.Text(), "0 devices") {
		t.Fatalf("search: %q", p.Text())
	}
	user := b.Get("/helpdesk/users/" + env.Demo.EmployeeID)
	// Nothing is offered before the caller is verified.
	if user.H1() != "Erin Employee" || !contains(user.Labels(), "Verify caller") || contains(user.Labels(), "Add phone") {
		t.Fatalf("user page: %q %v", user.H1(), user.Labels())
	}
	user = verifyCaller(t, env, b, env.Demo.EmployeeID, "erin.employee@example.com")
	if !contains(user.Labels(), "Add phone") {
		t.Fatalf("verified user page: %v", user.Labels())
	}
	form := b.Get("/helpdesk/users/" + env.Demo.EmployeeID + "/phone/new")
	if !strings.Contains(form.H1(), "Erin Employee") || !contains(form.Labels(), "Reason or ticket (optional)") {
		t.Fatalf("add form: %q %v", form.H1(), form.Labels())
	}
	p = b.Submit(form, "/phone", url.Values{"phone": {number}, "region": {"US"}, "reason": {"INC-4711 new phone"}})
	if !strings.HasSuffix(p.Path(), "/verify") || !contains(p.Labels(), "Resend code") {
		t.Fatalf("after add: %d %s %q", p.Status, p.URL, p.Text())
	}
	// The code went to the employee's phone; the employee reads it out.
	code := env.Emu.LastCode("+15125201234")
	p = b.Submit(p, "/verify", url.Values{"code": {code}})
	if !strings.HasPrefix(p.Path(), "/helpdesk/users/") || !strings.Contains(p.Text(), "now active") || !strings.Contains(p.Text(), "Active") {
		t.Fatalf("after verify: %s %q", p.URL, p.Text())
	}
	if !env.Emu.MFAEnabled(env.Demo.EmployeeID) {
		t.Error("mfaEnabled not set for the employee")
	}
	devs := env.Emu.Devices(env.Demo.EmployeeID)
	if len(devs) != 1 || devs[0].Status != "ACTIVE" {
		t.Fatalf("PingOne holds %+v", devs)
	}
	if len(env.Emu.Devices(env.Demo.HelpdeskID)) != 1 {
		t.Fatal("the phone was added to the staff member instead")
	}
	confirm := b.Get("/helpdesk/users/" + env.Demo.EmployeeID + "/devices/" + devs[0].ID + "/remove")
	p = b.Submit(confirm, "/remove", url.Values{"reason": {"INC-4712 lost phone"}})
	if !strings.Contains(p.Text(), "was removed") || len(env.Emu.Devices(env.Demo.EmployeeID)) != 0 {
		t.Fatalf("after remove: %q", p.Text())
	}

	add := findAudit(t, env, "add_phone", "success")
	rm := findAudit(t, env, "remove_device", "success")
	for _, a := range []map[string]any{add, rm, findAudit(t, env, "activate_phone", "success")} {
		if a["actor_username"] != env.Demo.Helpdesk || a["target_username"] != env.Demo.Employee ||
			a["target_id"] != env.Demo.EmployeeID || a["actor_id"] != env.Demo.HelpdeskID || a["helpdesk"] != true ||
			a["request_id"] == "" || a["device_id"] != devs[0].ID || a["verified_by"] != "email" {
			t.Errorf("audit record %v", a)
		}
	}
	if add["new_number"] != "+1 •••-•••-1234" || add["reason"] != "INC-4711 new phone" {
		t.Errorf("add record %v", add)
	}
	if rm["old_number"] != "+1 •••-•••-1234" || rm["reason"] != "INC-4712 lost phone" {
		t.Errorf("remove record %v", rm)
	}
	if logs := env.Logs.String(); strings.Contains(logs, "5125201234") || strings.Contains(logs, code) ||
		strings.Contains(logs, env.Emu.LastEmailCode("erin.employee@example.com")) {
		t.Error("the log holds the full number or a code")
	}
}

func TestHelpdeskAccess(t *testing.T) {
	env := portaltest.Start(t)
	emp := env.NewBrowser(t)
	p := emp.SignInEmployee("/devices")
	if contains(p.Labels(), "Help desk") {
		t.Error("an employee sees the Help desk link")
	}
	base := "/helpdesk/users/" + env.Demo.HelpdeskID
	for _, u := range []string{"/helpdesk", "/helpdesk?q=a", base, base + "/phone/new", base + "/mfa?enabled=false", "/helpdesk/anything"} {
		g := emp.Get(u)
		if g.Status != http.StatusForbidden || !strings.Contains(g.Text(), "help desk") {
			t.Errorf("employee GET %s: %d", u, g.Status)
		}
	}
	tok := csrfOf(t, p)
	if g := emp.Post(base+"/phone", url.Values{"csrf": {tok}, "phone": {number}, "region": {"US"}}); g.Status != http.StatusForbidden {
		t.Errorf("employee POST: %d", g.Status)
	}
	if len(env.Emu.Devices(env.Demo.HelpdeskID)) != 1 {
		t.Fatal("an employee's request changed someone's devices")
	}

	// Staff see the link; removed from the group mid-session, they lose access within the
	// check's cache lifetime, and the link goes.
	b, p := staffBrowser(t, env)
	if !contains(p.Labels(), "Help desk") {
		t.Error("staff do not see the Help desk link")
	}
	env.Emu.SetGroups(env.Demo.HelpdeskID)
	env.Clock.Advance(31 * time.Second)
	if g := b.Get("/helpdesk"); g.Status != http.StatusForbidden {
		t.Fatalf("after removal from the group: %d", g.Status)
	}
	if g := b.Get("/devices"); contains(g.Labels(), "Help desk") {
		t.Error("the link stays after removal from the group")
	}
	// Staff still use the portal for their own phone.
	if g := b.Get("/devices/sms/new"); g.Status != 200 {
		t.Errorf("own phone page: %d", g.Status)
	}
}

func TestHelpdeskSearch(t *testing.T) {
	env := portaltest.Start(t)
	for i := range 25 {
		env.Emu.AddUser(emulator.SeedUser{Username: "user" + string(rune('a'+i)), Given: "Test", Family: "Person"})
	}
	b, _ := staffBrowser(t, env)
	tests := []struct {
		q     string
		found []string
		none  bool
		short bool
	}{
		{q: "erin", found: []string{"Erin Employee"}},
		{q: "ERIN.EMPLOYEE@example.com", found: []string{"Erin Employee"}},
		{q: "Erin Employee", found: []string{"Erin Employee"}},
		{q: "employee", found: []string{"Erin Employee"}},
		{q: `" or username sw "`, none: true},
		{q: `erin" or username sw "h`, none: true},
		{q: `\`, short: true},
		{q: `a\"b`, none: true},
		{q: `erin) or (username sw "`, none: true},
		{q: "or", short: true},
		{q: "nobody-like-this", none: true},
	}
	for _, tc := range tests {
		p := b.Get("/helpdesk?" + url.Values{"q": {tc.q}}.Encode())
		if tc.short {
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Type at least 3 characters") {
				t.Errorf("%q: %d %q", tc.q, p.Status, p.Text())
			}
			continue
		}
		if p.Status != 200 {
			t.Errorf("%q: %d %q", tc.q, p.Status, p.Text())
			continue
		}
		for _, want := range tc.found {
			if !contains(p.Labels(), want) {
				t.Errorf("%q: %s not found in %q", tc.q, want, p.Text())
			}
		}
		if tc.none && !strings.Contains(p.Text(), "No one found") {
			t.Errorf("%q found someone: %q", tc.q, p.Text())
		}
	}
	if p := b.Get("/helpdesk?q=" + strings.Repeat("x", 101)); p.Status != http.StatusUnprocessableEntity || p.Input("q")["aria-invalid"] != "true" {
		t.Errorf("long query: %d", p.Status)
	}
	// Mostly blanks, then one letter: cleaned to "a", which once was cut to 100 bytes (a 500);
	// now too short to search, and said so.
	if p := b.Get("/helpdesk?q=" + url.QueryEscape(strings.Repeat(" ", 401)+"a")); p.Status != http.StatusUnprocessableEntity || p.Input("q")["value"] != "a" {
		t.Errorf("a query of blanks and a letter: %d, field %v", p.Status, p.Input("q"))
	}
	// A long query of multi-byte letters is shown cut at a letter, never inside one.
	if p := b.Get("/helpdesk?q=" + url.QueryEscape(strings.Repeat("é", 500))); p.Status != http.StatusUnprocessableEntity || p.Input("q")["value"] != strings.Repeat("é", 100) {
		t.Errorf("a long query of é: %d, field %q", p.Status, p.Input("q")["value"])
	}
	// At most 20, then "refine your search"; no next page, whatever cursor the URL carries.
	for _, u := range []string{"/helpdesk?q=user", "/helpdesk?q=user&cursor=2"} {
		p := b.Get(u)
		if !strings.Contains(p.Text(), "25 found") || !strings.Contains(p.Text(), "Only the first 20 are shown. Refine your search") ||
			contains(p.Labels(), "More results") || strings.Contains(p.Text(), "usery") || strings.Count(p.Body, `href="/helpdesk/users/`) != 20 {
			t.Fatalf("%s: %q", u, p.Text())
		}
	}
}

func TestHelpdeskActionsAndReasons(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("HELPDESK_REASON_REQUIRED", "true"), portaltest.WithEnv("HELPDESK_ALLOW_MFA_OFF", "true"))
	b, _ := staffBrowser(t, env)
	base := "/helpdesk/users/" + env.Demo.EmployeeID
	verifyCaller(t, env, b, env.Demo.EmployeeID, "erin.employee@example.com")
	form := b.Get(base + "/phone/new")
	// A reason is required: without one nothing happens.
	p := b.Submit(form, "/phone", url.Values{"phone": {number}, "region": {"US"}})
	if p.Status != http.StatusUnprocessableEntity || p.Input("reason")["aria-invalid"] != "true" || env.Emu.Calls("devices.create") != 0 {
		t.Fatalf("missing reason: %d", p.Status)
	}
	p = b.Submit(form, "/phone", url.Values{"phone": {number}, "region": {"US"}, "reason": {"T-1"}})
	id := deviceID(t, p)
	// Three wrong codes lock the device in PingOne; the user page offers Unlock.
	for range 3 {
		p = b.Submit(p, "/verify", url.Values{"code": {"000000"}})
	}
	if !strings.Contains(p.ByID("code-error"), "locked") {
		// The third wrong code is still "wrong"; the next attempt reports the lock.
		p = b.Submit(p, "/verify", url.Values{"code": {"000000"}})
	}
	if !strings.Contains(p.ByID("code-error"), "locked") {
		t.Fatalf("no lock message: %q", p.ByID("code-error"))
	}
	user := b.Get(base)
	if !strings.Contains(user.Text(), "Locked") || !contains(user.Labels(), "Unlock") {
		t.Fatalf("user page: %q", user.Text())
	}
	confirm := b.Get(base + "/devices/" + id + "/unlock")
	b.Submit(confirm, "/unlock", url.Values{"reason": {"T-2 verified caller"}})
	if env.Emu.Devices(env.Demo.EmployeeID)[0].Locked {
		t.Fatal("still locked")
	}
	findAudit(t, env, "unlock_device", "success")
	// A new code and the right one.
	env.Clock.Advance(time.Minute)
	p = b.Get(base + "/devices/" + id + "/verify")
	p = b.Submit(p, "/resend", nil)
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if env.Emu.Devices(env.Demo.EmployeeID)[0].Status != "ACTIVE" {
		t.Fatalf("not active: %q", p.Text())
	}
	// A second active phone made default.
	form = b.Get(base + "/phone/new")
	p = b.Submit(form, "/phone", url.Values{"phone": {"+44 7400 123456"}, "reason": {"T-3"}})
	second := deviceID(t, p)
	b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+447400123456")}})
	confirm = b.Get(base + "/devices/" + second + "/default")
	p = b.Submit(confirm, "/default", url.Values{"reason": {"T-4"}})
	if d := env.Emu.Devices(env.Demo.EmployeeID); d[0].ID != second {
		t.Fatalf("default not changed: %+v", d)
	}
	findAudit(t, env, "set_default_device", "success")
	// MFA off, with its confirmation; a missing reason changes nothing.
	confirm = b.Get(base + "/mfa?enabled=false")
	b.Submit(confirm, "/mfa", nil)
	if !env.Emu.MFAEnabled(env.Demo.EmployeeID) {
		t.Fatal("MFA turned off without a reason")
	}
	b.Submit(confirm, "/mfa", url.Values{"reason": {"T-5"}})
	if env.Emu.MFAEnabled(env.Demo.EmployeeID) {
		t.Fatal("MFA still on")
	}
	if a := findAudit(t, env, "set_mfa_enabled", "success"); a["detail"] != "off" || a["reason"] != "T-5" {
		t.Errorf("mfa record %v", a)
	}
}

func TestHelpdeskShowsPingOneErrorsInWordsStaffCanActOn(t *testing.T) {
	env := portaltest.Start(t)
	b, _ := staffBrowser(t, env)
	env.Emu.Inject(emulator.Fault{Route: "users.search", Status: 403})
	p := b.Get("/helpdesk?q=erin")
	if p.Status != http.StatusBadGateway || !strings.Contains(p.Text(), "IT team") {
		t.Errorf("403 from PingOne: %d %q", p.Status, p.Text())
	}
	env.Emu.Inject(emulator.Fault{Route: "users.search", Status: 429, RetryAfter: "20", Times: -1})
	p = b.Get("/helpdesk?q=erin")
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Text(), "busy") || p.Header.Get("Retry-After") != "20" {
		t.Errorf("429 from PingOne: %d %q %q", p.Status, p.Text(), p.Header.Get("Retry-After"))
	}
	env.Emu.ClearFaults()
	if p := b.Get("/helpdesk/users/00000000-0000-4000-8000-000000000000"); p.Status != http.StatusNotFound || !strings.Contains(p.Text(), "no user") {
		t.Errorf("unknown user: %d %q", p.Status, p.Text())
	}
}

// TestHelpdeskButtonsNameThePhone: each phone's buttons on a user's page name it for a screen
// reader, by its number alone.
func TestHelpdeskButtonsNameThePhone(t *testing.T) {
	env := portaltest.Start(t)
	b, _ := staffBrowser(t, env)
	env.Emu.AddSMSDevice(env.Demo.EmployeeID, "+15125209876", true)
	user := verifyCaller(t, env, b, env.Demo.EmployeeID, "erin.employee@example.com")
	if !slices.Contains(user.Labels(), "Remove +1 512-520-9876") {
		t.Errorf("the remove button's name: %v", user.Labels())
	}
}
