package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// metaRequests lists the phone metadata files the page has fetched, with the bytes each cost.
func metaRequests(t *testing.T, ctx context.Context) map[string]float64 {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[map[string]float64](`Object.fromEntries(performance.getEntriesByType('resource')
		.filter(e => new URL(e.name).pathname.startsWith('/static/phonemeta'))
		.map(e => [new URL(e.name).pathname, e.transferSize]))`))
}

// waitPreview waits for the page's validator to show the number it will text.
func waitPreview(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	for range 100 {
		if strings.Contains(text(t, ctx, "#phone-preview"), want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the page never showed %s; it shows %q, error %q", want, text(t, ctx, "#phone-preview"), text(t, ctx, "#phone-error"))
}

func clearPhone(t *testing.T, ctx context.Context) {
	t.Helper()
	eval(t, ctx, `document.querySelector('#phone').value = ''; true`)
}

func groups(m map[string]float64) []string {
	var out []string
	for p := range m {
		if strings.Count(p, "/") > 3 { // /static/phonemeta/<version>/<code>.json
			out = append(out, p[strings.LastIndex(p, "/")+1:])
		}
	}
	return out
}

// TestPhoneRulesLoadWhenPicked: the add-phone page fetches the phone rules of the picked
// country only, those of another country when it is picked or its number is typed after +, and
// on the next visit takes them all from the browser's cache and still checks numbers.
func TestPhoneRulesLoadWhenPicked(t *testing.T) {
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/devices"))
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css("nav[aria-label=Main]")), chromedp.Navigate(env.URL+"/devices/sms/new"), chromedp.WaitVisible(css("#phone")))
	pickRegion(t, ctx, "US")
	do(t, ctx, chromedp.SendKeys(css("#phone"), "512 520 1234"))
	waitPreview(t, ctx, "+1 512-520-1234")
	first := metaRequests(t, ctx)
	if g := groups(first); len(g) > 2 || !strings.Contains(strings.Join(g, " "), "1.json") {
		// The default country's rules and, at most, the ones of the US picked above.
		t.Fatalf("first load fetched rules %v; want the picked country's (+1) and at most the default's", g)
	}
	t.Logf("first load: %v", first)

	// Germany, picked: its rules come, and a national number is checked with them.
	pickRegion(t, ctx, "DE")
	clearPhone(t, ctx)
	do(t, ctx, chromedp.SendKeys(css("#phone"), "01512 3456789"))
	waitPreview(t, ctx, "+49 1512 3456789")
	// A British number typed after +, with Germany still picked: the +44 rules come.
	clearPhone(t, ctx)
	do(t, ctx, chromedp.SendKeys(css("#phone"), "+44 7400 123456"))
	waitPreview(t, ctx, "+44 7400 123456")
	g := strings.Join(groups(metaRequests(t, ctx)), " ")
	// Map order: match whole names (" 1.json ", not the end of "41.json").
	for _, want := range []string{" 1.json ", " 49.json ", " 44.json "} {
		if !strings.Contains(" "+g+" ", want) {
			t.Errorf("rules fetched: %s; want %s among them", g, want)
		}
	}
	if n := len(groups(metaRequests(t, ctx))); n > 4 {
		t.Errorf("%d groups of rules fetched for three countries", n)
	}

	// The next visit: every metadata file from the cache, and the check still works.
	do(t, ctx, chromedp.Navigate(env.URL+"/devices"), chromedp.WaitVisible(css("nav[aria-label=Main]")),
		chromedp.Navigate(env.URL+"/devices/sms/new"), chromedp.WaitVisible(css("#phone")))
	pickRegion(t, ctx, "DE")
	do(t, ctx, chromedp.SendKeys(css("#phone"), "01512 3456789"))
	waitPreview(t, ctx, "+49 1512 3456789")
	again := metaRequests(t, ctx)
	if len(again) < 2 {
		t.Fatalf("second visit fetched %v", again)
	}
	for p, size := range again {
		if size != 0 {
			t.Errorf("second visit: %s cost %.0f bytes; want it from the cache", p, size)
		}
	}
}
