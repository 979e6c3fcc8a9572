package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestReplaceAPhoneInTheBrowser is issue #23's replacement in Chromium, as the person (after
// the step-up) and as the help desk (after verifying the caller): Replace on the phone, the
// new number, its code; axe checks the replace form and the result.
func TestReplaceAPhoneInTheBrowser(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t)
	erin := env.Demo.EmployeeID
	const first, second, third = "+15125201234", "+15125207777", "+15125208888"
	env.Emu.AddSMSDevice(erin, first, true)
	env.Emu.SetMFAEnabled(erin, true)

	person := privateTab(t)
	do(t, person, chromedp.Navigate(env.URL+"/devices"))
	signIn(t, person, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, person, chromedp.WaitVisible(css(".device a[href$='/replace']")))
	if name := text(t, person, ".device a[href$='/replace']"); !strings.HasPrefix(name, "Replace") || !strings.Contains(name, "1234") {
		t.Fatalf("the Replace link is named %q", name)
	}
	do(t, person, chromedp.Click(css(".device a[href$='/replace']")), chromedp.WaitVisible(css("a.button[href^='/auth/login?step_up=1']")))
	do(t, person, chromedp.Click(css("a.button[href^='/auth/login?step_up=1']")), chromedp.WaitVisible(css("#password")))
	signIn(t, person, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, person, chromedp.WaitVisible(css("#otp")))
	do(t, person, chromedp.SendKeys(css("#otp"), env.Emu.LastCode(first)), chromedp.Click(css("button[type=submit]")),
		chromedp.WaitVisible(css("form.phone-form #phone")))
	if h1 := text(t, person, "h1"); h1 != "Replace +1 512-520-1234" {
		t.Fatalf("replace form heading %q", h1)
	}
	checkPage(t, person, axe, "replace-form")
	pickRegion(t, person, "US")
	do(t, person, chromedp.SendKeys(css("#phone"), "512-520-7777"), chromedp.Click(css("form.phone-form button[type=submit]")),
		chromedp.WaitVisible(css("#code")))
	do(t, person, chromedp.SendKeys(css("#code"), env.Emu.LastCode(second)), chromedp.Click(css("form.code-form button")))
	// The list of phones (its link to the recent activity), not the code page that came before.
	do(t, person, chromedp.WaitVisible(css("a[href='/devices/activity']")), chromedp.WaitVisible(css(".flash-success")))
	if main := text(t, person, "main"); !strings.Contains(main, "has replaced") || strings.Contains(main, "520-1234") {
		t.Fatalf("after the code: %q", main)
	}
	checkPage(t, person, axe, "replace-done")
	do(t, person, chromedp.Click(css("a[href='/devices/activity']")), chromedp.WaitVisible(css("main h1")))
	if main := text(t, person, "main"); !strings.Contains(main, "Recent activity") || !strings.Contains(main, "Phone removed") {
		t.Fatalf("recent activity after the replacement: %q", main)
	}
	checkPage(t, person, axe, "recent-activity")
	if d := env.Emu.Devices(erin); len(d) != 1 || d[0].Phone != second || d[0].Status != "ACTIVE" {
		t.Fatalf("devices after the person's replacement: %+v", d)
	}

	staff := privateTab(t)
	staffOnUserPage(t, staff, env, erin, "erin.employee@example.com")
	do(t, staff, chromedp.Click(css(".device a[href$='/replace']")), chromedp.WaitVisible(css("form.phone-form #reason")))
	checkPage(t, staff, axe, "helpdesk-replace-form")
	pickRegion(t, staff, "US")
	do(t, staff, chromedp.SendKeys(css("#phone"), "512-520-8888"), chromedp.SendKeys(css("#reason"), "INC-5 new number"),
		chromedp.Click(css("form.phone-form button[type=submit]")), chromedp.WaitVisible(css("#code")))
	// The caller reads out the code texted to the new phone.
	do(t, staff, chromedp.SendKeys(css("#code"), env.Emu.LastCode(third)), chromedp.Click(css("form.code-form button")))
	do(t, staff, chromedp.WaitVisible(css(".profile")), chromedp.WaitVisible(css(".flash-success")))
	if main := text(t, staff, "main"); !strings.Contains(main, "has replaced") {
		t.Fatalf("help desk after the code: %q", main)
	}
	checkPage(t, staff, axe, "helpdesk-replace-done")
	if d := env.Emu.Devices(erin); len(d) != 1 || d[0].Phone != third || d[0].Status != "ACTIVE" {
		t.Fatalf("devices after the help desk's replacement: %+v", d)
	}
}
