package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// activity is one event of the environment's audit log, as GET/POST .../activities answer it.
// The action types are PingOne's where its reference names them (USER.ACCESS_ALLOWED,
// DEVICE.CREATED, DEVICE.DELETED); the others are UNVERIFIED, named the same way.
type activity struct {
	ID, Type, Description, Status string
	UserID, Username              string
	RecordedAt                    time.Time
	// TransactionID is the caller's X-Ping-External-Transaction-ID, when it sent one.
	TransactionID string
}

// The action types the emulator records.
const (
	ActivitySignIn       = "USER.ACCESS_ALLOWED"
	ActivityWrongCode    = "AUTHENTICATION.OTP_FAILED"
	ActivityDeviceLocked = "DEVICE.LOCKED"
	ActivityDeviceAdded  = "DEVICE.CREATED"
	ActivityActivated    = "DEVICE.ACTIVATED"
	ActivityDeviceGone   = "DEVICE.DELETED"
	ActivityBypass       = "USER.MFA_BYPASS_UPDATED"
)

// record adds an activity about the user; s.mu is held. r is the request that caused it (nil
// for a sign-in step without one).
func (s *Server) record(r *http.Request, userID, typ, description, status string) {
	a := activity{ID: uuid.NewString(), Type: typ, Description: description, Status: status, UserID: userID, RecordedAt: s.now().UTC()}
	if u := s.users[userID]; u != nil {
		a.Username = u.Username
	}
	if r != nil {
		a.TransactionID = r.Header.Get("X-Ping-External-Transaction-ID")
	}
	s.activities = append(s.activities, a)
}

// Activities returns the activities recorded so far, oldest first (tests).
func (s *Server) Activities() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(s.activities))
	for _, a := range s.activities {
		out = append(out, s.activityJSON(a))
	}
	return out
}

func (s *Server) activityJSON(a activity) map[string]any {
	out := map[string]any{
		"id": a.ID, "recordedAt": a.RecordedAt.Format(timeFormat), "createdAt": a.RecordedAt.Format(timeFormat),
		"action":    map[string]any{"type": a.Type, "description": a.Description},
		"result":    map[string]any{"status": a.Status, "description": a.Description},
		"resources": []map[string]any{{"type": "USER", "id": a.UserID, "name": a.Username, "environment": map[string]string{"id": s.envID}}},
		"actors":    map[string]any{"user": map[string]any{"id": a.UserID, "name": a.Username, "type": "USER"}},
		"_links":    map[string]any{"self": map[string]string{"href": s.apiURL("/activities/" + a.ID)}},
	}
	if a.TransactionID != "" {
		out["correlationId"] = a.TransactionID
	}
	return out
}

// activityFilter is the part of a SCIM filter over activities the emulator understands: a
// recorded-at range, which PingOne requires, and the user (resources.id or actors.user.id).
type activityFilter struct {
	after, before time.Time
	userID        string
}

func (f activityFilter) match(a activity) bool {
	return a.RecordedAt.After(f.after) && a.RecordedAt.Before(f.before) && (f.userID == "" || a.UserID == f.userID)
}

// parseActivityFilter reads "recordedat gt \"…\" AND recordedat lt \"…\" [AND resources.id eq \"…\"]".
func parseActivityFilter(s string) (activityFilter, bool) {
	var f activityFilter
	e, err := parseFilterOf(s, true)
	if err != nil {
		return f, false
	}
	var terms []cmpExpr
	var walk func(filterExpr) bool
	walk = func(x filterExpr) bool {
		switch v := x.(type) {
		case cmpExpr:
			terms = append(terms, v)
			return true
		case boolExpr:
			return strings.EqualFold(v.op, "and") && walk(v.left) && walk(v.right)
		}
		return false
	}
	if !walk(e) {
		return f, false
	}
	for _, t := range terms {
		switch attr := strings.ToLower(t.attr); {
		case attr == "recordedat" && (t.op == "gt" || t.op == "ge"):
			f.after, err = time.Parse(time.RFC3339Nano, t.value)
		case attr == "recordedat" && (t.op == "lt" || t.op == "le"):
			f.before, err = time.Parse(time.RFC3339Nano, t.value)
		case (attr == "resources.id" || attr == "actors.user.id") && t.op == "eq":
			f.userID = t.value
		default:
			return f, false
		}
		if err != nil {
			return f, false
		}
	}
	return f, !f.after.IsZero() && !f.before.IsZero()
}

// postActivities answers POST .../activities: the filter in the body, limit and cursor in the
// query, newest first, with a next link while more remain.
func (s *Server) postActivities(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Filter string `json:"filter"`
	}
	if !decodeBody(w, r, "application/json", &in) {
		return
	}
	f, ok := parseActivityFilter(in.Filter)
	if !ok {
		invalid(w, "INVALID_FILTER", "filter", "The filter must name a recordedat range (recordedat gt \"…\" AND recordedat lt \"…\").")
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	s.mu.Lock()
	var found []activity
	for _, a := range s.activities {
		if f.match(a) {
			found = append(found, a)
		}
	}
	slices.Reverse(found)
	offset = min(max(offset, 0), len(found))
	end := min(offset+limit, len(found))
	page := make([]map[string]any, 0, end-offset)
	for _, a := range found[offset:end] {
		page = append(page, s.activityJSON(a))
	}
	s.mu.Unlock()
	links := map[string]any{"self": map[string]string{"href": s.apiURL("/activities")}}
	if end < len(found) {
		links["next"] = map[string]string{"href": s.apiURL("/activities") + "?limit=" + strconv.Itoa(limit) + "&cursor=" + strconv.Itoa(end)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"_links": links, "_embedded": map[string]any{"activities": page},
		"count": len(page), "size": len(page)})
}
