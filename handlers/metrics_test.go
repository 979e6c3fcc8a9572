package handlers_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// scrape reads the portal's metrics as Prometheus would, and returns the value of each series
// (its name and labels as written) that starts with one of prefixes.
func scrape(t *testing.T, env *portaltest.Env, prefixes ...string) map[string]string {
	t.Helper()
	rec := httptest.NewRecorder()
	env.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	got := map[string]string{}
	for line := range strings.Lines(rec.Body.String()) {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				line = strings.TrimSpace(line)
				i := strings.LastIndexByte(line, ' ')
				got[line[:i]] = line[i+1:]
			}
		}
	}
	return got
}

// TestMetricsOfAJourney checks the counters the alert rules watch: texts by country (never the
// number), refusals by reason, and PingOne's latency by route template.
func TestMetricsOfAJourney(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("ALLOWED_REGIONS", "US,GB"))
	b := env.NewBrowser(t)
	form := b.SignInEmployee("/enroll")
	// A toll-free number and a number of a country not allowed are refused before any text.
	b.Submit(form, "/devices/sms", url.Values{"phone": {"+1 800-555-0199"}, "region": {"US"}})
	b.Submit(form, "/devices/sms", url.Values{"phone": {"+33 6 12 34 56 78"}, "region": {"FR"}})
	b.Submit(form, "/devices/sms", url.Values{"phone": {"+44 7400 123456"}, "region": {"GB"}})
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	if !strings.HasSuffix(p.Path(), "/verify") {
		t.Fatalf("add: %d %s", p.Status, p.Path())
	}
	b.Submit(p, "/verify", url.Values{"code": {"000000"}}) // wrong
	b.Submit(p, "/verify", url.Values{"code": {"12"}})     // malformed
	b.Submit(p, "/resend", nil)                            // within the cool-down
	env.Clock.Advance(31 * time.Second)
	b.Submit(p, "/resend", nil)

	got := scrape(t, env, "portal_texts_sent_total", "portal_refusals_total", "portal_pingone_request_duration_seconds_count")
	want := map[string]string{
		`portal_texts_sent_total{country="US"}`:                                           "2",
		`portal_refusals_total{reason="number_not_mobile"}`:                               "1",
		`portal_refusals_total{reason="number_region"}`:                                   "1",
		`portal_refusals_total{reason="code_wrong"}`:                                      "1",
		`portal_refusals_total{reason="code_malformed"}`:                                  "1",
		`portal_refusals_total{reason="limit_resend_short"}`:                              "1",
		`portal_pingone_request_duration_seconds_count{route="POST /users/{id}/devices"}`: "2",
	}
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s = %q, want %s; scraped %v", series, got[series], v, got)
		}
	}
	for series := range got {
		if strings.Contains(series, "512") || strings.Contains(series, "+1") {
			t.Errorf("a series names the number: %s", series)
		}
	}
}

// TestMetricsCountHelpdeskTexts: a code help-desk staff have PingOne text to a caller counts
// among the texts, by the country of the phone it goes to.
func TestMetricsCountHelpdeskTexts(t *testing.T) {
	env := portaltest.Start(t)
	erin := env.Demo.EmployeeID
	// Registered long ago: a phone newer than HELPDESK_NEW_PHONE_WAIT verifies no caller.
	env.Emu.AgeDevice(erin, env.Emu.AddSMSDevice(erin, "+447400123456", true), 48*time.Hour)
	b, _ := staffBrowser(t, env)
	v := b.Get("/helpdesk/users/" + erin + "/verify")
	v = b.Submit(v, "/verify", url.Values{"method": {"sms"}})
	if env.Emu.LastCode("+447400123456") == "" || !strings.Contains(v.Text(), "A code was sent to") {
		t.Fatalf("after sending: %q", v.Text())
	}
	b.Submit(v, "/verify", url.Values{"method": {"email"}})
	got := scrape(t, env, "portal_texts_sent_total")
	if want := map[string]string{`portal_texts_sent_total{country="GB"}`: "1"}; !maps.Equal(got, want) {
		t.Errorf("texts: %v, want %v (an email is not a text)", got, want)
	}
}
