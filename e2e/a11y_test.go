package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/testkit/phonecases"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// axeSource is axe-core from npm (package.json; `npm ci` installs it).
func axeSource(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")); err == nil {
			return string(b)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") != "" {
		t.Fatal("axe-core is not installed: run npm ci")
	}
	t.Skip("axe-core is not installed: run `npm ci` to run the accessibility checks")
	return ""
}

type violation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target []string
		HTML   string
	}
}

// checkPage runs axe-core (WCAG 2.2 A and AA) on the current page, checks that it reflows
// without horizontal scrolling at 320 CSS px and at 200% zoom of a 1280-px window, and
// saves screenshots.
func checkPage(t *testing.T, ctx context.Context, axe, name string) {
	t.Helper()
	get(t, ctx, chromedp.Evaluate[any](axe+";true"))
	vs := get(t, ctx, chromedp.Evaluate[[]violation](`axe.run(document, {runOnly: {type: 'tag',
		values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html}))})))`,
		chromedp.EvalAwaitPromise))
	for _, v := range vs {
		for _, n := range v.Nodes {
			t.Errorf("%s: axe %s (%s): %s at %v: %.200s", name, v.ID, v.Impact, v.Help, n.Target, n.HTML)
		}
	}
	for _, w := range []int64{320, 640} {
		do(t, ctx, chromedp.EmulateViewport(w, 800))
		over := get(t, ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
		if over {
			t.Errorf("%s: scrolls horizontally at %d CSS px", name, w)
		}
	}
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
	screenshot(t, ctx, "a11y-"+name)
}

func waitPath(t *testing.T, ctx context.Context, suffix string) {
	t.Helper()
	for range 100 {
		if loc := get(t, ctx, chromedp.Location()); strings.Contains(loc, suffix) {
			do(t, ctx, chromedp.WaitReady(css("body")))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("never reached %s", suffix)
}

func TestAccessibilityOfEveryPage(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(css("a.button")))
	checkPage(t, ctx, axe, "home")
	do(t, ctx, chromedp.Navigate(env.URL+"/devices"), chromedp.WaitVisible(css("#username")))
	checkPage(t, ctx, axe, "emulator-sign-in")
	do(t, ctx, chromedp.SendKeys(css("#username"), "nobody"), chromedp.SendKeys(css("#password"), "wrong"),
		chromedp.Click(css("button[type=submit]")), chromedp.WaitVisible(css("#err")))
	checkPage(t, ctx, axe, "emulator-sign-in-wrong")
	do(t, ctx, chromedp.Clear(css("#username")))
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css("nav[aria-label=Main]")))
	checkPage(t, ctx, axe, "devices-empty")
	do(t, ctx, chromedp.Navigate(env.URL+"/devices/sms/new"), chromedp.WaitVisible(css("#phone")))
	checkPage(t, ctx, axe, "add-phone")
	do(t, ctx, chromedp.SendKeys(css("#phone"), "+44 20 7946 0018"), chromedp.Sleep(150*time.Millisecond))
	eval(t, ctx, `document.querySelector('#phone').blur(); true`)
	checkPage(t, ctx, axe, "add-phone-invalid-typed")
	// A refusal by the server (JavaScript would have stopped it: submit without it).
	get(t, ctx, chromedp.Evaluate[any](`document.querySelector('form.phone-form').submit(); true`))
	waitPath(t, ctx, "/devices/sms")
	do(t, ctx, chromedp.WaitVisible(css(".error-summary")))
	if active := get(t, ctx, chromedp.Evaluate[string](`document.activeElement.className`)); active != "error-summary" {
		t.Errorf("a server-side error does not take the focus (active: %q)", active)
	}
	checkPage(t, ctx, axe, "add-phone-refused")
	do(t, ctx, chromedp.SetValue(css("#phone"), "+1 512 520 1234"), chromedp.Click(css("form.phone-form button[type=submit]")),
		chromedp.WaitVisible(css("#code")))
	checkPage(t, ctx, axe, "verify")
	do(t, ctx, chromedp.SendKeys(css("#code"), "000000"), chromedp.Click(css("form.code-form button")), chromedp.WaitVisible(css(".error-summary")))
	checkPage(t, ctx, axe, "verify-wrong-code")
	// The button is disabled during the cool-down; the server's own answer is the state to check.
	get(t, ctx, chromedp.Evaluate[any](`document.querySelector('form.resend-form').submit(); true`))
	waitPath(t, ctx, "/resend")
	do(t, ctx, chromedp.WaitVisible(css(".info")))
	checkPage(t, ctx, axe, "verify-resend-cooldown")
	do(t, ctx, chromedp.Navigate(env.URL+"/devices/00000000-0000-4000-8000-000000000000/verify"), chromedp.WaitVisible(css(".request-id")))
	checkPage(t, ctx, axe, "error-404")
	do(t, ctx, chromedp.Navigate(env.URL+"/helpdesk"), chromedp.WaitVisible(css(".request-id")))
	checkPage(t, ctx, axe, "error-403")
	do(t, ctx, chromedp.Navigate(env.URL+"/demo/sms"), chromedp.WaitVisible(css(".outbox")))
	checkPage(t, ctx, axe, "demo-sms")
	do(t, ctx, chromedp.Navigate(env.URL+"/devices"), chromedp.WaitVisible(css(".device")))
	checkPage(t, ctx, axe, "devices-waiting")
	id := env.Emu.Devices(env.Demo.EmployeeID)[0].ID
	do(t, ctx, chromedp.Navigate(env.URL+"/devices/"+id+"/rename"), chromedp.WaitVisible(css("#nickname")))
	checkPage(t, ctx, axe, "rename")
	do(t, ctx, chromedp.Navigate(env.URL+"/devices/"+id+"/remove"), chromedp.WaitVisible(css("button.danger")))
	checkPage(t, ctx, axe, "remove-confirm")
	// With an active phone, PingOne's MFA step asks for a texted code.
	const employeePhone = "+15125209999"
	env.Emu.AddSMSDevice(env.Demo.EmployeeID, employeePhone, true)
	// Removing asks first and says that the step-up follows (issue #25).
	do(t, ctx, chromedp.Navigate(env.URL+"/devices/"+id+"/remove"), chromedp.WaitVisible(css("button.danger")))
	checkPage(t, ctx, axe, "remove-confirm-step-up-next")
	do(t, ctx, chromedp.Navigate(env.URL+"/devices"), chromedp.WaitVisible(css(".device")))
	checkPage(t, ctx, axe, "devices-two")
	do(t, ctx, chromedp.Navigate(env.URL+"/devices/sms/new"), chromedp.WaitVisible(css("a.button[href^='/auth/login?step_up=1']")))
	checkPage(t, ctx, axe, "step-up")
	do(t, ctx, chromedp.Click(css("a.button[href^='/auth/login?step_up=1']")), chromedp.WaitVisible(css("#password")))
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css("#otp")))
	checkPage(t, ctx, axe, "emulator-mfa-code")
	do(t, ctx, chromedp.SendKeys(css("#otp"), env.Emu.LastCode(employeePhone)), chromedp.Click(css("button[type=submit]")),
		chromedp.WaitVisible(css("#phone")))
	do(t, ctx, chromedp.Navigate(env.URL+"/enroll"), chromedp.WaitVisible(css(".device")))
	checkPage(t, ctx, axe, "enroll-set-up")

	// The help desk's pages, after signing the employee out (tabs share cookies).
	staff := ctx
	do(t, ctx, chromedp.Click(css("button.link")), chromedp.WaitVisible(css("ol.steps")))
	checkPage(t, ctx, axe, "signed-out")
	do(t, staff, chromedp.Navigate(env.URL+"/helpdesk"))
	signIn(t, staff, env.Demo.Helpdesk, env.Demo.HelpdeskPass)
	staffStepUp(t, staff, env, "")
	checkPage(t, staff, axe, "helpdesk-search")
	do(t, staff, chromedp.Navigate(env.URL+"/helpdesk?q=erin"), chromedp.WaitVisible(css(".results")))
	checkPage(t, staff, axe, "helpdesk-results")
	do(t, staff, chromedp.Navigate(env.URL+"/helpdesk?q=nobody"), chromedp.WaitVisible(css("main p[role=status]")))
	checkPage(t, staff, axe, "helpdesk-none")
	do(t, staff, chromedp.Navigate(env.URL+"/helpdesk/users/"+env.Demo.EmployeeID), chromedp.WaitVisible(css(".profile")))
	checkPage(t, staff, axe, "helpdesk-user")
	// Changes need the caller verified first (helpdesk_test.go checks those pages).
	do(t, staff, chromedp.Navigate(env.URL+"/helpdesk/users/"+env.Demo.EmployeeID+"/verify"), chromedp.WaitVisible(css("#method-email")),
		chromedp.Click(css("#method-email")), chromedp.Click(css("form[action$='/verify'] button[type=submit]")), chromedp.WaitVisible(css("#code")))
	do(t, staff, chromedp.SendKeys(css("#code"), env.Emu.LastEmailCode("erin.employee@example.com")),
		chromedp.Click(css("form[action$='/verify/code'] button")), chromedp.WaitVisible(css(".verified")))
	do(t, staff, chromedp.Navigate(env.URL+"/helpdesk/users/"+env.Demo.EmployeeID+"/devices/"+id+"/remove"), chromedp.WaitVisible(css("#reason")))
	checkPage(t, staff, axe, "helpdesk-confirm")
	do(t, staff, chromedp.Navigate(env.URL+"/helpdesk/users/"+env.Demo.EmployeeID+"/phone/new"), chromedp.WaitVisible(css("#reason")))
	checkPage(t, staff, axe, "helpdesk-add-phone")
}

