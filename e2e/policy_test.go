package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestPhaseOutPageAccessible: the add-phone page of a company that turned SMS off, in Chromium
// and in every language, says so with the alternative offered, has no form, and passes axe with
// no horizontal scroll at 320 px.
func TestPhaseOutPageAccessible(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.SMSDisabled = true }),
		portaltest.WithEnv("ALTERNATIVE_METHODS_URL", "https://intranet.example/passkeys"))
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/enroll"))
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css("p.alternative a")))
	for _, l := range messages.Languages() {
		do(t, ctx, chromedp.Navigate(env.URL+"/language?lang="+url.QueryEscape(l.Tag)+"&return_to=%2Fdevices%2Fsms%2Fnew"),
			chromedp.WaitVisible(css("p.alternative a")))
		text := get(t, ctx, chromedp.Evaluate[string](`document.querySelector('main').innerText`))
		if want := messages.NewPrinter(l.Tag).T(messages.AddPairingOff, nil); !strings.Contains(text, want) {
			t.Errorf("%s: the page does not say %q:\n%s", l.Tag, want, text)
		}
		if forms := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('form.phone-form, #phone').length`)); forms != 0 {
			t.Errorf("%s: the phase-out page has the phone form", l.Tag)
		}
		checkPage(t, ctx, axe, "pairing-off-"+l.Tag)
	}
}
