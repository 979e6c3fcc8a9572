package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// shot saves what a w×h screen shows of the page as name.png in dir. (A full-page capture
// draws right-to-left pages shifted in headless Chromium.)
func shot(t *testing.T, ctx context.Context, dir, name string, w, h int64) {
	t.Helper()
	do(t, ctx, chromedp.EmulateViewport(w, h), chromedp.Sleep(150e6))
	buf := get(t, ctx, chromedp.CaptureScreenshot())
	if len(buf) < 10_000 {
		t.Fatalf("%s: a %d-byte screenshot", name, len(buf))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReadmeScreenshots takes the pictures the README shows (issue #25): the employee's pages
// on a phone (one in Arabic) and the help desk's on a desktop. They go to
// $README_SCREENSHOTS (docs/screenshots to refresh the README's) or a temporary directory.
func TestReadmeScreenshots(t *testing.T) {
	dir := os.Getenv("README_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	env := portaltest.Start(t)
	env.Emu.AddSMSDevice(env.Demo.EmployeeID, "+447400123456", false)
	ctx := privateTab(t)
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	addPhoneForm(t, ctx, env, "en")
	pickRegion(t, ctx, "US")
	do(t, ctx, chromedp.SendKeys(css("#phone"), "(512) 520-1234"))
	waitPreview(t, ctx, "+1 512-520-1234")
	shot(t, ctx, dir, "add-phone-phone", 390, 844)
	do(t, ctx, chromedp.Click(css("form.phone-form button[type=submit]")), chromedp.WaitVisible(css("#code")))
	shot(t, ctx, dir, "code-phone", 390, 844)
	do(t, ctx, chromedp.SendKeys(css("#code"), env.Emu.LastCode("+15125201234")), chromedp.Click(css("form.code-form button")),
		chromedp.WaitVisible(css(".state-active")))
	shot(t, ctx, dir, "devices-phone", 390, 844)
	shot(t, ctx, dir, "devices-desktop", 1280, 800)
	do(t, ctx, chromedp.Navigate(env.URL+"/devices?lang=ar"), chromedp.WaitVisible(css(".device")))
	shot(t, ctx, dir, "devices-phone-ar", 390, 844)
	do(t, ctx, chromedp.Navigate(env.URL+"/devices?lang=en"), chromedp.WaitVisible(css("button.link")),
		chromedp.Click(css("button.link")), chromedp.WaitVisible(css("ol.steps")))

	do(t, ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(env.URL+"/helpdesk"))
	signIn(t, ctx, env.Demo.Helpdesk, env.Demo.HelpdeskPass)
	staffStepUp(t, ctx, env, "")
	base := env.URL + "/helpdesk/users/" + env.Demo.EmployeeID
	do(t, ctx, chromedp.Navigate(base+"/verify"), chromedp.WaitVisible(css("#method-email")))
	shot(t, ctx, dir, "verify-caller-desktop", 1280, 800)
	verifyCallerByEmail(t, ctx, env)
	do(t, ctx, chromedp.Navigate(base), chromedp.WaitVisible(css(".phone-table")))
	shot(t, ctx, dir, "helpdesk-user-desktop", 1280, 800)
}
