package handlers

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

// Session keys. The session holds who the person is, their CSRF secret, pending sign-in state
// and a flash message; never a PingOne worker token, never a phone number.
const (
	keyUserID     = "uid"
	keyName       = "name"
	keyUsername   = "username"
	keyStaff      = "staff"
	keyAuthTime   = "auth_time"
	keyACR        = "acr"
	keyIDToken    = "idt"
	keyCSRF       = "csrf"
	keyCreated    = "created"
	keySeen       = "seen"
	keyFlash      = "flash"
	keyFlashKind  = "flash_kind"
	keyState      = "oidc_state"
	keyNonce      = "oidc_nonce"
	keyVerifier   = "oidc_verifier"
	keyReturnTo   = "return_to"
	keyMFAPending = "mfa_pending"
	// keyReauth asks the next sign-in for a fresh password (prompt=login): after an idle or
	// absolute timeout, PingOne's own session must not sign the person straight back in.
	keyReauth = "reauth"
	// keyStepUp marks a sign-in started to prove MFA: its answer must carry the step-up acr.
	keyStepUp = "step_up"
	// keyProof is when this session last proved possession of a phone by typing the code PingOne
	// texted to it: as good as an MFA sign-in for the step-up age.
	keyProof = "proof"
)

// NewSessionStore returns the cookie store for the session keys: each secret yields an HMAC
// key and an AES key; the first pair signs and encrypts, the others only open old cookies.
func NewSessionStore(secrets [][]byte, secure bool, maxAge time.Duration) *sessions.CookieStore {
	var pairs [][]byte
	for _, s := range secrets {
		hashKey, _ := hkdf.Key(sha256.New, s, nil, "mfa-portal session hmac", 64)
		blockKey, _ := hkdf.Key(sha256.New, s, nil, "mfa-portal session aes", 32)
		pairs = append(pairs, hashKey, blockKey)
	}
	st := sessions.NewCookieStore(pairs...)
	st.Options = &sessions.Options{Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
		MaxAge: int(maxAge.Seconds())}
	st.MaxAge(int(maxAge.Seconds()))
	return st
}

type session struct{ s *sessions.Session }

func (s *session) str(k string) string {
	v, _ := s.s.Values[k].(string)
	return v
}

func (s *session) bool(k string) bool {
	v, _ := s.s.Values[k].(bool)
	return v
}

func (s *session) time(k string) time.Time {
	v, _ := s.s.Values[k].(int64)
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(v, 0)
}

func (s *session) userID() string { return s.str(keyUserID) }

func (s *session) csrfToken() string {
	secret := s.str(keyCSRF)
	if secret == "" {
		return ""
	}
	// The token is derived from the secret, so the secret itself never appears in a page.
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("csrf-form-token"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *session) checkCSRF(token string) bool {
	want := s.csrfToken()
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1
}

func (s *session) flash(kind, text string) {
	s.s.Values[keyFlash] = text
	s.s.Values[keyFlashKind] = kind
}

// rotateCSRF gives the session a new CSRF secret: done whenever its privileges change.
func (s *session) rotateCSRF() { s.s.Values[keyCSRF] = randomString(32) }

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// renew empties the session and gives it a new CSRF secret: used at sign-in and sign-out, so
// nothing from before (a planted cookie included) survives a change of privilege.
func (s *session) renew(now time.Time) {
	for k := range s.s.Values {
		delete(s.s.Values, k)
	}
	s.s.Values[keyCSRF] = randomString(32)
	s.s.Values[keyCreated] = now.Unix()
	s.s.Values[keySeen] = now.Unix()
}

const sessCtxKey = "portal.session"

// sess returns the request's session (loaded by loadSession), or nil.
func (h *Handler) sess(c echo.Context) *session {
	s, _ := c.Get(sessCtxKey).(*session)
	return s
}

func (h *Handler) save(c echo.Context) error {
	s := h.sess(c)
	if s == nil {
		return nil
	}
	return s.s.Save(c.Request(), c.Response())
}
