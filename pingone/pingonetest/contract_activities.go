package pingonetest

import (
	"net/http"
	"net/url"
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
	next := str(getPath(page, "_links", "next", "href"))
	if next == "" || !strings.Contains(next, "/activities") {
		t.Errorf("a full page has no next link: %v", page["_links"])
	}
	c.activitiesNextPage(t, u, body, next, acts)
	unknown := strings.Replace(body, c.tg.UserID, "00000000-0000-4000-8000-000000000000", 1)
	status, _, none := c.call(http.MethodPost, u, "application/json", unknown, c.tok)
	if got, _ := getPath(none, "_embedded", "activities").([]any); status != http.StatusOK || len(got) != 0 {
		t.Errorf("activities of no such user (the filter's resources.id): %d, %d activities, want 200 and none", status, len(got))
	}
	status, _, e := c.call(http.MethodPost, u, "application/json", `{"filter":"resources.id eq \"`+c.tg.UserID+`\""}`, c.tok)
	if status != http.StatusBadRequest {
		t.Errorf("a filter without a recorded-at range: %d %v, want 400", status, e)
	}
}

// activitiesNextPage holds the next link to what the client reads of it (pingone.nextCursor):
// its cursor, sent with the same filter, answers the activities after the first page's, none
// of them again.
func (c *contract) activitiesNextPage(t *testing.T, u, body, next string, first []any) {
	t.Helper()
	nu, err := url.Parse(next)
	cursor := ""
	if err == nil {
		cursor = nu.Query().Get("cursor")
	}
	if cursor == "" {
		t.Errorf("the next link %q has no cursor parameter", next)
		return
	}
	status, _, page := c.call(http.MethodPost, u+"?limit=2&cursor="+url.QueryEscape(cursor), "application/json", body, c.tok)
	acts, _ := getPath(page, "_embedded", "activities").([]any)
	if status != http.StatusOK || len(acts) == 0 {
		t.Fatalf("POST activities with the next link's cursor: %d, %d activities: %v", status, len(acts), page)
	}
	seen := map[string]bool{}
	for _, a := range first {
		m, _ := a.(map[string]any)
		seen[str(m["id"])] = true
	}
	for _, a := range acts {
		m, _ := a.(map[string]any)
		if id := str(m["id"]); seen[id] {
			t.Errorf("the second page repeats activity %s of the first", id)
		}
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
