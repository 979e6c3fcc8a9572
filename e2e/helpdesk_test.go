package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/internal/portaltest"
)

func TestHelpdeskAddsAPhoneForAnEmployee(t *testing.T) {
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/helpdesk"))
	signIn(t, ctx, env.Demo.Helpdesk, env.Demo.HelpdeskPass)
	do(t, ctx, chromedp.WaitVisible(css("#q")), chromedp.SendKeys(css("#q"), "erin"), chromedp.Click(css("form.search button")),
		chromedp.WaitVisible(css(".results a")))
	screenshot(t, ctx, "helpdesk-search")
	do(t, ctx, chromedp.Click(css(".results a")), chromedp.WaitVisible(css(".profile")))
	screenshot(t, ctx, "helpdesk-user")
	do(t, ctx, chromedp.Click(css("a.button[href$='/phone/new']")), chromedp.WaitVisible(css("#phone")))
	pickRegion(t, ctx, "US")
	do(t, ctx, chromedp.SendKeys(css("#phone"), "512-520-1234"), chromedp.SendKeys(css("#reason"), "INC-1"))
	screenshot(t, ctx, "helpdesk-add-phone")
	do(t, ctx, chromedp.Click(css("form.phone-form button[type=submit]")), chromedp.WaitVisible(css("#code")))
	// The employee reads out the code that reached their phone.
	do(t, ctx, chromedp.SendKeys(css("#code"), env.Emu.LastCode("+15125201234")), chromedp.Click(css("form.code-form button")),
		chromedp.WaitVisible(css(".state-active")))
	if main := text(t, ctx, "main"); !strings.Contains(main, "now active for Erin Employee") {
		t.Fatalf("after verify: %q", main)
	}
	screenshot(t, ctx, "helpdesk-user-active")
}
