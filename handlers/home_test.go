package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// rawGet sends one GET with the given headers through a client that neither decompresses nor
// follows redirects, and returns the answer with its body as sent.
func rawGet(t *testing.T, c *http.Client, u string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestSignedOutHomeIsSharedPerLanguage checks the start page, which is rendered and compressed
// once per language (pageCache): gzipped and plain say the same, each language gets its own
// words, the security headers and a fresh request ID are on every answer, and a page with
// something for one person (a flash, a link's ?lang=) is not the shared one.
func TestSignedOutHomeIsSharedPerLanguage(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("SESSION_IDLE_TIMEOUT", "10m"))
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	ids := map[string]bool{}
	for _, tc := range []struct{ accept, lang, heading string }{
		{"", "en", "Get sign-in codes by text message"},
		{"de", "de", "Anmeldecodes per SMS erhalten"},
		{"ar", "ar", "استلام رموز تسجيل الدخول برسالة نصية"},
		{"", "en", "Get sign-in codes by text message"}, // again: from the cache now
	} {
		plainResp, plain := rawGet(t, raw, env.URL+"/", map[string]string{"Accept-Language": tc.accept})
		gzResp, gz := rawGet(t, raw, env.URL+"/", map[string]string{"Accept-Language": tc.accept, "Accept-Encoding": "gzip"})
		if got := gzResp.Header.Get("Content-Encoding"); got != "gzip" {
			t.Fatalf("%s: Content-Encoding %q with gzip asked for", tc.lang, got)
		}
		if got := plainResp.Header.Get("Content-Encoding"); got != "" {
			t.Fatalf("%s: Content-Encoding %q without gzip asked for", tc.lang, got)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, _ := io.ReadAll(zr)
		if !bytes.Equal(unzipped, plain) {
			t.Errorf("%s: the gzipped page is not the plain page", tc.lang)
		}
		if !strings.Contains(string(plain), `<html lang="`+tc.lang+`"`) || !strings.Contains(string(plain), tc.heading) {
			t.Errorf("%s: page not in %s:\n%.400s", tc.lang, tc.lang, plain)
		}
		for _, r := range []*http.Response{plainResp, gzResp} {
			if r.StatusCode != http.StatusOK || r.Header.Get("Content-Security-Policy") == "" ||
				r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("Content-Language") != tc.lang ||
				!strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: answer %d with headers %v", tc.lang, r.StatusCode, r.Header)
			}
			ids[r.Header.Get("X-Request-Id")] = true
		}
	}
	if len(ids) != 8 {
		t.Errorf("%d request IDs for 8 answers", len(ids))
	}

	// ?lang= on a link: the picker's links carry it back, so not the shared page.
	_, body := rawGet(t, raw, env.URL+"/?lang=fr&utm=x", nil)
	if !strings.Contains(string(body), `<html lang="fr"`) || !strings.Contains(string(body), "utm%3Dx") {
		t.Errorf("?lang=fr&utm=x: %.600s", body)
	}

	// A session that ended while away: its flash shows on the start page, once.
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	env.Clock.Advance(11 * time.Minute)
	if p := b.Get("/"); !strings.Contains(p.Text(), "without activity") {
		t.Errorf("the start page after an idle timeout does not say why: %s", p.Text())
	}
	if p := b.Get("/"); strings.Contains(p.Text(), "without activity") {
		t.Errorf("the flash shows twice: %s", p.Text())
	}
}
