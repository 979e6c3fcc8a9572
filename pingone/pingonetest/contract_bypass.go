package pingonetest

import (
	"net/http"
	"testing"
	"time"
)

// bypassMFA holds the environment to PingOne's MFA bypass (docs/pingone-api.md, "Help-desk
// tools"): a PUT takes bypassMFAEnabledUntil in the one format PingOne accepts and refuses
// another, a GET answers the end while it lasts and leaves out both fields once it is over
// (an end in the past, the way the portal ends one early). It leaves the user with no bypass.
func (c *contract) bypassMFA(t *testing.T) {
	u := c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/users/" + c.tg.UserID + "/bypassMFA"
	put := func(until string) (int, map[string]any) {
		t.Helper()
		status, _, body := c.call(http.MethodPut, u, "application/json", `{"bypassMFAEnabledUntil":"`+until+`"}`, c.tok)
		return status, body
	}
	get := func() map[string]any {
		t.Helper()
		status, _, body := c.call(http.MethodGet, u, "", "", c.tok)
		if status != http.StatusOK {
			t.Fatalf("GET bypassMFA: %d %v", status, body)
		}
		return body
	}
	const format = "2006-01-02T15:04:05.000Z"
	until := time.Now().UTC().Add(time.Hour).Truncate(time.Millisecond)
	for _, bad := range []string{until.Format(time.RFC3339), until.Format("2006-01-02T15:04:05.000-07:00"), "tomorrow"} {
		if status, body := put(bad); status != http.StatusBadRequest {
			t.Errorf("PUT bypassMFA %q (not PingOne's one format): %d %v, want 400", bad, status, body)
		}
	}
	if status, body := put(until.Format(format)); status != http.StatusOK {
		t.Fatalf("PUT bypassMFA %s: %d %v", until.Format(format), status, body)
	}
	got := get()
	if got["bypassMFAEnabledUntil"] != until.Format(format) {
		t.Errorf("GET bypassMFA after setting it: %v, want bypassMFAEnabledUntil %s", got, until.Format(format))
	}
	if status, body := put(time.Now().UTC().Add(-time.Minute).Format(format)); status != http.StatusOK {
		t.Fatalf("PUT bypassMFA with an end in the past: %d %v", status, body)
	}
	got = get()
	for _, field := range []string{"bypassMFAEnabled", "bypassMFAEnabledUntil"} {
		if _, ok := got[field]; ok {
			t.Errorf("GET bypassMFA once it ended still has %s: %v", field, got)
		}
	}
	status, _, body := c.call(http.MethodGet, c.tg.APIBase+"/environments/"+c.tg.EnvironmentID+"/users/00000000-0000-4000-8000-000000000000/bypassMFA", "", "", c.tok)
	if status != http.StatusNotFound {
		t.Errorf("GET bypassMFA of no such user: %d %v, want 404", status, body)
	}
}
