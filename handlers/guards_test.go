package handlers

import (
	"net/http"
	"testing"
)

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
