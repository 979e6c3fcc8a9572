package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// sentEmails reads the emulator's sent emails from the portal's /demo/email page as JSON into
// v, and returns the decoding error; a request that gets no answer fails the test.
func sentEmails(t *testing.T, env *portaltest.Env, v any) error {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/demo/email", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// lockByWrongCodes starts the portal on an emulator set by emu, adds a phone and enters five
// wrong codes for it; it returns the code page after the last.
func lockByWrongCodes(t *testing.T, emu func(*emulator.Options)) (*portaltest.Env, *portaltest.Browser, *portaltest.Page) {
	t.Helper()
	env := portaltest.Start(t, portaltest.WithEmulator(emu))
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	for range 5 {
		p = b.Submit(p, "/verify", url.Values{"code": {"000000"}})
	}
	return env, b, p
}

// wantLocked enters the right code on p and fails the test unless the portal refuses it for
// too many wrong codes without asking PingOne: PingOne has seen only the five wrong ones.
func wantLocked(t *testing.T, env *portaltest.Env, b *portaltest.Browser, p *portaltest.Page, when string) *portaltest.Page {
	t.Helper()
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.ByID("code-error"), "Too many wrong codes") {
		t.Fatalf("%s: the right code got %d %q", when, p.Status, p.ByID("code-error"))
	}
	if n := env.Emu.Calls("devices.activate"); n != 5 {
		t.Fatalf("%s: %d codes reached PingOne, want the 5 wrong ones", when, n)
	}
	return p
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the CSRF token of a signed-in page (every one has the sign-out form).
func csrfOf(t testing.TB, p *portaltest.Page) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token on %s", p.URL)
	}
	return m[1]
}
