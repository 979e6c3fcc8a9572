package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/demo/seed"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// setSMSPolicy changes the default MFA policy's SMS settings in PingOne, as an administrator
// would, and lets the minute the portal keeps the policy pass.
func setSMSPolicy(t *testing.T, env *portaltest.Env, p emulator.SMSPolicy) {
	t.Helper()
	if err := env.Emu.SetSMSPolicy(p); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(61 * time.Second)
}

// The words of the phase-out pages, in English.
const (
	pairingOffText = "Your company has turned off adding phones for sign-in codes."
	keptText       = "Phones already added keep working and can still be removed."
	alternative    = "https://intranet.example/passkeys"
)

// TestPolicyTurnsOffNewPhones: with SMS off, or its pairing disabled, in the MFA policy, the
// add-phone page says so in words, offers the alternative, and has no form; a form sent
// anyway (opened before the change) creates and texts nothing; the phone already active stays
// listed and removable.
func TestPolicyTurnsOffNewPhones(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy emulator.SMSPolicy
	}{
		{"SMS off", emulator.SMSPolicy{Disabled: true}},
		{"pairing disabled", emulator.SMSPolicy{PairingDisabled: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t, portaltest.WithEnv("ALTERNATIVE_METHODS_URL", alternative))
			b := env.NewBrowser(t)
			codePage := addPhone(t, env, b, number)
			id := deviceID(t, codePage)
			finish(t, env, b, codePage)
			form := b.Get("/devices/sms/new")
			if !strings.Contains(form.Body, `action="/devices/sms"`) || !strings.Contains(form.Text(), "Prefer a passkey or an authenticator app? Set one up instead.") {
				t.Fatalf("the add-phone form before the change: %d %q", form.Status, form.Text())
			}

			setSMSPolicy(t, env, tc.policy)
			p := b.Get("/devices/sms/new")
			if p.Status != http.StatusOK || !strings.Contains(p.Text(), pairingOffText) || !strings.Contains(p.Text(), keptText) ||
				p.LinkTo(alternative) == "" || strings.Contains(p.Body, `action="/devices/sms"`) || p.Input("phone") != nil {
				t.Fatalf("the add-phone page with %s: %d %q", tc.name, p.Status, p.Text())
			}

			before, texts := env.Emu.AllCalls(), len(env.Emu.Outbox())
			p = b.Submit(form, "/devices/sms", url.Values{"phone": {"+1 512 520 9876"}, "region": {"US"}})
			if p.Status != http.StatusConflict || !strings.Contains(p.Text(), pairingOffText) || p.Input("phone") != nil {
				t.Fatalf("Send code with %s: %d %q", tc.name, p.Status, p.Text())
			}
			if n := env.Emu.Calls("devices.create") - before["devices.create"]; n != 0 {
				t.Errorf("%d device creates with %s, want none", n, tc.name)
			}
			if len(env.Emu.Outbox()) != texts || len(env.Emu.Devices(env.Demo.EmployeeID)) != 1 {
				t.Errorf("something was sent or made: %d texts, devices %+v", len(env.Emu.Outbox())-texts, env.Emu.Devices(env.Demo.EmployeeID))
			}
			if !strings.Contains(env.Logs.String(), `"reason":"sms pairing off in the MFA policy"`) {
				t.Errorf("no log line says why the phone was refused:\n%s", env.Logs.String())
			}

			list := b.Get("/devices")
			if !strings.Contains(deviceRow(t, list, "+1 512-520-1234"), "Active") {
				t.Fatalf("the active phone is not listed: %q", list.Text())
			}
			confirm := b.Get("/devices/" + id + "/remove")
			p = b.Submit(confirm, "/remove", nil)
			if p.Path() != "/devices" || !strings.Contains(p.Text(), "was removed") || len(env.Emu.Devices(env.Demo.EmployeeID)) != 0 {
				t.Fatalf("removing the phone with %s: %s %q", tc.name, p.Path(), p.Text())
			}
		})
	}
}