func tabTo(t *testing.T, ctx context.Context, selector string, back bool) {
	t.Helper()
	var opts []chromedp.KeyOption
	if back {
		opts = append(opts, chromedp.KeyModifiers(chromedp.ModifierShift))
	}
	for range 40 {
		if get(t, ctx, chromedp.Evaluate[bool](`!!document.activeElement && document.activeElement.matches(`+jsString(selector)+`)`)) {
			return
		}
		do(t, ctx, chromedp.KeyEvent(kb.Tab, opts...))
	}
	t.Fatalf("could not reach %s with the keyboard", selector)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func typeKeys(t *testing.T, ctx context.Context, s string) { do(t, ctx, chromedp.KeyEvent(s)) }

func paste(text string) chromedp.Action[chromedp.Void] {
	return send(input.InsertText, input.InsertTextParams{Text: text})
}

// TestKeyboardOnlyJourney adds a phone with Tab, Shift+Tab, Enter and Space (and typing),
// pasting the code as a person copying it from a message would.
func TestKeyboardOnlyJourney(t *testing.T) {
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(css("a.button")))
	tabTo(t, ctx, "a.button", false)
	typeKeys(t, ctx, kb.Enter)
	do(t, ctx, chromedp.WaitVisible(css("#username")))
	tabTo(t, ctx, "#username", false)
	typeKeys(t, ctx, env.Demo.Employee)
	tabTo(t, ctx, "#password", false)
	typeKeys(t, ctx, env.Demo.EmployeePass+kb.Enter)
	do(t, ctx, chromedp.WaitVisible(css("a.button[href='/devices/sms/new']")))
	tabTo(t, ctx, "a.button[href='/devices/sms/new']", false)
	typeKeys(t, ctx, kb.Enter)
	do(t, ctx, chromedp.WaitVisible(css("#phone")))
	tabTo(t, ctx, "#phone", false)
	tabTo(t, ctx, "#region", true) // Shift+Tab back: the country is already picked from the browser's language
	if v := get(t, ctx, chromedp.Value(css("#region"))); v != "US" {
		t.Fatalf("country picked from the browser's language: %q", v)
	}
	tabTo(t, ctx, "#phone", false)
	typeKeys(t, ctx, "512-520-1234")
	tabTo(t, ctx, "form.phone-form button[type=submit]", false)
	typeKeys(t, ctx, " ") // Space presses a button
	do(t, ctx, chromedp.WaitVisible(css("#code")))
	tabTo(t, ctx, "#code", false)
	code := env.Emu.LastCode("+15125201234")
	do(t, ctx, paste(code[:3]+" "+code[3:]))
	typeKeys(t, ctx, kb.Enter)
	do(t, ctx, chromedp.WaitVisible(css(".state-active")))
	tabTo(t, ctx, "button.link", false)
	typeKeys(t, ctx, kb.Enter)
	do(t, ctx, chromedp.WaitVisible(css("ol.steps")))
	if d := env.Emu.Devices(env.Demo.EmployeeID); len(d) != 1 || d[0].Status != "ACTIVE" {
		t.Fatalf("PingOne holds %+v", d)
	}
}

