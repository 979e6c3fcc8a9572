package session

import (
	"strconv"
	"strings"
	"time"
)

// keyConfirmed is a change the person confirmed on a form (CSRF-checked) that waits for the
// step-up PingOne is asked for next: "action unix-seconds". It lets the step-up come after the
// question, not before it (issue #25: "Remove?" first, then the password and the code).
const keyConfirmed = "confirmed"

// SetConfirmed keeps action (such as "remove:<device ID>") as confirmed at now.
func (s *Session) SetConfirmed(action string, now time.Time) {
	s.s.Values[keyConfirmed] = action + " " + strconv.FormatInt(now.Unix(), 10)
}

// TakeConfirmed reports whether action was confirmed less than maxAge before now, and forgets
// any confirmed action: each is used once. The caller saves the session.
func (s *Session) TakeConfirmed(action string, now time.Time, maxAge time.Duration) bool {
	v := s.str(keyConfirmed)
	if v == "" {
		return false
	}
	delete(s.s.Values, keyConfirmed)
	got, at, ok := strings.Cut(v, " ")
	sec, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || got != action {
		return false
	}
	age := now.Sub(time.Unix(sec, 0))
	return age >= 0 && age < maxAge
}

// confirmedFor is the confirmed action to keep across a sign-in of userID (the step-up's): only
// the same person's, so nothing confirmed before carries over to someone else.
func (s *Session) confirmedFor(userID string) string {
	if userID == "" || s.str(keyUserID) != userID {
		return ""
	}
	return s.str(keyConfirmed)
}