// TestPolicyStopsAPendingPhone: a phone waiting for its code when pairing is disabled is not
// finished: its code page, the code and a resend each lead back to the list with the words,
// PingOne is not asked to activate or text, and the phone stays there to be removed.
func TestPolicyStopsAPendingPhone(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	codePage := addPhone(t, env, b, number)
	id := deviceID(t, codePage)
	code := env.Emu.LastCode("+15125201234")
	setSMSPolicy(t, env, emulator.SMSPolicy{PairingDisabled: true})
	const words = "Your company has turned off adding phones for sign-in codes, so +1 •••-•••-1234 cannot be finished. You can remove it."

	before, texts := env.Emu.AllCalls(), len(env.Emu.Outbox())
	for _, step := range []struct {
		name string
		send func() *portaltest.Page
	}{
		{"the code page", func() *portaltest.Page { return b.Get("/devices/" + id + "/verify") }},
		{"the right code", func() *portaltest.Page { return b.Submit(codePage, "/verify", url.Values{"code": {code}}) }},
		{"Resend code", func() *portaltest.Page { return b.Submit(codePage, "/resend", nil) }},
	} {
		p := step.send()
		if p.Path() != "/devices" || !strings.Contains(p.Text(), words) {
			t.Errorf("%s: %d %s %q", step.name, p.Status, p.Path(), p.Text())
		}
	}
	for _, route := range []string{"devices.activate", "devices.resend"} {
		if n := env.Emu.Calls(route) - before[route]; n != 0 {
			t.Errorf("%s called %d times, want none", route, n)
		}
	}
	if devs := env.Emu.Devices(env.Demo.EmployeeID); len(devs) != 1 || devs[0].Status != "ACTIVATION_REQUIRED" || len(env.Emu.Outbox()) != texts {
		t.Fatalf("PingOne holds %+v, %d new texts", devs, len(env.Emu.Outbox())-texts)
	}
	p := b.Submit(b.Get("/devices/"+id+"/remove"), "/remove", nil)
	if p.Path() != "/devices" || len(env.Emu.Devices(env.Demo.EmployeeID)) != 0 {
		t.Fatalf("removing the pending phone: %s %q", p.Path(), p.Text())
	}
}

// TestPolicyRefusalWithoutTheRead: when PingOne refuses the pairing while the portal still
// holds the policy from before the change, the refusal (pingone.IsPairingRefused) gives the
// same page, and the limits' slots go back.
func TestPolicyRefusalWithoutTheRead(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	form := b.SignInEmployee("/enroll")
	// Changed in PingOne, not yet seen by the portal (it keeps the policy a minute).
	if err := env.Emu.SetSMSPolicy(emulator.SMSPolicy{Disabled: true}); err != nil {
		t.Fatal(err)
	}
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Text(), pairingOffText) {
		t.Fatalf("PingOne's refusal: %d %q", p.Status, p.Text())
	}
	if env.Emu.Calls("devices.create") != 1 || len(env.Emu.Devices(env.Demo.EmployeeID)) != 0 {
		t.Fatalf("creates %d, devices %+v", env.Emu.Calls("devices.create"), env.Emu.Devices(env.Demo.EmployeeID))
	}
	// The slot of LIMIT_TEXTS_TO_NUMBER (3 in 5 minutes) was given back: three more tries pass
	// the portal's limits and reach PingOne once SMS is on again.
	if err := env.Emu.SetSMSPolicy(emulator.SMSPolicy{}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(61 * time.Second)
	if p := b.Submit(b.Get("/devices/sms/new"), "/devices/sms", url.Values{"phone": {number}, "region": {"US"}}); !strings.HasSuffix(p.Path(), "/verify") {
		t.Fatalf("after SMS is on again: %d %s %q", p.Status, p.Path(), p.Text())
	}
}

// TestHelpdeskAddPageSaysPairingOff: the help desk's add-phone page says it too, with no form.
func TestHelpdeskAddPageSaysPairingOff(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.SMSPairingDisabled = true }))
	b, _ := staffBrowser(t, env)
	verifyCaller(t, env, b, env.Demo.EmployeeID, "erin.employee@example.com")
	base := "/helpdesk/users/" + env.Demo.EmployeeID
	p := b.Get(base + "/phone/new")
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), pairingOffText) || p.Input("phone") != nil || strings.Contains(p.Body, `action="`+base+`/phone"`) {
		t.Fatalf("the help desk's add-phone page: %d %q", p.Status, p.Text())
	}
}

// TestCodePageStatesThePolicy: with a policy of 8-digit codes that live 5 minutes and allow 3
// wrong tries, every language's pages say so (the start page, the add-phone form, the code
// page, a malformed code's refusal), the number shown once, masked.
func TestCodePageStatesThePolicy(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) {
		o.OTPLength, o.OTPLifetime, o.OTPMaxFailures = 8, 5*time.Minute, 3
	}))
	b := env.NewBrowser(t)
	codePage := addPhone(t, env, b, number)
	if code := env.Emu.LastCode("+15125201234"); len(code) != 8 {
		t.Fatalf("PingOne texted %q", code)
	}
	const masked = "+1 •••-•••-1234"
	path := strings.TrimPrefix(codePage.URL, env.URL)
	for _, l := range messages.Languages() {
		t.Run(l.Tag, func(t *testing.T) {
			pr := messages.NewPrinter(l.Tag)
			p := b.Get("/language?lang=" + url.QueryEscape(l.Tag) + "&return_to=" + url.QueryEscape(path))
			text := p.Text()
			sentence := fold(pr.T(messages.VerifySentTo, messages.Data{"Count": 8, "Number": masked}))
			rules := fold(pr.T(messages.VerifyCodeRules, messages.Data{"Wait": messages.Phrase{Key: messages.WaitMinutes, Data: messages.Data{"N": 5}}, "Count": 3}))
			if !strings.Contains(text, sentence) || !strings.Contains(text, rules) {
				t.Errorf("the code page lacks %q or %q:\n%s", sentence, rules, text)
			}
			if strings.Count(text, "1234") != 1 || strings.Contains(text, "512-520") {
				t.Errorf("the number is not shown once, masked:\n%s", text)
			}
			six := fold(pr.T(messages.VerifySentTo, messages.Data{"Count": 6, "Number": masked}))
			if six == sentence || strings.Contains(text, six) {
				t.Errorf("the sentence does not depend on the length, or says 6: %q", six)
			}
			bad := b.Submit(p, "/verify", url.Values{"code": {"12345"}})
			if want := fold(pr.T(messages.VerifyBadCodeSelf, messages.Data{"Count": 8})); !strings.Contains(bad.Text(), want) || !strings.Contains(want, "8") {
				t.Errorf("a 5-digit code: %d, want %q in %q", bad.Status, want, bad.Text())
			}
			add := b.Get("/devices/sms/new")
			if want := fold(pr.T(messages.AddIntro, messages.Data{"Count": 8})); !strings.Contains(add.Text(), want) || !strings.Contains(want, "8") {
				t.Errorf("the add-phone form lacks %q", want)
			}
			home := env.NewBrowser(t).Get("/?lang=" + url.QueryEscape(l.Tag))
			if want := fold(pr.T(messages.HomeStepCode, messages.Data{"Count": 8})); !strings.Contains(home.Text(), want) || !strings.Contains(want, "8") {
				t.Errorf("the start page lacks %q", want)
			}
		})
	}
}

