package session

import (
	"strings"
	"time"
)

// keyTemporary is the end (Unix seconds) of the temporary access the person had when they
// signed in (PingOne's MFA bypass), for the banner on every page and the step-up rule.
const keyTemporary = "tmp_until"

// SetTemporaryAccess keeps the end of the person's temporary access; zero forgets it.
func (s *Session) SetTemporaryAccess(until time.Time) {
	if until.IsZero() {
		delete(s.s.Values, keyTemporary)
		return
	}
	s.s.Values[keyTemporary] = until.Unix()
}

// TemporaryUntil returns the end of the person's temporary access, or zero.
func (s *Session) TemporaryUntil() time.Time { return s.time(keyTemporary) }

// keyReplaceReason is the help desk's reason for a replacement, kept from its first step (the
// new number) to its last (the code), so that its one audit record carries it.
const keyReplaceReason = "replace_reason"

// SetReplaceReason keeps the reason given for replacing a phone with the device newID.
func (s *Session) SetReplaceReason(newID, reason string) {
	s.s.Values[keyReplaceReason] = newID + " " + reason
}

// TakeReplaceReason returns and forgets the reason kept for the replacement by newID.
func (s *Session) TakeReplaceReason(newID string) string {
	v := s.str(keyReplaceReason)
	id, reason, ok := strings.Cut(v, " ")
	if !ok || id != newID {
		return ""
	}
	delete(s.s.Values, keyReplaceReason)
	return reason
}
