package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestSharedPhonePagesForAUserWhoIsNotThere: the phone pages staff share with the person
// (actor.go) read the user first, so a user PingOne does not know gets the help desk's 404
// page, never the staff member's own phones; an ID that is not a UUID is a 404 before PingOne
// is asked.
func TestSharedPhonePagesForAUserWhoIsNotThere(t *testing.T) {
	env := portaltest.Start(t)
	b, p := staffBrowser(t, env)
	tok := csrfOf(t, p)
	gone := "/helpdesk/users/00000000-0000-4000-8000-000000000000"
	dev := "/devices/00000000-0000-4000-8000-000000000001"
	for _, tc := range []struct {
		method, path string
		status       int
		words        string
	}{
		{http.MethodGet, gone + "/phone/new", 404, "User not found"},
		{http.MethodPost, gone + "/phone", 404, "User not found"},
		{http.MethodGet, gone + dev + "/verify", 404, "User not found"},
		{http.MethodPost, gone + dev + "/verify", 404, "User not found"},
		{http.MethodPost, gone + dev + "/resend", 404, "User not found"},
		{http.MethodGet, gone + dev + "/remove", 404, "User not found"},
		{http.MethodPost, gone + dev + "/remove", 404, "User not found"},
		{http.MethodGet, "/helpdesk/users/not-a-uuid/phone/new", 404, "Page not found"},
		{http.MethodGet, "/helpdesk/users/" + env.Demo.EmployeeID + "/devices/nope/verify", 404, "Page not found"},
		{http.MethodPost, "/helpdesk/approvals/not-a-uuid", 404, "Page not found"},
		{http.MethodPost, "/helpdesk/approvals/..%2Fusers", 404, "Page not found"},
	} {
		var got *portaltest.Page
		if tc.method == http.MethodGet {
			got = b.Get(tc.path)
		} else {
			got = b.Post(tc.path, url.Values{"csrf": {tok}, "phone": {number}, "region": {"US"}, "code": {"123456"}})
		}
		if got.Status != tc.status || got.H1() != tc.words {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, got.Status, got.H1(), tc.status, tc.words)
		}
	}
	if n := len(env.Emu.Devices(env.Demo.HelpdeskID)); n != 1 {
		t.Fatalf("the staff member's own account got %d devices", n)
	}
}
