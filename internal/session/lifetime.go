package session

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/sessions"

	"github.com/smsmfa/portal/internal/messages"
)

// Manager loads sessions and ends them past their lifetimes.
type Manager struct {
	store  *sessions.CookieStore
	cookie string
	// Idle ends a session after this long without a request; Max this long after sign-in.
	idle, max time.Duration
	now       func() time.Time
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
}

// NewManager returns a Manager.
func NewManager(o Options) *Manager {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Manager{store: NewStore(o.Secrets, o.Secure, o.Max), cookie: CookieName(o.Secure), idle: o.Idle,
		max: o.Max, now: o.Now}
}

// Ended says why a session ended on its own: idle, or at its absolute lifetime (Limit).
type Ended struct {
	Idle  bool
	Limit time.Duration
}

// Load reads the request's session. A cookie that cannot be opened (old key, tampering)
// counts as no session. A signed-in session past its idle or absolute lifetime is emptied
// (the next sign-in asks for the password) and ended says why; the caller saves it then.
// changed is set when the session must be saved anyway (its last-seen time moved on).
func (m *Manager) Load(r *http.Request) (s *Session, ended *Ended, changed bool, err error) {
	gs, err := m.store.Get(r, m.cookie)
	if err != nil && gs == nil {
		return nil, nil, false, err
	}
	s = &Session{s: gs}
	if s.UserID() == "" {
		return s, nil, false, nil
	}
	now := m.now()
	switch {
	case now.Sub(s.time(keyCreated)) > m.max:
		ended = &Ended{Limit: m.max}
	case now.Sub(s.time(keySeen)) > m.idle:
		ended = &Ended{Idle: true, Limit: m.idle}
	case now.Sub(s.time(keySeen)) > time.Minute:
		// Refreshing "seen" at most once a minute keeps Set-Cookie off most answers.
		s.s.Values[keySeen] = now.Unix()
		return s, nil, true, nil
	default:
		return s, nil, false, nil
	}
	s.renew(now)
	s.s.Values[keyReauth] = true
	return s, ended, true, nil
}

// Flash is the message that tells the person why they were signed out.
func (e Ended) Flash() (messages.Key, map[string]string) {
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
	if e.Idle {
		return "idle"
	}
	return "absolute lifetime"
}