type verdict struct {
	OK     bool   `json:"ok"`
	E164   string `json:"e164"`
	Shown  string `json:"shown"`
	Reason string `json:"reason"`
	Msg    string `json:"msg"`
}

// TestOneVerdictForEveryNumber feeds the library's example numbers for every region and type,
// and mutations of them, through the page's own validator in Chromium and through the server's
// policy, and fails on any disagreement.
func TestOneVerdictForEveryNumber(t *testing.T) {
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/devices/sms/new"))
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css("#phone")))
	cases := phonecases.Examples()
	data, _ := json.Marshal(cases)
	// Every number starts from the core file alone and gets the rules its verdict asks for, as
	// the page does, from the URLs the portal serves them at.
	got := get(t, ctx, chromedp.Evaluate[[]verdict](`(async () => {
		const coreURL = new URL(document.querySelector('form.phone-form').dataset.meta, location.href);
		const core = await (await fetch(coreURL)).text();
		const groups = {};
		for (const cc of Object.keys(JSON.parse(core).cc)) {
			const r = await fetch(PhonePolicy.groupURL(JSON.parse(core), cc, coreURL));
			if (r.ok) groups[cc] = await r.json();
		}
		const allowed = [...document.querySelectorAll('#region option')].map(o => o.value).filter(Boolean);
		return `+string(data)+`.map(c => {
			const M = PhonePolicy.words(PhonePolicy.init(JSON.parse(core)), JSON.parse(document.getElementById('phone-texts').textContent));
			let v = PhonePolicy.verdict(c.input, c.region, M, allowed);
			for (let i = 0; v.pending && i < 3; i++) {
				for (const cc of v.pending) PhonePolicy.addGroup(M, groups[cc]);
				v = PhonePolicy.verdict(c.input, c.region, M, allowed);
			}
			return {ok: v.ok, e164: v.e164 || "", shown: v.shown || "", reason: v.reason || "", msg: v.ok ? "" : PhonePolicy.message(v, M)}; });
	})()`, chromedp.EvalAwaitPromise))
	if len(got) != len(cases) {
		t.Fatalf("%d verdicts for %d numbers", len(got), len(cases))
	}
	policy, _ := phone.NewPolicy(nil)
	var diffs []string
	for i, c := range cases {
		n, err := policy.Parse(c.Input, c.Region)
		want := verdict{OK: err == nil, E164: n.E164, Shown: n.International}
		if pe, ok := err.(*phone.Error); ok {
			want.Reason, want.Msg = string(pe.Reason), pe.Message()
		}
		if got[i] != want {
			diffs = append(diffs, c.Input+" ["+c.Region+"]: server "+want.Reason+want.E164+" "+want.Shown+", browser "+got[i].Reason+got[i].E164+" "+got[i].Shown)
		}
	}
	t.Logf("%d numbers compared in Chromium, %d disagreements", len(cases), len(diffs))
	if len(cases) < 1000 || len(diffs) > 0 {
		t.Fatalf("%d cases, %d disagreements:\n%s", len(cases), len(diffs), strings.Join(diffs[:min(40, len(diffs))], "\n"))
	}
}

