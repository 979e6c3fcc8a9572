package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"

	"github.com/smsmfa/portal/internal/ids"
)

// CSRFToken is the token every form that changes something posts back. It is derived from
// the session's secret, so the secret itself never appears in a page.
func (s *Session) CSRFToken() string {
	secret := s.str(keyCSRF)
	if secret == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("csrf-form-token"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether a form's token is this session's.
func (s *Session) CheckCSRF(token string) bool {
	want := s.CSRFToken()
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1
}

// RotateCSRF gives the session a new CSRF secret: done whenever its privileges change.
func (s *Session) RotateCSRF() { s.s.Values[keyCSRF] = ids.Token(32) }
