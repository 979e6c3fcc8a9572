package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// staffOnUserPage signs the demo's help-desk member in at the user's page in the browser,
// passes the help desk's step-up and verifies the caller by a code to their email (read from
// the emulator, as the caller would read it out); it ends on the user's page, verified.
func staffOnUserPage(t *testing.T, ctx context.Context, env *portaltest.Env, userID, email string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(env.URL+"/helpdesk"))
	signIn(t, ctx, env.Demo.Helpdesk, env.Demo.HelpdeskPass)
	staffStepUp(t, ctx, env, "")
	do(t, ctx, chromedp.Navigate(env.URL+"/helpdesk/users/"+userID+"/verify"), chromedp.WaitVisible(css("#method-email")),
		chromedp.Click(css("#method-email")), chromedp.Click(css("form[action$='/verify'] button[type=submit]")),
		chromedp.WaitVisible(css("#code")))
	do(t, ctx, chromedp.SendKeys(css("#code"), env.Emu.LastEmailCode(email)),
		chromedp.Click(css("form[action$='/verify/code'] button")), chromedp.WaitVisible(css(".verified")))
}

// TestTemporaryAccessInTheBrowser is issue #23's temporary access in Chromium, as the help
// desk (the controls, the status, ending it) and as the person (the banner, and the refusal
// in words to change a phone they have); axe checks each new page and state.
func TestTemporaryAccessInTheBrowser(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t)
	env.Emu.AddSMSDevice(env.Demo.EmployeeID, "+15125201234", true)
	env.Emu.SetMFAEnabled(env.Demo.EmployeeID, true)
	erin := env.Demo.EmployeeID

	staff := privateTab(t)
	// The agent works in Tokyo, the person in Berlin: each reads the end in their own zone.
	do(t, staff, send(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}))
	staffOnUserPage(t, staff, env, erin, "erin.employee@example.com")
	do(t, staff, chromedp.WaitVisible(css("form[action$='/temporary'] select#duration")))
	if main := text(t, staff, "main"); !strings.Contains(main, "has no temporary access") || strings.Contains(main, "Turn MFA off") {
		t.Fatalf("verified user page: %q", main)
	}
	checkPage(t, staff, axe, "helpdesk-temporary-form")
	// The reason is required: the browser itself keeps the form from going without one.
	do(t, staff, chromedp.SetValue(css("#duration"), "4h0m0s"), chromedp.Click(css("form[action$='/temporary'] button[type=submit]")))
	if valid := get(t, staff, chromedp.Evaluate[bool](`document.querySelector('#reason').checkValidity()`)); valid {
		t.Fatal("an empty reason passes the form's check")
	}
	if !env.Emu.BypassUntil(erin).IsZero() {
		t.Fatal("temporary access given without a reason")
	}
	do(t, staff, chromedp.SendKeys(css("#reason"), "INC-42 phone lost"), chromedp.Click(css("form[action$='/temporary'] button[type=submit]")),
		chromedp.WaitVisible(css("form[action$='/temporary/end'] button")))
	until := env.Emu.BypassUntil(erin)
	if until.IsZero() {
		t.Fatal("PingOne has no bypass")
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	if main := text(t, staff, "main"); !strings.Contains(main, "Temporary access until") || !strings.Contains(main, until.In(tokyo).Format("3:04 PM")) ||
		!strings.Contains(main, "GMT+9") {
		t.Fatalf("after giving it, the end in the agent's time zone (%s): %q", until.In(tokyo).Format("3:04 PM"), main)
	}
	if main := text(t, staff, "main"); !strings.Contains(main, "History") {
		t.Fatalf("no History on the user page: %q", main)
	}
	checkPage(t, staff, axe, "helpdesk-temporary-active")

	person := privateTab(t)
	do(t, person, send(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Berlin"}))
	do(t, person, chromedp.Navigate(env.URL+"/devices"))
	signIn(t, person, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, person, chromedp.WaitVisible(css(".temporary-banner a")))
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if banner := text(t, person, ".temporary-banner"); !strings.Contains(banner, "You have temporary access until") || !strings.Contains(banner, until.In(berlin).Format("3:04 PM")) {
		t.Fatalf("banner: %q", banner)
	}
	checkPage(t, person, axe, "person-temporary-banner")
	do(t, person, chromedp.Click(css(".temporary-banner a")), chromedp.WaitVisible(css("h1")))
	if main := text(t, person, "main"); !strings.Contains(main, "Not possible with temporary access") || !strings.Contains(main, "call the help desk") {
		t.Fatalf("adding beside an active phone on temporary access: %q", main)
	}
	checkPage(t, person, axe, "person-temporary-refused")

	do(t, staff, chromedp.Click(css("form[action$='/temporary/end'] button")), chromedp.WaitVisible(css("form[action$='/temporary'] select#duration")))
	if main := text(t, staff, "main"); !strings.Contains(main, "has ended") || !env.Emu.BypassUntil(erin).IsZero() {
		t.Fatalf("after ending it: %q", main)
	}
}
