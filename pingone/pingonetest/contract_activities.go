package pingonetest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// activities holds the environment to PingOne's audit activities (docs/pingone-api.md): a POST
// with the SCIM filter in the body (a recorded-at range and the user) answers the user's
// events, newest first, each with an id, recordedAt, an action type and a result; a filter
// without the recorded-at range is refused. It runs after the parts that changed the user's
// devices and bypass, so there is something to find.
func (c *contract) activities(t *testing.T) {
	u := c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/activities"
	const format = "2006-01-02T15:04:05.000Z"
	from, to := time.Now().UTC().Add(-14*24*time.Hour).Format(format), time.Now().UTC().Add(time.Minute).Format(format)
	body := `{"filter":"recordedat gt \"` + from + `\" AND recordedat lt \"` + to + `\" AND resources.id eq \"` + c.tg.UserID + `\""}`
	status, _, page := c.call(http.MethodPost, u+"?limit=2", "application/json", body, c.tok)
	if status != http.StatusOK {
		t.Fatalf("POST activities: %d %v", status, page)
	}
	acts, _ := getPath(page, "_embedded", "activities").([]any)
	if len(acts) == 0 || len(acts) > 2 {
		t.Fatalf("activities of a user whose devices changed: %d (limit 2): %v", len(acts), page)
	}
	var last time.Time
	for i, a := range acts {
		m, _ := a.(map[string]any)
		at, err := time.Parse(time.RFC3339Nano, str(m["recordedAt"]))
		if err != nil || str(m["id"]) == "" || str(getPath(m, "action", "type")) == "" || str(getPath(m, "result", "status")) == "" {
			t.Errorf("activity %d lacks id, recordedAt, action.type or result.status: %v", i, m)
		}
		if i > 0 && at.After(last) {
			t.Errorf("activities are not newest first: %v after %v", at, last)
		}
		last = at
	}
	if next := str(getPath(page, "_links", "next", "href")); next == "" || !strings.Contains(next, "/activities") {
		t.Errorf("a full page has no next link: %v", page["_links"])
	}
	status, _, e := c.call(http.MethodPost, u, "application/json", `{"filter":"resources.id eq \"`+c.tg.UserID+`\""}`, c.tok)
	if status != http.StatusBadRequest {
		t.Errorf("a filter without a recorded-at range: %d %v, want 400", status, e)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
