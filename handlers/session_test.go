package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSessionKeyRotation: a cookie signed with the old key still opens once a new key is put
// first; a cookie from a removed key does not.
func TestSessionKeyRotation(t *testing.T) {
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	write := NewSessionStore([][]byte{oldKey}, false, time.Hour)
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
		st := NewSessionStore(keys, false, time.Hour)
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
	secure := NewSessionStore([][]byte{newKey}, true, time.Hour)
	if !secure.Options.Secure {
		t.Fatal("HTTPS sessions must be Secure")
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/enroll": "/enroll", "/devices?x=1": "/devices?x=1", "": "", "//evil.example": "", "/\\evil.example": "",
		"https://evil.example/": "", "javascript:alert(1)": "", "/a\r\nSet-Cookie: x": "", "evil": "",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/enroll", "//evil", "/\\evil", "https://x", "/%2F%2Fevil", "/./..//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := localPath(in)
		if out == "" {
			return
		}
		// Whatever it lets through, a browser resolves on this site.
		base, _ := http.NewRequest("GET", "https://portal.example/x", nil)
		u, err := base.URL.Parse(out)
		if err != nil || u.Host != "portal.example" || u.Scheme != "https" {
			t.Fatalf("localPath(%q) = %q leaves the site: %v", in, out, u)
		}
	})
}
