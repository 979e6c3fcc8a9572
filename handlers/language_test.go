package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

var htmlLang = regexp.MustCompile(`<html lang="([^"]*)" dir="([^"]*)"`)

// fetch loads a page with the browser's cookies and an Accept-Language header, returning the
// page's language and direction and its body.
func fetch(t *testing.T, b *portaltest.Browser, u, acceptLanguage string) (lang, dir, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := b.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	m := htmlLang.FindStringSubmatch(string(raw))
	if m == nil {
		t.Fatalf("%s: no <html lang dir> in %d answer:\n%.500s", u, resp.StatusCode, raw)
	}
	return m[1], m[2], string(raw)
}

// TestLanguageOrder walks the language sources through the real router, strongest first:
// the picker's choice, ?lang= on a link, the PingOne profile (preferredLanguage, then locale),
// Accept-Language, DEFAULT_LANGUAGE.
func TestLanguageOrder(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("DEFAULT_LANGUAGE", "fr"))
	pass := "Pw-" + strings.Repeat("x", 12)
	env.Emu.AddUser(emulator.SeedUser{Username: "dora", Given: "Dora", Family: "Deutsch", Password: pass, PreferredLanguage: "de", Locale: "es"})
	env.Emu.AddUser(emulator.SeedUser{Username: "luis", Given: "Luis", Family: "Locale", Password: pass, Locale: "es-MX"})
	env.Emu.AddUser(emulator.SeedUser{Username: "nolang", Given: "No", Family: "Lang", Password: pass})

	type step struct {
		path, accept  string
		wantLang, dir string
	}
	for _, tc := range []struct {
		name string
		// signIn, when set, signs this user in first (from /devices).
		signIn string
		steps  []step
	}{
		{"DEFAULT_LANGUAGE when nothing else says", "", []step{{"/", "", "fr", "ltr"}}},
		{"an unknown browser language falls back to DEFAULT_LANGUAGE", "", []step{{"/", "sw, tlh;q=0.5", "fr", "ltr"}}},
		{"Accept-Language beats DEFAULT_LANGUAGE", "", []step{{"/", "de-AT, de;q=0.9, en;q=0.5", "de", "ltr"}}},
		{"?lang= beats Accept-Language and is kept for the visit", "", []step{
			{"/?lang=ja", "de", "ja", "ltr"},
			{"/", "de", "ja", "ltr"},
			{"/?lang=xx-unknown", "de", "ja", "ltr"},
		}},
		{"the PingOne profile's preferredLanguage beats Accept-Language", "dora", []step{{"/devices", "en", "de", "ltr"}}},
		{"the profile's locale when it has no preferredLanguage", "luis", []step{{"/devices", "ja", "es", "ltr"}}},
		{"a profile without a language leaves Accept-Language", "nolang", []step{{"/devices", "pt-BR", "pt-BR", "ltr"}}},
		{"?lang= beats the profile", "dora", []step{{"/devices?lang=zh-Hans", "en", "zh-Hans", "ltr"}, {"/devices", "en", "zh-Hans", "ltr"}}},
		{"the picker beats everything, on every page after", "dora", []step{
			{"/language?lang=ar&return_to=%2Fdevices", "de", "ar", "rtl"},
			{"/devices?lang=ja", "fr", "ar", "rtl"},
			{"/no/such/page", "fr", "ar", "rtl"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := env.NewBrowser(t)
			if tc.signIn != "" {
				if p := b.SignIn("/devices", tc.signIn, pass); p.Status != http.StatusOK {
					t.Fatalf("sign-in: %d", p.Status)
				}
			}
			for _, s := range tc.steps {
				lang, dir, _ := fetch(t, b, env.URL+s.path, s.accept)
				if lang != s.wantLang || dir != s.dir {
					t.Errorf("%s (Accept-Language %q): lang %q dir %q, want %q %q", s.path, s.accept, lang, dir, s.wantLang, s.dir)
				}
			}
		})
	}
}

// TestLanguagePicker: every page has a list of links named "Language" that works without
// JavaScript, each to /language, which keeps the choice and comes back to the same page; a
// link elsewhere or to an unknown language changes nothing.
func TestLanguagePicker(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	_, _, body := fetch(t, b, env.URL+"/?x=1&lang=de", "")
	if !strings.Contains(body, `<nav class="languages" aria-label="Sprache">`) {
		t.Fatalf("no language picker on the German start page:\n%.1500s", body)
	}
	_, _, body = fetch(t, b, env.URL+"/language?lang=en&return_to=%2F%3Fx%3D1", "")
	if !strings.Contains(body, `<nav class="languages" aria-label="Language">`) {
		t.Fatalf("no picker named Language on the English page:\n%.1500s", body)
	}
	for _, l := range []struct{ tag, name string }{{"de", "Deutsch"}, {"ar", "العربية"}, {"ja", "日本語"}, {"pt-BR", "Português"}} {
		link := `href="/language?lang=` + url.QueryEscape(l.tag) + `&amp;return_to=%2F%3Fx%3D1" lang="` + l.tag + `"`
		if !strings.Contains(body, link) || !strings.Contains(body, l.name) {
			t.Errorf("no link to %s (%s) coming back to /?x=1 (want %s)", l.tag, l.name, link)
		}
	}
	// An outside return_to is refused; the choice still counts.
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/language?lang=fr&return_to=https%3A%2F%2Fevil.example%2F", nil)
	b.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Errorf("an outside return_to went to %q", loc)
	}
	b.HTTP.CheckRedirect = nil
	if lang, _, _ := fetch(t, b, env.URL+"/", "de"); lang != "fr" {
		t.Errorf("after picking French the page is %q", lang)
	}
	// An unknown language changes nothing.
	fetch(t, b, env.URL+"/language?lang=tlh", "")
	if lang, _, _ := fetch(t, b, env.URL+"/", "de"); lang != "fr" {
		t.Errorf("an unknown language replaced the choice: %q", lang)
	}
}

// TestSignInPageSpeaksThePagesLanguage: the portal passes ui_locales, and the emulator's
// sign-in page shows the language it was asked for.
func TestSignInPageSpeaksThePagesLanguage(t *testing.T) {
	env := portaltest.Start(t)
	for _, tc := range []struct{ lang, button string }{{"de", "Anmelden"}, {"ar", "تسجيل الدخول"}, {"ja", "サインイン"}, {"en", "Sign in"}} {
		b := env.NewBrowser(t)
		lang, _, body := fetch(t, b, env.URL+"/devices?lang="+tc.lang, "")
		if lang != tc.lang || !strings.Contains(body, `name="flow"`) || !strings.Contains(body, ">"+tc.button+"</button>") {
			t.Errorf("%s: sign-in page in %q without %q:\n%.800s", tc.lang, lang, tc.button, body)
		}
	}
}
