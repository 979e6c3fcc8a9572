package session

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/store"
)

// Manager loads sessions and ends them past their lifetimes.
type Manager struct {
	store  *sessions.CookieStore
	cookie string
	// Idle ends a session after this long without a request; Max this long after sign-in.
	idle, max time.Duration
	now       func() time.Time
	// records holds each session's server-side record.
	records store.Sessions
	// unopened is told of each cookie that no session key opens.
	unopened func(ctx context.Context)
}

// Options configure a Manager.
type Options struct {
	// Secrets are the session keys, the first signing (see NewStore).
	Secrets [][]byte
	// Secure is set when the portal is reached over HTTPS.
	Secure bool
	// Idle and Max are the idle and absolute lifetimes.
	Idle, Max time.Duration
	Now       func() time.Time
	// Store holds the server-side session records, shared by every instance; nil means one in
	// memory, for a single instance.
	Store store.Store
	// Unopened, when set, is called for each session cookie that no key in Secrets opens (its
	// signature does not match: another instance's SESSION_KEYS, a key rotated out too soon,
	// or tampering). The person just starts without a session; the operator should know.
	Unopened func(ctx context.Context)
}

// NewManager returns a Manager.
func NewManager(o Options) *Manager {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Store == nil {
		o.Store = store.NewMemory(store.MemoryOptions{Now: o.Now})
	}
	return &Manager{store: NewStore(o.Secrets, o.Secure, o.Max), cookie: CookieName(o.Secure), idle: o.Idle,
		max: o.Max, now: o.Now, records: store.Sessions{S: o.Store, Idle: o.Idle}, unopened: o.Unopened}
}

// Ended says why a session ended on its own: idle, or at its absolute lifetime (Limit), or
// Revoked: the server holds no record of it (signed out, perhaps on another instance or
// from another copy of the cookie).
type Ended struct {
	Idle    bool
	Revoked bool
	Limit   time.Duration
}

// Load reads the request's session. A cookie that cannot be opened (old key, tampering)
// counts as no session. A signed-in session past its idle or absolute lifetime, or without a
// record on the server (signed out), is emptied (the next sign-in asks for the password) and
// ended says why; the caller saves it then. changed is set when the session must be saved
// anyway (its last-seen time moved on). When the store cannot be asked, err wraps
// store.ErrUnavailable: a session that cannot be checked is not let through.
func (m *Manager) Load(r *http.Request) (s *Session, ended *Ended, changed bool, err error) {
	gs, err := m.store.Get(r, m.cookie)
	if err != nil && gs == nil {
		return nil, nil, false, err
	}
	if err != nil && m.unopened != nil && signatureMismatch(err) {
		m.unopened(r.Context())
	}
	s = &Session{s: gs, m: m}
	if s.UserID() == "" {
		return s, nil, false, nil
	}
	now := m.now()
	switch {
	case now.Sub(s.time(keyCreated)) > m.max:
		ended = &Ended{Limit: m.max}
	case now.Sub(s.time(keySeen)) > m.idle:
		ended = &Ended{Idle: true, Limit: m.idle}
	default:
		rec, err := m.records.Get(r.Context(), s.str(keySID))
		if err != nil {
			return nil, nil, false, err
		}
		if rec == nil || rec.UserID != s.UserID() {
			ended = &Ended{Revoked: true}
			break
		}
		s.checked, s.idToken = rec.Checked, rec.IDToken
		if now.Sub(s.time(keySeen)) > time.Minute {
			// Refreshing "seen" (and the record's lifetime) at most once a minute keeps
			// Set-Cookie off most answers and the store's writes few.
			s.s.Values[keySeen] = now.Unix()
			s.write = true
			return s, nil, true, nil
		}
		return s, nil, false, nil
	}
	if !ended.Revoked {
		// A record past its lifetime is ended on the server too; a revoked one is gone already.
		s.end()
	}
	s.renew(now)
	s.s.Values[keyReauth] = true
	return s, ended, true, nil
}

// signatureMismatch reports whether a cookie failed to open because no key's signature
// matched (rather than, say, its own timestamp being too old).
func signatureMismatch(err error) bool {
	var me securecookie.MultiError
	if !errors.As(err, &me) {
		return errors.Is(err, securecookie.ErrMacInvalid)
	}
	for _, e := range me {
		if errors.Is(e, securecookie.ErrMacInvalid) {
			return true
		}
	}
	return false
}

// Flash is the message that tells the person why they were signed out.
func (e Ended) Flash() (messages.Key, map[string]string) {
	if e.Revoked {
		return messages.SessionEndedRevoked, nil
	}
	d := e.Limit
	keys := [3]messages.Key{messages.SessionEndedMaxHours, messages.SessionEndedMaxMinutes, messages.SessionEndedMax}
	if e.Idle {
		keys = [3]messages.Key{messages.SessionEndedIdleHours, messages.SessionEndedIdleMinutes, messages.SessionEndedIdle}
	}
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return keys[0], map[string]string{"N": strconv.Itoa(int(d.Hours()))}
	case d >= time.Minute:
		return keys[1], map[string]string{"N": strconv.Itoa(int(d.Minutes()))}
	}
	return keys[2], map[string]string{"Duration": d.String()}
}

// Reason names the lifetime that ended the session, for the log.
func (e Ended) Reason() string {
	if e.Revoked {
		return "signed out on the server"
	}
	if e.Idle {
		return "idle"
	}
	return "absolute lifetime"
}
