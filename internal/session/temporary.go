package session

import "time"

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
