package emulator

import (
	"net/http"
	"time"
)

// mfaSettings is the environment's MFA settings, as GET .../mfaSettings answers them.
type mfaSettings struct {
	MaxAllowedDevices int
	PairingKeyFormat  string
	LockoutCount      int
	LockoutDuration   time.Duration
	UpdatedAt         time.Time
}

// mfaSettingsJSON writes the settings in mfa.yaml's MFASettings shape. s.mu is held.
func (s *Server) mfaSettingsJSON() map[string]any {
	st := s.settings
	return map[string]any{
		"_links":          map[string]any{"self": map[string]string{"href": s.apiURL("/mfaSettings")}},
		"environment":     map[string]string{"id": s.envID},
		"pairing":         map[string]any{"maxAllowedDevices": st.MaxAllowedDevices, "pairingKeyFormat": st.PairingKeyFormat},
		"lockout":         map[string]any{"failureCount": st.LockoutCount, "durationSeconds": int(st.LockoutDuration / time.Second)},
		"phoneExtensions": map[string]any{"enabled": false},
		"updatedAt":       st.UpdatedAt.UTC().Format(timeFormat),
	}
}

func (s *Server) getMFASettings(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.mfaSettingsJSON())
}

// putMFASettings replaces the settings the portal depends on; PingOne's PUT replaces the
// whole object, and pairing is required.
func (s *Server) putMFASettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Pairing *struct {
			MaxAllowedDevices *int   `json:"maxAllowedDevices"`
			PairingKeyFormat  string `json:"pairingKeyFormat"`
		} `json:"pairing"`
		Lockout *struct {
			FailureCount    *int `json:"failureCount"`
			DurationSeconds int  `json:"durationSeconds"`
		} `json:"lockout"`
	}
	if !decodeBody(w, r, "application/json", &in) {
		return
	}
	switch {
	case missing(w, "pairing.maxAllowedDevices", in.Pairing == nil || in.Pairing.MaxAllowedDevices == nil):
		return
	case *in.Pairing.MaxAllowedDevices < 1 || *in.Pairing.MaxAllowedDevices > 15:
		invalid(w, "OUT_OF_RANGE", "pairing.maxAllowedDevices", "maxAllowedDevices must be between 1 and 15")
		return
	case in.Pairing.PairingKeyFormat != "" && in.Pairing.PairingKeyFormat != "NUMERIC" && in.Pairing.PairingKeyFormat != "ALPHANUMERIC":
		invalid(w, "INVALID_VALUE", "pairing.pairingKeyFormat", "pairingKeyFormat must be NUMERIC or ALPHANUMERIC")
		return
	case in.Lockout != nil && (in.Lockout.FailureCount == nil || *in.Lockout.FailureCount < 1 || in.Lockout.DurationSeconds < 0):
		invalid(w, "INVALID_VALUE", "lockout", "lockout needs a positive failureCount and a non-negative durationSeconds")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings.MaxAllowedDevices = *in.Pairing.MaxAllowedDevices
	if in.Pairing.PairingKeyFormat != "" {
		s.settings.PairingKeyFormat = in.Pairing.PairingKeyFormat
	}
	if in.Lockout != nil {
		s.settings.LockoutCount = *in.Lockout.FailureCount
		s.settings.LockoutDuration = time.Duration(in.Lockout.DurationSeconds) * time.Second
	}
	s.settings.UpdatedAt = s.now()
	writeJSON(w, http.StatusOK, s.mfaSettingsJSON())
}
