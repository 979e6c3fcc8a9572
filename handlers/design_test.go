package handlers_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestEnrollWhenSetUp: someone with an active phone who opens the onboarding link again gets a
// page saying they are set up, listing their phones, with no step-up (issue #25); someone
// without one still lands on the add-phone form.
func TestEnrollWhenSetUp(t *testing.T) {
	env := portaltest.Start(t)
	if p := env.NewBrowser(t).SignInEmployee("/enroll"); p.H1() != "Add your phone" {
		t.Fatalf("the onboarding link without a phone: %s %q", p.URL, p.H1())
	}
	b := env.NewBrowser(t)
	activePhone(t, env, b)
	env.Clock.Advance(11 * time.Minute) // the code's proof is old: adding a phone would step up
	p := b.Get("/enroll")
	if p.H1() != "You’re set up" || !strings.Contains(p.Text(), "+1 512-520-1234") || p.LinkTo("/auth/login?step_up=1") != "" {
		t.Fatalf("the onboarding link with an active phone: %s %q %q", p.URL, p.H1(), p.Text())
	}
	if !strings.Contains(p.Text(), "Add another phone") {
		t.Errorf("the set-up page does not offer another phone: %q", p.Text())
	}
}

// TestSignOutSaysSo: signing out ends on the start page saying so, titled "Signed out", with
// its "Sign in".
func TestSignOutSaysSo(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := b.SignInEmployee("/devices")
	p = b.Post("/auth/logout", url.Values{"csrf": {csrfOf(t, p)}})
	if p.Path() != "/" || !strings.Contains(p.Text(), "You have signed out.") || !strings.Contains(p.Text(), "Sign in") {
		t.Fatalf("after signing out: %s %q", p.URL, p.Text())
	}
	if p := b.Get("/"); strings.Contains(p.Text(), "signed out") {
		t.Errorf("the start page says signed out on a later visit: %q", p.Text())
	}
}
