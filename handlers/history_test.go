package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestHistoryOnTheHelpdeskPage: the user's MFA events from PingOne's audit activities under
// "History", newest first; PingOne's request ID joins them with the portal's audit records;
// a 429 or 5xx leaves the page up with a sentence instead.
func TestHistoryOnTheHelpdeskPage(t *testing.T) {
	env := portaltest.Start(t)
	employeeWithPhone(env)
	staff, _ := staffBrowser(t, env)
	p := grantTemporary(t, staff, verifyCaller(t, env, staff, env.Demo.EmployeeID, "erin.employee@example.com"), "1h0m0s", "INC-50")
	// No clock advance: the change dropped the history kept from the page before it.
	p = staff.Get("/helpdesk/users/" + env.Demo.EmployeeID)
	text := p.Text()
	i := strings.Index(text, "History")
	if i < 0 || !strings.Contains(text[i:], "Temporary access changed") {
		t.Fatalf("no history with the temporary access: %q", text)
	}
	// The portal's audit record and PingOne's activity share the request ID.
	a := findAudit(t, env, "temporary_access", "success")
	joined := false
	for _, act := range env.Emu.Activities() {
		joined = joined || act["correlationId"] == a["request_id"]
	}
	if !joined {
		t.Errorf("no PingOne activity carries the audit record's request ID %v", a["request_id"])
	}
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		env.Clock.Advance(2 * time.Minute)
		env.Emu.Inject(emulator.Fault{Route: "activities", Status: status, RetryAfter: "30", Times: -1})
		p = staff.Get("/helpdesk/users/" + env.Demo.EmployeeID)
		if p.Status != http.StatusOK || !strings.Contains(p.Text(), "History is not available right now") || !contains(p.Labels(), "End temporary access") {
			t.Fatalf("PingOne %d: %d %q", status, p.Status, p.Text())
		}
		env.Emu.ClearFaults()
	}
}

// TestRecentActivityForThePerson: the person's latest events are on their phones page, under
// "Recent activity", with a link to the 14 days' list; a reload within the minute the history is
// kept asks PingOne nothing more; PingOne's 429 or 5xx on its activities leaves the phones page
// up with "History is not available right now".
func TestRecentActivityForThePerson(t *testing.T) {
	env := portaltest.Start(t)
	employeeWithPhone(env)
	b := env.NewBrowser(t)
	before := env.Emu.Calls("activities")
	p := b.SignInEmployee("/devices")
	text := p.Text()
	i := strings.Index(text, "Recent activity")
	if p.Status != http.StatusOK || p.ByID("recent-activity") != "Recent activity" || i < 0 ||
		!strings.Contains(text[i:], "Signed in with the password alone") || !strings.Contains(text[:i], "+1 512-520-1234") {
		t.Fatalf("phones page: %d %q", p.Status, text)
	}
	if n := env.Emu.Calls("activities") - before; n != 1 {
		t.Errorf("%d reads of the activities for the phones page, want 1", n)
	}
	// A reload reads the history kept a minute.
	if p = b.Get("/devices"); !strings.Contains(p.Text(), "Signed in with the password alone") {
		t.Fatalf("reload: %q", p.Text())
	}
	if n := env.Emu.Calls("activities") - before; n != 1 {
		t.Errorf("%d reads of the activities after a reload within the minute, want still 1", n)
	}
	if p.LinkTo("/devices/activity") == "" {
		t.Fatalf("no link to the whole recent activity: %v", p.Labels())
	}
	p = b.Get("/devices/activity")
	if p.H1() != "Recent activity" || !strings.Contains(p.Text(), "Signed in with the password alone") {
		t.Fatalf("recent activity: %d %q", p.Status, p.Text())
	}
	if n := env.Emu.Calls("activities") - before; n != 1 {
		t.Errorf("%d reads of the activities after the full list, want still 1 (the same kept history)", n)
	}
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		env.Clock.Advance(2 * time.Minute)
		env.Emu.Inject(emulator.Fault{Route: "activities", Status: status, RetryAfter: "30", Times: -1})
		p = b.Get("/devices")
		text := p.Text()
		if p.Status != http.StatusOK || !strings.Contains(text, "History is not available right now") ||
			!strings.Contains(text, "+1 512-520-1234") || p.LinkTo("/devices/activity") != "" {
			t.Fatalf("PingOne %d on the activities: %d %q", status, p.Status, text)
		}
		env.Emu.ClearFaults()
	}
}