func disableCache(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
	if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
		return chromedp.Void{}, err
	}
	_, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
	return chromedp.Void{}, err
}

// TestAddPhonePageWeight: the add-phone page with everything it loads (the phone rules of the
// picked country included) weighs at most 25 KB compressed, loads nothing from another origin,
// and does not shift as it renders.
func TestAddPhonePageWeight(t *testing.T) {
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, disableCache, chromedp.Navigate(env.URL+"/devices"))
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css("nav[aria-label=Main]")), chromedp.Navigate(env.URL+"/devices/sms/new"), chromedp.WaitVisible(css("#phone")),
		chromedp.Sleep(500*time.Millisecond))
	type entry struct {
		Name string
		Size float64
	}
	var w struct {
		Total   float64
		Entries []entry
		Origins []string
		Shift   float64
	}
	w = get(t, ctx, chromedp.Evaluate[struct {
		Total   float64
		Entries []entry
		Origins []string
		Shift   float64
	}](`new Promise(done => {
		let shift = 0;
		new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) shift += e.value; })
			.observe({type: 'layout-shift', buffered: true});
		setTimeout(() => {
			const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
			done({total: all.reduce((a, e) => a + e.transferSize, 0), entries: all.map(e => ({name: e.name, size: e.transferSize})),
				origins: [...new Set(all.map(e => new URL(e.name).origin))], shift: shift});
		}, 300);
	})`, chromedp.EvalAwaitPromise))
	for _, e := range w.Entries {
		t.Logf("%6.1f KB  %s", e.Size/1024, strings.TrimPrefix(e.Name, env.URL))
	}
	t.Logf("add-phone page: %.1f KB compressed in all, %d requests, layout shift %.3f", w.Total/1024, len(w.Entries), w.Shift)
	if w.Total > 25*1024 || w.Total < 5*1024 {
		t.Errorf("the add-phone page weighs %.1f KB", w.Total/1024)
	}
	if len(w.Origins) != 1 || w.Origins[0] != env.URL {
		t.Errorf("requests to other origins: %v", w.Origins)
	}
	if w.Shift > 0 {
		t.Errorf("layout shift %.3f", w.Shift)
	}
	if len(w.Entries) < 5 {
		t.Errorf("only %d requests measured: %v", len(w.Entries), w.Entries)
	}
}

// TestAxeCatchesAViolation is the control for the accessibility checks: a page with an image
// without a text alternative and a field without a label must fail them.
func TestAxeCatchesAViolation(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(css("a.button")))
	get(t, ctx, chromedp.Evaluate[any](`document.querySelector('main').insertAdjacentHTML('beforeend',
		'<img src="/static/none.png"><input id="unlabelled">'); true`))
	get(t, ctx, chromedp.Evaluate[any](axe+";true"))
	ids := get(t, ctx, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})
		.then(r => r.violations.map(v => v.id))`, chromedp.EvalAwaitPromise))
	if !strings.Contains(strings.Join(ids, " "), "image-alt") || !strings.Contains(strings.Join(ids, " "), "label") {
		t.Fatalf("axe found %v", ids)
	}
}
