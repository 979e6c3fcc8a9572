package pingonetest

// SetNickname names one of the user's devices, as PUT .../devices/{id}/nickname does.
func (s *Server) SetNickname(userID, deviceID, nickname string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.userDevice(userID, deviceID); d != nil {
		d.Nickname = nickname
	}
}
