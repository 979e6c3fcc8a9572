// Package session is the portal's signed-in state: an encrypted cookie (gorilla/sessions)
// holding who the person is, their CSRF secret, the sign-in in progress, their proof of MFA
// and a flash message (a catalog key and its fields), and a record of the session in the shared
// store (with the sign-in's ID token, PingOne's sign-out hint), so that signing out (or an
// account disabled in PingOne) ends it everywhere, a copied cookie included. It never holds a PingOne worker token or a full phone number. It also ends
// sessions past their idle or absolute lifetime.
package session

import (
	"crypto/hkdf"
	"crypto/sha256"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/smsmfa/portal/internal/auth"
	"github.com/smsmfa/portal/internal/mfa"
)

// Cookie keys.
const (
	keyUserID   = "uid"
	keyName     = "name"
	keyUsername = "username"
	keyStaff    = "staff"
	keyAuthTime = "auth_time"
	keyACR      = "acr"
	keyAMR      = "amr"
	// keyIDToken held the ID token in cookies written before it moved to the record.
	keyIDToken    = "idt"
	keyCSRF       = "csrf"
	keyCreated    = "created"
	keySeen       = "seen"
	keyFlash      = "flash"
	keyFlashKind  = "flash_kind"
	keyFlashData  = "flash_data"
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
	// texted to it.
	keyProof = "proof"
	// keyMFAOff is set when the sign-in's read of the user found mfaEnabled off: turning it on
	// after the first phone then needs no second read.
	keyMFAOff = "mfa_off"
	// keyMailbox is when this session last typed a code PingOne emailed to the person's
	// directory address (FIRST_PHONE_PROOF=email, issue #21).
	keyMailbox = "mailbox"
	// keyStaffPhones is the auth_time of the MFA sign-in whose devices were found old enough
	// for the help desk (issue #21): the check is made once per sign-in.
	keyStaffPhones = "staff_phones"
)

// NewStore returns the cookie store for the session keys: each secret yields an HMAC key and
// an AES key; the first pair signs and encrypts, the others only open old cookies.
func NewStore(secrets [][]byte, secure bool, maxAge time.Duration) *sessions.CookieStore {
	var pairs [][]byte
	for _, s := range secrets {
		hashKey, _ := hkdf.Key(sha256.New, s, nil, "mfa-portal session hmac", 64)
		blockKey, _ := hkdf.Key(sha256.New, s, nil, "mfa-portal session aes", 32)
		pairs = append(pairs, hashKey, blockKey)
	}
	st := sessions.NewCookieStore(pairs...)
	for _, c := range st.Codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.SetSerializer(valueCodec{})
		}
	}
	st.Options = &sessions.Options{Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
		MaxAge: int(maxAge.Seconds())}
	st.MaxAge(int(maxAge.Seconds()))
	return st
}

// CookieName is the session cookie's name: with HTTPS, __Host- binds it to this host, HTTPS
// and path /, so no subdomain can set it.
func CookieName(secure bool) string {
	if secure {
		return "__Host-mfa_session"
	}
	return "mfa_session"
}

// Session is one request's session.
type Session struct {
	s *sessions.Session
	m *Manager
	// checked is the record's last account check (Unix seconds); write asks Save to write the
	// record, fresh marks a record just made (no end mark to look for); ended are session IDs
	// whose records Save deletes.
	checked      int64
	write, fresh bool
	ended        []string
	// idToken is the sign-in's ID token, kept in the record (record.IDToken).
	idToken string
}

func (s *Session) str(k string) string {
	v, _ := s.s.Values[k].(string)
	return v
}

func (s *Session) bool(k string) bool {
	v, _ := s.s.Values[k].(bool)
	return v
}

func (s *Session) time(k string) time.Time {
	v, _ := s.s.Values[k].(int64)
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(v, 0)
}

// Save writes the session's server-side record changes, then the cookie. A store outage is an
// error wrapping store.ErrUnavailable, and no cookie is written then.
func (s *Session) Save(r *http.Request, w http.ResponseWriter) error {
	if s.m != nil {
		if err := s.saveRecords(r.Context()); err != nil {
			return err
		}
	}
	return s.s.Save(r, w)
}

// User is the signed-in person.
type User struct {
	ID, Name, Username string
}

// UserID is the signed-in person's PingOne ID, or "".
func (s *Session) UserID() string { return s.str(keyUserID) }

// User is the signed-in person (zero when nobody is).
func (s *Session) User() User {
	return User{ID: s.UserID(), Name: s.str(keyName), Username: s.str(keyUsername)}
}

// Staff reports whether the person was help-desk staff when last checked.
func (s *Session) Staff() bool { return s.bool(keyStaff) }

// SetStaff records a change in the person's privileges, with a new CSRF secret so that no
// form from before the change is accepted. It reports whether anything changed.
func (s *Session) SetStaff(staff bool) bool {
	if staff == s.Staff() {
		return false
	}
	s.s.Values[keyStaff] = staff
	s.RotateCSRF()
	return true
}

// renew empties the session and gives it a new CSRF secret: used at sign-in and sign-out, so
// nothing from before (a planted cookie included) survives a change of privilege.
func (s *Session) renew(now time.Time) {
	clear(s.s.Values)
	s.idToken = ""
	s.RotateCSRF()
	s.s.Values[keyCreated] = now.Unix()
	s.s.Values[keySeen] = now.Unix()
}