// fold folds white space as Page.Text does, and drops the isolates a right-to-left sentence
// puts around a number (the page marks the number up instead).
func fold(s string) string {
	s = strings.NewReplacer("\u2066", "", "\u2069", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// TestPolicyUnreadable: a worker that may not read the policy still registers phones (PingOne
// decides), with PingOne's default length and no promise about lifetime or tries; a WARN line
// says why.
func TestPolicyUnreadable(t *testing.T) {
	env := portaltest.Start(t)
	env.Emu.Inject(emulator.Fault{Route: "devicePolicies.list", Status: http.StatusForbidden, Times: -1})
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	if !strings.Contains(p.Text(), "Enter the 6-digit code sent to +1 •••-•••-1234.") || strings.Contains(p.Text(), "The code works for") {
		t.Fatalf("code page without the policy: %q", p.Text())
	}
	finish(t, env, b, p)
	if !strings.Contains(env.Logs.String(), "device authentication policy not readable") {
		t.Errorf("no WARN line about the policy:\n%s", env.Logs.String())
	}
}

// TestDemoPairingDisabled is the demo's `-demo-sms pairing-disabled`: the employee has a phone
// from before, listed as active, and the link of the onboarding email shows the phase-out page.
func TestDemoPairingDisabled(t *testing.T) {
	opts, err := seed.DemoSMSOptions(seed.DemoSMSPairingDisabled)
	if err != nil {
		t.Fatal(err)
	}
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { *o = opts }))
	b := env.NewBrowser(t)
	list := b.SignInEmployee("/devices")
	if !strings.Contains(deviceRow(t, list, "+1 512-555-0123"), "Active") {
		t.Fatalf("the demo employee's phone: %q", list.Text())
	}
	// The onboarding link tells someone already set up so (issue #25); the add-phone form says
	// new phones are turned off.
	p := b.PassStepUpEmployee(b.Get("/devices/sms/new"))
	if p.Path() != "/devices/sms/new" || !strings.Contains(p.Text(), pairingOffText) || p.Input("phone") != nil {
		t.Fatalf("the onboarding link: %d %s %q", p.Status, p.Path(), p.Text())
	}
}

// TestAlternativeOfferedBeforeTheForm: with ALTERNATIVE_METHODS_URL set, the add-phone page
// offers it in one line before the form, in every language; without it, nothing is offered.
func TestAlternativeOfferedBeforeTheForm(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("ALTERNATIVE_METHODS_URL", alternative))
	b := env.NewBrowser(t)
	b.SignInEmployee("/enroll")
	for _, l := range messages.Languages() {
		pr := messages.NewPrinter(l.Tag)
		p := b.Get("/language?lang=" + url.QueryEscape(l.Tag) + "&return_to=%2Fdevices%2Fsms%2Fnew")
		line := fold(pr.T(messages.AddAlternative, nil) + " " + pr.T(messages.AddAlternativeLink, nil))
		offer, form := strings.Index(p.Body, `href="`+alternative+`"`), strings.Index(p.Body, `action="/devices/sms"`)
		if !strings.Contains(p.Text(), line) || offer < 0 || form < 0 || offer > form {
			t.Errorf("%s: the alternative %q (at %d) is not offered before the form (at %d)", l.Tag, line, offer, form)
		}
	}
	plain := portaltest.Start(t)
	p := plain.NewBrowser(t).SignInEmployee("/enroll")
	if strings.Contains(p.Text(), "Prefer a passkey") || strings.Contains(p.Body, `class="alternative"`) {
		t.Errorf("an alternative offered without ALTERNATIVE_METHODS_URL: %q", p.Text())
	}
}
