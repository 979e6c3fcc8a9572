package emulator

// SetNickname names one of the user's devices, as PUT .../devices/{id}/nickname does.
func (s *Server) SetNickname(userID, deviceID, nickname string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.userDevice(userID, deviceID); d != nil {
		d.Nickname = nickname
	}
}

// RecordEmail puts an email someone else sent (the portal's notices in demo mode) in the
// emulator's email outbox, beside PingOne's own.
func (s *Server) RecordEmail(to, subject, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emails = append(s.emails, Email{To: to, Subject: subject, Text: text, SentAt: s.now().UTC()})
}
