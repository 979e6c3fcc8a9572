package handlers_test

// Issue #21 items 6 and 7: the mailbox check before a first phone, one rule for typed codes,
// and an existing number at the device cap.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestFirstPhoneProofByEmail (issue #21 item 6): with FIRST_PHONE_PROOF=email a person with no
// active phone types a code PingOne emailed to their directory address before any first code
// is texted: the form sends them there, a posted number makes no device, a code with a letter
// is refused; the right code lets the form send the first code.
func TestFirstPhoneProofByEmail(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("FIRST_PHONE_PROOF", "email"))
	const email = "erin.employee@example.com"
	b := env.NewBrowser(t)
	p := b.SignInEmployee("/enroll")
	if p.Path() != "/devices/mailbox" || p.H1() != "Confirm your email address" || !strings.Contains(p.Text(), "e•••@example.com") ||
		strings.Contains(p.Body, email) || len(env.Emu.Emails()) != 0 {
		t.Fatalf("after sign-in: %d %s %q", p.Status, p.URL, p.Text())
	}
	// Straight to "Send code": nothing made, nothing texted, back to the check.
	if r := postForm(t, b, p, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}}); r.Path() != "/devices/mailbox" ||
		env.Emu.Calls("devices.create") != 0 {
		t.Fatalf("a number before the mailbox check: %s, %d creates", r.URL, env.Emu.Calls("devices.create"))
	}
	p = b.Submit(p, "/devices/mailbox", nil)
	code := env.Emu.LastEmailCode(email)
	if code == "" || !contains(p.Labels(), "Code from the email") || !strings.Contains(p.Text(), "We emailed a code to e•••@example.com") {
		t.Fatalf("after Email me a code: %q (code %q)", p.Text(), code)
	}
	if r := b.Submit(p, "/devices/mailbox/code", url.Values{"code": {code[:2] + "a" + code[2:]}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.ByID("code-error"), "digits only") {
		t.Fatalf("a code with a letter: %d %q", r.Status, r.Text())
	}
	p = b.Submit(p, "/devices/mailbox/code", url.Values{"code": {code}})
	if p.Path() != "/devices/sms/new" || !strings.Contains(p.Text(), "Email address confirmed") {
		t.Fatalf("after the right code: %s %q", p.URL, p.Text())
	}
	p = b.Submit(p, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	if !strings.HasSuffix(p.Path(), "/verify") || env.Emu.LastCode("+15125201234") == "" {
		t.Fatalf("the first phone after the mailbox check: %d %s %q", p.Status, p.URL, p.Text())
	}

	// Off by default: the same person goes straight to the form.
	plain := portaltest.Start(t)
	if p := plain.NewBrowser(t).SignInEmployee("/enroll"); p.Path() != "/devices/sms/new" {
		t.Fatalf("without FIRST_PHONE_PROOF: %s", p.URL)
	}
}

// TestOneRuleForTypedCodes (issue #21 item 7): the person's form and the help desk's clean a
// typed code alike: spaces and hyphens go, a letter refuses it (12a3456 is a typo, not 123456)
// before PingOne is asked.
func TestOneRuleForTypedCodes(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	code := env.Emu.LastCode("+15125201234")
	for _, typed := range []string{code[:2] + "a" + code[2:], code + "x"} {
		r := b.Submit(p, "/verify", url.Values{"code": {typed}})
		if r.Status != http.StatusUnprocessableEntity || env.Emu.Calls("devices.activate") != 0 {
			t.Fatalf("the person's code %q: %d, %d activations", typed, r.Status, env.Emu.Calls("devices.activate"))
		}
	}
	if r := b.Submit(p, "/verify", url.Values{"code": {code[:3] + " - " + code[3:]}}); r.Path() != "/devices" {
		t.Fatalf("a code typed with a space and a hyphen: %d %s %q", r.Status, r.URL, r.Text())
	}

	staff, _ := staffBrowser(t, env)
	v := staff.Submit(staff.Get("/helpdesk/users/"+env.Demo.EmployeeID+"/verify"), "/verify", url.Values{"method": {"email"}})
	emailed := env.Emu.LastEmailCode("erin.employee@example.com")
	if r := staff.Submit(v, "/verify/code", url.Values{"code": {emailed[:2] + "a" + emailed[2:]}}); !strings.Contains(r.ByID("code-error"), "digits only") {
		t.Fatalf("the caller's code with a letter: %q", r.Text())
	}
	if r := staff.Submit(v, "/verify/code", url.Values{"code": {emailed[:3] + " " + emailed[3:]}}); !strings.Contains(r.Text(), "Caller verified") {
		t.Fatalf("the caller's code with a space: %q", r.Text())
	}
}

// TestExistingNumberAtTheCapIsAlreadyRegistered (issue #21 item 7): at the device cap, typing
// the number of a phone one already has says it is registered, not that the cap is reached.
func TestExistingNumberAtTheCapIsAlreadyRegistered(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.DeviceLimit = 2 }))
	emp := env.Demo.EmployeeID
	env.Emu.AddSMSDevice(emp, "+15125550101", true)
	env.Emu.AddSMSDevice(emp, "+15125550102", true)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	form := b.PassStepUpEmployee(b.Get("/devices/sms/new"))
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {"(512) 555-0102"}, "region": {"US"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "already set up for sign-in codes") || strings.Contains(p.Text(), "limit of sign-in devices") {
		t.Fatalf("an existing number at the cap: %d %q", p.Status, p.Text())
	}
	p = b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	if !strings.Contains(p.Text(), "limit of sign-in devices (2)") {
		t.Fatalf("a new number at the cap: %d %q", p.Status, p.Text())
	}
}

// TestMailboxRefusalReadsThePersonOnce: "Email me a code" refused (no address in the
// directory) answers from the one read of the person it made to find the address, not a
// second read for the page.
func TestMailboxRefusalReadsThePersonOnce(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("FIRST_PHONE_PROOF", "email"))
	env.Emu.AddUser(emulator.SeedUser{Username: "noemail", Given: "No", Family: "Email", Password: "Pw-noemail"})
	b := env.NewBrowser(t)
	p := b.SignIn("/devices/mailbox", "noemail", "Pw-noemail")
	if p.Path() != "/devices/mailbox" {
		t.Fatalf("after sign-in: %d %s %q", p.Status, p.URL, p.Text())
	}
	before := env.Emu.Calls("users.get")
	r := postForm(t, b, p, "/devices/mailbox", nil)
	if r.Status != http.StatusUnprocessableEntity || len(env.Emu.Emails()) != 0 {
		t.Fatalf("no address: %d %q", r.Status, r.Text())
	}
	if n := env.Emu.Calls("users.get") - before; n != 1 {
		t.Errorf("%d reads of the person for one refused send, want 1", n)
	}
}
