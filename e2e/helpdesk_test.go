package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// staffStepUp passes the help desk's MFA sign-in in the browser: the portal's page, then
// PingOne's password and the code texted to the staff member's own phone.
func staffStepUp(t *testing.T, ctx context.Context, env *portaltest.Env, axe string) {
	t.Helper()
	do(t, ctx, chromedp.WaitVisible(css("a.button[href^='/auth/login?step_up=1']")))
	if axe != "" {
		checkPage(t, ctx, axe, "helpdesk-step-up")
	}
	do(t, ctx, chromedp.Click(css("a.button[href^='/auth/login?step_up=1']")), chromedp.WaitVisible(css("#password")))
	signIn(t, ctx, env.Demo.Helpdesk, env.Demo.HelpdeskPass)
	do(t, ctx, chromedp.WaitVisible(css("#otp")))
	do(t, ctx, chromedp.SendKeys(css("#otp"), env.Emu.LastCode(env.Demo.HelpdeskPhone)), chromedp.Click(css("button[type=submit]")),
		chromedp.WaitVisible(css("#q")))
}

// TestHelpdeskAddsAPhoneForAnEmployee is the help desk's journey (issues #11 and #16): the MFA
// sign-in, then the caller verified by a code to the employee's email, then the phone added
// with the code the employee reads out. Axe checks every new page.
func TestHelpdeskAddsAPhoneForAnEmployee(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/helpdesk"))
	signIn(t, ctx, env.Demo.Helpdesk, env.Demo.HelpdeskPass)
	staffStepUp(t, ctx, env, axe)
	do(t, ctx, chromedp.WaitVisible(css("#q")), chromedp.SendKeys(css("#q"), "erin"), chromedp.Click(css("form.search button")),
		chromedp.WaitVisible(css(".results a")))
	screenshot(t, ctx, "helpdesk-search")
	do(t, ctx, chromedp.Click(css(".results a")), chromedp.WaitVisible(css(".profile")))
	if main := text(t, ctx, "main"); !strings.Contains(main, "Verify caller") || strings.Contains(main, "Add phone") {
		t.Fatalf("user page before verification: %q", main)
	}
	screenshot(t, ctx, "helpdesk-user")
	do(t, ctx, chromedp.Click(css("a.button[href$='/verify']")), chromedp.WaitVisible(css("#method-email")))
	checkPage(t, ctx, axe, "helpdesk-verify")
	do(t, ctx, chromedp.Click(css("#method-email")), chromedp.Click(css("form[action$='/verify'] button[type=submit]")),
		chromedp.WaitVisible(css("#code")))
	checkPage(t, ctx, axe, "helpdesk-verify-code")
	do(t, ctx, chromedp.SendKeys(css("#code"), "000000"), chromedp.Click(css("form[action$='/verify/code'] button")),
		chromedp.WaitVisible(css(".error-summary")))
	if main := text(t, ctx, "main"); !strings.Contains(main, "That code is wrong") {
		t.Fatalf("wrong code: %q", main)
	}
	checkPage(t, ctx, axe, "helpdesk-verify-wrong-code")
	// The employee reads out the code that reached their email: in the demo, the outbox page.
	do(t, ctx, chromedp.Navigate(env.URL+"/demo/email"), chromedp.WaitVisible(css("#emails")))
	if mails := text(t, ctx, "main"); !strings.Contains(mails, env.Emu.LastEmailCode("erin.employee@example.com")) {
		t.Fatalf("the code is not on /demo/email: %q", mails)
	}
	checkPage(t, ctx, axe, "demo-email")
	do(t, ctx, chromedp.Navigate(env.URL+"/helpdesk/users/"+env.Demo.EmployeeID+"/verify"), chromedp.WaitVisible(css("#code")))
	do(t, ctx, chromedp.SendKeys(css("#code"), env.Emu.LastEmailCode("erin.employee@example.com")),
		chromedp.Click(css("form[action$='/verify/code'] button")), chromedp.WaitVisible(css(".verified")))
	if main := text(t, ctx, "main"); !strings.Contains(main, "Caller verified by a code to their email") {
		t.Fatalf("after the caller's code: %q", main)
	}
	checkPage(t, ctx, axe, "helpdesk-user-verified")
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

// TestHelpdeskApprovalPages checks the pages of a colleague's approval with axe: the request
// waiting, the list on another staff member's page, and a protected account.
func TestHelpdeskApprovalPages(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t)
	// Hilda, another staff member, asks for approval outside the browser.
	hildaID := env.Emu.AddUser(emulator.SeedUser{Username: "hilda.helpdesk", Email: "hilda@example.com", Given: "Hilda", Family: "Helpdesk",
		Password: "Pw-hilda", GroupIDs: []string{env.Demo.HelpdeskGroup}})
	// An old phone: a new one opens no help desk (issue #21).
	env.Emu.AgeDevice(hildaID, env.Emu.AddSMSDevice(hildaID, "+15125206666", true), 48*time.Hour)
	hb := env.NewBrowser(t)
	p := hb.PassStepUp(hb.SignIn("/helpdesk", "hilda.helpdesk", "Pw-hilda"), "hilda.helpdesk", "Pw-hilda")
	hb.Submit(hb.Get("/helpdesk/users/"+env.Demo.EmployeeID+"/verify"), "/verify", url.Values{"method": {"approval"}})
	if p.Path() != "/helpdesk" {
		t.Fatalf("Hilda's sign-in: %s", p.URL)
	}

	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/helpdesk"))
	signIn(t, ctx, env.Demo.Helpdesk, env.Demo.HelpdeskPass)
	staffStepUp(t, ctx, env, "")
	do(t, ctx, chromedp.WaitVisible(css(".approvals")))
	checkPage(t, ctx, axe, "helpdesk-approvals")
	do(t, ctx, chromedp.Navigate(env.URL+"/helpdesk/users/"+env.Demo.EmployeeID+"/verify"), chromedp.WaitVisible(css("#method-approval")),
		chromedp.Click(css("#method-approval")), chromedp.Click(css("form[action$='/verify'] button[type=submit]")),
		chromedp.WaitVisible(css("main p[role=status]")))
	if main := text(t, ctx, "main"); !strings.Contains(main, "Waiting for a colleague to approve") {
		t.Fatalf("after asking: %q", main)
	}
	checkPage(t, ctx, axe, "helpdesk-approval-waiting")
	do(t, ctx, chromedp.Navigate(env.URL+"/helpdesk/users/"+hildaID), chromedp.WaitVisible(css(".warning")))
	checkPage(t, ctx, axe, "helpdesk-protected")
}
