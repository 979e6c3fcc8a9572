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

type css = chromedp.CSS

// signIn fills the emulator's PingOne sign-in form.
func signIn(t *testing.T, ctx context.Context, user, pass string) {
	t.Helper()
	do(t, ctx,
		chromedp.WaitVisible(css("#username")),
		chromedp.SendKeys(css("#username"), user),
		chromedp.SendKeys(css("#password"), pass),
		chromedp.Click(css("button[type=submit]")),
	)
}

func eval(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	get(t, ctx, chromedp.Evaluate[any](js))
}

func pickRegion(t *testing.T, ctx context.Context, code string) {
	eval(t, ctx, `(() => { const s = document.querySelector('#region'); s.value = '`+code+`';
		s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
}

func attr(t *testing.T, ctx context.Context, sel, name string) chromedp.AttributeResult {
	t.Helper()
	return get(t, ctx, chromedp.AttributeValue(css(sel), name))
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, chromedp.Text(css(sel)))
}

func TestEmployeeJourneyWithJavaScript(t *testing.T) {
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(css("a.button")))
	screenshot(t, ctx, "home")
	do(t, ctx, chromedp.Navigate(env.URL+"/enroll"), chromedp.WaitVisible(css("#username")))
	screenshot(t, ctx, "emulator-sign-in")
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css("#phone")))
	pickRegion(t, ctx, "US")

	// An invalid number is marked once the field is left, before anything is sent (issue #25:
	// not while it is being typed).
	do(t, ctx, chromedp.SendKeys(css("#phone"), "512 520"), chromedp.Sleep(150*time.Millisecond))
	if inv := attr(t, ctx, "#phone", "aria-invalid"); inv.Exists {
		t.Fatalf("a number still being typed is marked invalid: %q", inv.Value)
	}
	eval(t, ctx, `document.querySelector('#phone').blur(); true`)
	inv, desc, msg := attr(t, ctx, "#phone", "aria-invalid"), attr(t, ctx, "#phone", "aria-describedby"), text(t, ctx, "#phone-error")
	if inv.Value != "true" || !strings.Contains(desc.Value, "phone-error") || !strings.Contains(msg, "too short") {
		t.Fatalf("typing an invalid number: aria-invalid=%q describedby=%q message=%q", inv.Value, desc.Value, msg)
	}
	screenshot(t, ctx, "add-phone-invalid")
	do(t, ctx, chromedp.Click(css("form.phone-form button[type=submit]")), chromedp.Sleep(200*time.Millisecond))
	if n := env.Emu.Calls("devices.create"); n != 0 {
		t.Fatalf("an invalid number was sent (%d creates)", n)
	}

	do(t, ctx, chromedp.SendKeys(css("#phone"), "-1234"), chromedp.Sleep(150*time.Millisecond))
	if preview, inv := text(t, ctx, "#phone-preview"), attr(t, ctx, "#phone", "aria-invalid"); !strings.Contains(preview, "+1 512-520-1234") || inv.Exists {
		t.Fatalf("a valid number: preview %q, aria-invalid %v", preview, inv)
	}
	screenshot(t, ctx, "add-phone")
	do(t, ctx, chromedp.Click(css("form.phone-form button[type=submit]")), chromedp.WaitVisible(css("#code")))
	screenshot(t, ctx, "verify")

	do(t, ctx, chromedp.SendKeys(css("#code"), "000000"), chromedp.Click(css("form.code-form button")), chromedp.WaitVisible(css("#code-error")))
	if msg := text(t, ctx, "#code-error"); !strings.Contains(msg, "not right") {
		t.Fatalf("wrong code message %q", msg)
	}
	screenshot(t, ctx, "verify-wrong-code")
	// "Resend code" is held back for the cool-down; once it is over a new code goes out.
	if d := attr(t, ctx, "form.resend-form button", "disabled"); !d.Exists {
		t.Error("Resend code is not disabled during the cool-down")
	}
	env.Clock.Advance(31 * time.Second)
	// Open the code page afresh (a GET: reloading would post the wrong code again).
	do(t, ctx, chromedp.Navigate(get(t, ctx, chromedp.Location())), chromedp.WaitVisible(css("#code")), chromedp.Click(css("form.resend-form button")),
		chromedp.WaitVisible(css(".flash")))
	if msg := text(t, ctx, ".flash"); !strings.Contains(msg, "new code") || len(env.Emu.Outbox()) != 2 {
		t.Fatalf("resend: %q, %d texts", msg, len(env.Emu.Outbox()))
	}
	do(t, ctx, chromedp.SendKeys(css("#code"), env.Emu.LastCode("+15125201234")), chromedp.Click(css("form.code-form button")),
		chromedp.WaitVisible(css(".state-active")))
	if main := text(t, ctx, "main"); !strings.Contains(main, "+1 512-520-1234") || !strings.Contains(main, "Active") {
		t.Fatalf("devices page: %q", main)
	}
	screenshot(t, ctx, "devices")

	// The code typed a moment ago proved the phone, so removing it needs no second check now.
	do(t, ctx, chromedp.Click(css("form[action$='/remove'] button")), chromedp.WaitVisible(css("button.danger")))
	screenshot(t, ctx, "remove-confirm")
	do(t, ctx, chromedp.Click(css("button.danger")), chromedp.WaitVisible(css(".flash")))
	if main := text(t, ctx, "main"); !strings.Contains(main, "was removed") || len(env.Emu.Devices(env.Demo.EmployeeID)) != 0 {
		t.Fatalf("after remove: %q", main)
	}
	do(t, ctx, chromedp.Click(css("button.link")), chromedp.WaitVisible(css("ol.steps")))
	// Signing out ends on the start page, saying so (issue #25).
	if loc := get(t, ctx, chromedp.Location()); loc != env.URL+"/?state=signed_out" || !strings.Contains(text(t, ctx, "main"), "You have signed out.") {
		t.Fatalf("after sign-out at %s: %q", loc, text(t, ctx, "main"))
	}
}

// disableScripts turns JavaScript off in the tab, as a browser with scripts blocked has it.
var disableScripts = send(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})

func TestEmployeeJourneyWithoutJavaScript(t *testing.T) {
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate("about:blank"), disableScripts, chromedp.Navigate(env.URL+"/enroll"))
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css("#phone")), chromedp.SetValue(css("#region"), "US"),
		chromedp.SendKeys(css("#phone"), "512 520"), chromedp.Click(css("form.phone-form button[type=submit]")),
		chromedp.WaitVisible(css("#phone-error")))
	// The server refuses the number and keeps it in the field with the reason.
	inv, msg, val := attr(t, ctx, "#phone", "aria-invalid"), text(t, ctx, "#phone-error"), get(t, ctx, chromedp.Value(css("#phone")))
	if inv.Value != "true" || !strings.Contains(msg, "too short") || val != "512 520" {
		t.Fatalf("no-JS refusal: %q %q %q", inv.Value, msg, val)
	}
	screenshot(t, ctx, "add-phone-invalid-nojs")
	do(t, ctx, chromedp.SetValue(css("#phone"), "+1 (512) 520-1234"), chromedp.Click(css("form.phone-form button[type=submit]")),
		chromedp.WaitVisible(css("#code")))
	do(t, ctx, chromedp.SendKeys(css("#code"), env.Emu.LastCode("+15125201234")), chromedp.Click(css("form.code-form button")),
		chromedp.WaitVisible(css(".state-active")))
	if d := env.Emu.Devices(env.Demo.EmployeeID); len(d) != 1 || d[0].Status != "ACTIVE" {
		t.Fatalf("PingOne holds %+v", d)
	}
}
