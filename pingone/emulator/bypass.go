package emulator

import (
	"net/http"
	"regexp"
	"time"
)

// bypassFormat is the one form of bypassMFAEnabledUntil PingOne accepts ("the date format of
// its example is the only one accepted", docs/pingone-api.md): UTC to the millisecond.
var bypassFormat = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// bypassJSON is GET and PUT bypassMFA's answer: both fields while a bypass is active, neither
// otherwise. UNVERIFIED: the boolean's name (the reference pages show the until field only).
func (s *Server) bypassJSON(u *user) map[string]any {
	out := map[string]any{"_links": map[string]any{"self": map[string]string{"href": s.apiURL("/users/" + u.ID + "/bypassMFA")}}}
	if s.now().Before(u.BypassUntil) {
		out["bypassMFAEnabled"] = true
		out["bypassMFAEnabledUntil"] = u.BypassUntil.UTC().Format(timeFormat)
	}
	return out
}

func (s *Server) getBypassMFA(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *user) { writeJSON(w, http.StatusOK, s.bypassJSON(u)) })
}

// putBypassMFA sets the end of the user's bypass. An end in the past ends it (UNVERIFIED: how
// PingOne ends a bypass early is not documented; this is the documented-nearest).
func (s *Server) putBypassMFA(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Until *string `json:"bypassMFAEnabledUntil"`
	}
	if !decodeBody(w, r, "application/json", &in) || missing(w, "bypassMFAEnabledUntil", in.Until == nil) {
		return
	}
	until, err := time.Parse(timeFormat, *in.Until)
	if !bypassFormat.MatchString(*in.Until) || err != nil {
		invalid(w, "INVALID_VALUE", "bypassMFAEnabledUntil", "bypassMFAEnabledUntil must be a date-time such as 2025-11-30T00:00:00.000Z")
		return
	}
	s.withUser(w, r, func(u *user) {
		u.BypassUntil = until
		s.record(r, u.ID, ActivityBypass, "MFA bypass until "+until.UTC().Format(timeFormat), "SUCCESS")
		writeJSON(w, http.StatusOK, s.bypassJSON(u))
	})
}

// BypassUntil returns the end of the user's MFA bypass, or zero when none holds now. While one
// holds, the sign-in asks for the password alone, and amr says ["pwd"].
func (s *Server) BypassUntil(userID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[userID]; u != nil && s.now().Before(u.BypassUntil) {
		return u.BypassUntil
	}
	return time.Time{}
}

// SetMFAEnabled sets a user's mfaEnabled, as PUT .../mfaEnabled does.
func (s *Server) SetMFAEnabled(userID string, enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[userID]; u != nil {
		u.MFAEnabled = enabled
	}
}
