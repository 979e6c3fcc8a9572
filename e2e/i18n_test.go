package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// englishFragments are the pieces of the English catalog a page in lang must not show: each
// message's text between its {{.Fields}}, at least 4 characters long, leaving out messages
// the language words exactly as English does ("MFA").
func englishFragments(t *testing.T, lang string) []string {
	t.Helper()
	var en map[string]any
	if _, err := toml.DecodeFile(filepath.Join("..", "internal", "messages", "locales", "en.toml"), &en); err != nil {
		t.Fatal(err)
	}
	field := regexp.MustCompile(`\{\{[^}]*\}\}`)
	p, english := messages.NewPrinter(lang), messages.English()
	var out []string
	for key, v := range en {
		if p.T(messages.Key(key), nil) == english.T(messages.Key(key), nil) {
			continue
		}
		var forms []string
		switch v := v.(type) {
		case string:
			forms = []string{v}
		case map[string]any:
			for _, f := range v {
				forms = append(forms, f.(string))
			}
		}
		for _, f := range forms {
			for _, piece := range field.Split(f, -1) {
				if piece = strings.TrimSpace(piece); utf8.RuneCountInString(piece) >= 4 {
					out = append(out, piece)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// pageTexts reads every text node of the page (script data blocks included) and every
// attribute a person or their screen reader meets, or that a script shows.
func pageTexts(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[[]string](`(() => {
		const out = [document.title];
		const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		while (w.nextNode()) {
			// The demo outbox quotes the text PingOne sent (its SMS template's words, not the portal's).
			if (w.currentNode.parentElement.closest('.outbox li > p')) continue;
			const s = w.currentNode.nodeValue.trim(); if (s) out.push(s);
		}
		for (const el of document.querySelectorAll('[aria-label],[title],[placeholder],[alt],[data-text],[data-done],[data-forms]'))
			for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'data-text', 'data-done', 'data-forms'])
				if (el.hasAttribute(a)) out.push(el.getAttribute(a));
		return out; })()`))
}

// noEnglish fails when the page shows any piece of the English catalog.
func noEnglish(t *testing.T, ctx context.Context, name string, fragments []string) {
	t.Helper()
	for _, s := range pageTexts(t, ctx) {
		for _, f := range fragments {
			if strings.Contains(s, f) {
				t.Errorf("%s: English %q in %.120q", name, f, s)
			}
		}
	}
}

// TestEveryPageInEveryLanguage walks the journey in each language in one signed-in tab per
// language: the start page, PingOne's sign-in page, the phones, the add-phone page with a
// number refused as it is typed, the code page with the cool-down counting down, the phone
// added, the demo outbox and an error page, then (morePages) the rename page and its flash,
// the remove confirmation, the step-up page, and the help desk: its step-up, a search, a
// user's page, the "Verify caller" page with an error flash, and the caller's-code page. On
// each: axe-core (WCAG 2.2 A and AA, <html lang> included) finds nothing, nothing scrolls
// sideways at 320 or 640 px, a screenshot is saved
// (e2e/screenshots/a11y-i18n-<lang>-<page>-*.png); the German and Arabic pages show no
// English sentence of the catalog; in Arabic the page is right to left while numbers and codes
// stay left to right, on screen (every phone number shown is drawn in order, the flash
// messages' included).
func TestEveryPageInEveryLanguage(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t)
	for i, l := range messages.Languages() {
		t.Run(l.Tag, func(t *testing.T) {
			lang := l.Tag
			p := messages.NewPrinter(lang)
			var fragments []string
			if lang == "de" || lang == "ar" {
				fragments = englishFragments(t, lang)
				if len(fragments) < 200 {
					t.Fatalf("only %d English fragments", len(fragments))
				}
			}
			user, pass := "intl-"+strings.ToLower(lang), "Pw-"+strings.Repeat("z", 14)
			email := user + "@example.com"
			userID := env.Emu.AddUser(emulator.SeedUser{Username: user, Email: email, Given: "Ines", Family: "Intl", Password: pass})
			number := []string{"+1 512 520 12", "+1 512 520 13", "+1 512 520 14", "+1 512 520 15", "+1 512 520 16",
				"+1 512 520 17", "+1 512 520 18", "+1 512 520 19"}[i] + "34"
			e164 := "+" + strings.NewReplacer(" ", "", "+", "").Replace(number)
			ctx := privateTab(t)
			check := func(page string) {
				t.Helper()
				if got := get(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
					t.Errorf("%s: <html lang=%q>", page, got)
				}
				if got := get(t, ctx, chromedp.Evaluate[string](`document.documentElement.dir`)); got != l.Dir {
					t.Errorf("%s: <html dir=%q>, want %q", page, got, l.Dir)
				}
				checkPage(t, ctx, axe, "i18n-"+lang+"-"+page)
				if fragments != nil {
					noEnglish(t, ctx, page, fragments)
				}
				if l.Dir == "rtl" {
					numbersReadInOrder(t, ctx, page)
				}
			}

			// The onboarding link with ?lang=, then sign-in on PingOne's page in that language.
			do(t, ctx, chromedp.Navigate(env.URL+"/?lang="+lang), chromedp.WaitVisible(css("a.button")))
			check("home")
			do(t, ctx, chromedp.Navigate(env.URL+"/enroll"), chromedp.WaitVisible(css("#username")))
			if got := get(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang && lang != "en" {
				t.Errorf("PingOne's sign-in page is in %q", got)
			}
			checkPage(t, ctx, axe, "i18n-"+lang+"-sign-in")
			signIn(t, ctx, user, pass)
			do(t, ctx, chromedp.WaitVisible(css("#phone")))
			check("add-phone")

			// The live check words its refusal as the server does in this language.
			pickRegion(t, ctx, "GB")
			do(t, ctx, chromedp.SendKeys(css("#phone"), "020 7946 0018"), chromedp.Sleep(300*time.Millisecond))
			eval(t, ctx, `document.querySelector('#phone').blur(); true`) // refused when the field is left
			policy, _ := phone.NewPolicy(nil)
			_, err := policy.Parse("020 7946 0018", "GB")
			pe, _ := err.(*phone.Error)
			if pe == nil {
				t.Fatalf("policy.Parse(020 7946 0018, GB) = %v, want a *phone.Error", err)
			}
			if got, want := text(t, ctx, "#phone-error"), pe.MessageIn(p); got != want {
				t.Errorf("live refusal %q, want %q", got, want)
			}
			check("add-phone-refused-live")
			eval(t, ctx, `document.querySelector('#phone').value = ''; true`)
			do(t, ctx, chromedp.SendKeys(css("#phone"), number), chromedp.Sleep(300*time.Millisecond))
			if got, want := text(t, ctx, "#phone-preview"), p.T(messages.AddPreview, messages.Data{"Number": shown(e164)}); got != want {
				t.Errorf("preview %q, want %q", got, want)
			}
			do(t, ctx, chromedp.Click(css("form.phone-form button[type=submit]")), chromedp.WaitVisible(css("#code")))
			// The cool-down counts down in the page's words (verify.js, Intl.PluralRules).
			do(t, ctx, chromedp.Sleep(1200*time.Millisecond))
			note := text(t, ctx, "#cooldown")
			forms := p.PluralForms(messages.VerifyCooldown, "Seconds", "{n}", nil)
			matched := false
			for _, f := range forms {
				before, after, _ := strings.Cut(f, "{n}")
				matched = matched || strings.HasPrefix(note, before) && strings.HasSuffix(note, after)
			}
			if !matched {
				t.Errorf("cool-down %q is none of %v", note, forms)
			}
			check("verify")
			do(t, ctx, chromedp.SendKeys(css("#code"), env.Emu.LastCode(e164)), chromedp.Click(css("form.code-form button")),
				chromedp.WaitVisible(css(".state-active")))
			if got := text(t, ctx, ".added"); !strings.Contains(got, p.Date(env.Clock.Now())) {
				t.Errorf("date %q, want %q in it", got, p.Date(env.Clock.Now()))
			}
			check("devices")
			if l.Dir == "rtl" {
				if d := get(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.device .number')).direction`)); d != "ltr" {
					t.Errorf("a phone number reads %s", d)
				}
				// The flash no longer names the number just typed (issue #25): the list shows it.
				// A masked number in a right-to-left banner is checked after a rename (morePages).
			}
			do(t, ctx, chromedp.Navigate(env.URL+"/demo/sms"), chromedp.WaitVisible(css("ol.outbox")))
			check("demo-sms")
			do(t, ctx, chromedp.Navigate(env.URL+"/no/such/page"), chromedp.WaitVisible(css(".request-id")))
			check("not-found")
			morePages(t, i18nWalk{env: env, ctx: ctx, dir: l.Dir, user: user, pass: pass, userID: userID,
				email: email, last4: e164[len(e164)-4:], check: check})
		})
	}
}

// TestEnglishFragmentsCatchEnglish is the control for the no-English check: an English page
// holds many of the fragments the check looks for.
func TestEnglishFragmentsCatchEnglish(t *testing.T) {
	env := portaltest.Start(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/?lang=en"), chromedp.WaitVisible(css("a.button")))
	fragments, hits := englishFragments(t, "de"), 0
	for _, s := range pageTexts(t, ctx) {
		for _, f := range fragments {
			if strings.Contains(s, f) {
				hits++
			}
		}
	}
	if hits < 5 {
		t.Fatalf("only %d English fragments found on the English start page", hits)
	}
}

// privateTab opens a tab in a browser context of its own (no cookies shared with other tabs),
// closed when the test ends: each language signs in as its own person.
func privateTab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelT)
	return ctx
}
