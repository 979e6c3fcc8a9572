package session

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/messages"
)

// TestKeyRotation: a cookie signed with the old key still opens once a new key is put first;
// a cookie from a removed key does not.
func TestKeyRotation(t *testing.T) {
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	write := NewStore([][]byte{oldKey}, false, time.Hour)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	s, _ := write.Get(req, "mfa_session")
	s.Values[keyUserID] = "u1"
	if err := s.Save(req, rec); err != nil {
		t.Fatal(err)
	}
	cookie := rec.Result().Cookies()[0]
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || strings.Contains(cookie.Value, "u1") {
		t.Fatalf("cookie %+v", cookie)
	}
	read := func(keys ...[]byte) string {
		st := NewStore(keys, false, time.Hour)
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(cookie)
		s, _ := st.Get(r, "mfa_session")
		v, _ := s.Values[keyUserID].(string)
		return v
	}
	if got := read(newKey, oldKey); got != "u1" {
		t.Fatalf("after rotation the old cookie reads %q", got)
	}
	if got := read(newKey); got != "" {
		t.Fatalf("a cookie from a retired key still reads %q", got)
	}
	secure := NewStore([][]byte{newKey}, true, time.Hour)
	if !secure.Options.Secure || CookieName(true) != "__Host-mfa_session" {
		t.Fatal("HTTPS sessions must be Secure and __Host-")
	}
}

// roundTrip saves the session as a cookie and loads it back through the manager at now.
func roundTrip(t *testing.T, m *Manager, s *Session) (*Session, *Ended) {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := s.Save(httptest.NewRequest("GET", "/", nil), rec); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	got, ended, _, err := m.Load(req)
	if err != nil {
		t.Fatal(err)
	}
	return got, ended
}

func TestLifetimesAndFlash(t *testing.T) {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	now := start
	m := NewManager(Options{Secrets: [][]byte{[]byte(strings.Repeat("k", 32))}, Idle: 30 * time.Minute, Max: 8 * time.Hour,
		Now: func() time.Time { return now }})
	s, ended, _, err := m.Load(httptest.NewRequest("GET", "/", nil))
	if err != nil || ended != nil || s.UserID() != "" {
		t.Fatalf("no cookie: %v %v %q", err, ended, s.UserID())
	}
	s.SetFlash(Success, messages.AddSentSelf, map[string]string{"Device": "+1 •••-•••-1234"})
	s.SignIn(now, SignedIn{User: User{ID: "u1", Name: "Erin", Username: "erin"}, ACR: "Single_Factor", AuthTime: now})
	csrf := s.CSRFToken()
	for _, tc := range []struct {
		name  string
		after time.Duration
		want  messages.Key
	}{
		{"active", 20 * time.Minute, ""},
		{"active again", 45 * time.Minute, ""},
		{"idle", 80 * time.Minute, messages.SessionEndedIdleMinutes},
	} {
		now = start.Add(tc.after)
		got, ended := roundTrip(t, m, s)
		if tc.want == "" {
			if ended != nil || got.UserID() != "u1" || !got.CheckCSRF(csrf) {
				t.Fatalf("%s: ended %v, user %q", tc.name, ended, got.UserID())
			}
			s = got
			continue
		}
		if key, data := ended.Flash(); ended == nil || key != tc.want || data["N"] != "30" || got.UserID() != "" || !got.NeedsPassword() || got.CheckCSRF(csrf) {
			t.Fatalf("%s: ended %+v, user %q", tc.name, ended, got.UserID())
		}
	}
	f, ok := s.TakeFlash()
	if !ok || f.Key != messages.AddSentSelf || f.Data["Device"] != "+1 •••-•••-1234" || f.Kind != Success {
		t.Fatalf("the flash did not survive sign-in: %+v", f)
	}
	if _, ok := s.TakeFlash(); ok {
		t.Fatal("a flash shows once")
	}
	if key, data := (Ended{Limit: 8 * time.Hour}).Flash(); key != messages.SessionEndedMaxHours || data["N"] != "8" {
		t.Fatalf("absolute: %s %v", key, data)
	}
}

func TestStaffChangeRotatesCSRF(t *testing.T) {
	m := NewManager(Options{Secrets: [][]byte{[]byte(strings.Repeat("k", 32))}, Idle: time.Hour, Max: time.Hour})
	s, _, _, _ := m.Load(httptest.NewRequest("GET", "/", nil))
	s.SignIn(time.Now(), SignedIn{User: User{ID: "u1"}})
	before := s.CSRFToken()
	if s.SetStaff(false) || s.CSRFToken() != before {
		t.Fatal("no change must keep the CSRF secret")
	}
	if !s.SetStaff(true) || s.CSRFToken() == before || !s.Staff() {
		t.Fatal("becoming staff must renew the CSRF secret")
	}
}
