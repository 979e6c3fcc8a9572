package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestFirstPhonePagesOfIssue21 checks the pages issue #21 adds, in Chromium with axe at 320
// and 640 px: the mailbox check before a first phone (FIRST_PHONE_PROOF=email) with its code
// field and a refused code, and the add-phone form refused to a help-desk member without a
// phone.
func TestFirstPhonePagesOfIssue21(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t, portaltest.WithEnv("FIRST_PHONE_PROOF", "email"))
	// A tab of its own: a language another test picked must not carry over.
	ctx := privateTab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/enroll"))
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css("#send")))
	checkPage(t, ctx, axe, "mailbox-check")
	do(t, ctx, chromedp.Click(css("#send")), chromedp.WaitVisible(css("#code")))
	do(t, ctx, chromedp.SendKeys(css("#code"), "12a3456"), chromedp.Click(css("form[action$='/mailbox/code'] button")),
		chromedp.WaitVisible(css(".error-summary")))
	if main := text(t, ctx, "main"); !strings.Contains(main, "digits only") {
		t.Fatalf("a code with a letter: %q", main)
	}
	checkPage(t, ctx, axe, "mailbox-check-refused")
	do(t, ctx, chromedp.SendKeys(css("#code"), env.Emu.LastEmailCode("erin.employee@example.com")),
		chromedp.Click(css("form[action$='/mailbox/code'] button")), chromedp.WaitVisible(css("#phone")))

	// A help-desk member without a phone, in a tab with cookies of its own.
	env.Emu.AddUser(emulator.SeedUser{Username: "sam.staff", Email: "sam@example.com", Given: "Sam", Family: "Staff",
		Password: "Pw-sam", GroupIDs: []string{env.Demo.HelpdeskGroup}})
	staff := privateTab(t)
	do(t, staff, chromedp.Navigate(env.URL+"/enroll"))
	signIn(t, staff, "sam.staff", "Pw-sam")
	do(t, staff, chromedp.WaitVisible(css(".error-summary")))
	if main := text(t, staff, "main"); !strings.Contains(main, "cannot add their first phone here") {
		t.Fatalf("a staff member's first phone: %q", main)
	}
	checkPage(t, staff, axe, "first-phone-staff")
}