// StartSignIn keeps the sign-in in progress: PingOne's answer must match the flow, and the
// person goes back to returnTo. stepUp marks a sign-in that must prove MFA.
func (s *Session) StartSignIn(now time.Time, flow auth.Flow, returnTo string, stepUp bool) {
	if s.str(keyCSRF) == "" {
		s.renew(now)
	}
	s.s.Values[keyState] = flow.State
	s.s.Values[keyNonce] = flow.Nonce
	s.s.Values[keyVerifier] = flow.Verifier
	s.s.Values[keyReturnTo] = returnTo
	s.s.Values[keyStepUp] = stepUp
}

// SignInInProgress returns what StartSignIn kept.
func (s *Session) SignInInProgress() (flow auth.Flow, returnTo string, stepUp bool) {
	return auth.Flow{State: s.str(keyState), Nonce: s.str(keyNonce), Verifier: s.str(keyVerifier)},
		s.str(keyReturnTo), s.bool(keyStepUp)
}

// NeedsPassword reports whether the next sign-in must ask PingOne for the password again.
func (s *Session) NeedsPassword() bool { return s.bool(keyReauth) }

// SignedIn is what a finished sign-in puts in the session.
type SignedIn struct {
	User     User
	Staff    bool
	AuthTime time.Time
	ACR      string
	// AMR are the sign-in's methods as PingOne reported them (nil when it sent none).
	AMR     []string
	IDToken string
	// MFAEnabled is the user's mfaEnabled as the sign-in read it.
	MFAEnabled bool
}

// SignIn starts a new session for the person, keeping only the flash message.
func (s *Session) SignIn(now time.Time, in SignedIn) {
	flash := s.takeFlashValues()
	confirmed := s.confirmedFor(in.User.ID)
	// A session from before (a planted cookie included) ends on the server too.
	s.end()
	s.renew(now)
	for k, v := range flash {
		s.s.Values[k] = v
	}
	if confirmed != "" {
		s.s.Values[keyConfirmed] = confirmed
	}
	s.s.Values[keyUserID] = in.User.ID
	s.s.Values[keyName] = in.User.Name
	s.s.Values[keyUsername] = in.User.Username
	s.s.Values[keyStaff] = in.Staff
	if !in.AuthTime.IsZero() {
		s.s.Values[keyAuthTime] = in.AuthTime.Unix()
	}
	s.s.Values[keyACR] = in.ACR
	s.s.Values[keyAMR] = strings.Join(in.AMR, " ")
	s.idToken = in.IDToken
	s.s.Values[keySID] = newSID()
	if !in.MFAEnabled {
		s.s.Values[keyMFAOff] = true
	}
	s.checked, s.write, s.fresh = now.Unix(), true, true
}

// SignOut empties the session and deletes the cookie when saved; it returns the ID token
// PingOne's sign-out wants as a hint.
func (s *Session) SignOut(now time.Time) (idToken string) {
	idToken = s.idToken
	s.end()
	s.renew(now)
	s.s.Options.MaxAge = -1
	return idToken
}

// Revoke ends the session on every instance because the account may no longer be used
// (disabled or deleted in PingOne); the next sign-in asks PingOne for the password again, so
// PingOne's own session cannot sign the person straight back in.
func (s *Session) Revoke(now time.Time) {
	s.end()
	s.renew(now)
	s.s.Values[keyReauth] = true
}

// Proof is what the session shows about the person's last proof of MFA.
func (s *Session) Proof() mfa.Proof {
	return mfa.Proof{ACR: s.str(keyACR), AuthTime: s.time(keyAuthTime), AMR: strings.Fields(s.str(keyAMR)), CodeTyped: s.time(keyProof),
		MailboxProved: s.time(keyMailbox), TemporaryUntil: s.TemporaryUntil(), Staff: s.Staff()}
}

// CodeTyped records that the person typed a code PingOne texted to one of their phones.
func (s *Session) CodeTyped(now time.Time) { s.s.Values[keyProof] = now.Unix() }

// MailboxProved records that the person typed a code PingOne emailed to their directory
// address.
func (s *Session) MailboxProved(now time.Time) { s.s.Values[keyMailbox] = now.Unix() }

// StaffPhonesSettled reports whether the help desk found the person's devices old enough for
// the MFA sign-in at authTime.
func (s *Session) StaffPhonesSettled(authTime time.Time) bool {
	return !authTime.IsZero() && s.time(keyStaffPhones).Equal(time.Unix(authTime.Unix(), 0))
}

// SetStaffPhonesSettled records that the person's devices were old enough for the MFA sign-in
// at authTime: no device added after that sign-in can have proved it.
func (s *Session) SetStaffPhonesSettled(authTime time.Time) {
	s.s.Values[keyStaffPhones] = authTime.Unix()
}

// MFAOff reports whether the sign-in found the person's mfaEnabled off, and the portal has not
// turned it on since (SetMFAOn).
func (s *Session) MFAOff() bool { return s.bool(keyMFAOff) }

// SetMFAOn records that the portal turned the person's mfaEnabled on.
func (s *Session) SetMFAOn() { delete(s.s.Values, keyMFAOff) }

// MFAPending reports whether a phone was verified but turning MFA on failed then.
func (s *Session) MFAPending() bool { return s.bool(keyMFAPending) }

// SetMFAPending marks or clears that state.
func (s *Session) SetMFAPending(pending bool) {
	if pending {
		s.s.Values[keyMFAPending] = true
		return
	}
	delete(s.s.Values, keyMFAPending)
}
