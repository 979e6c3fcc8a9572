package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestRecentActivityOnThePhonesPage (issue #23 part 3): the person's latest events are a section
// of their phones page, in Arabic at 320 px without sideways scrolling, and axe finds nothing;
// PingOne refusing its activities (503) leaves the phones with "History is not available right
// now" in words.
func TestRecentActivityOnThePhonesPage(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t)
	env.Emu.AddSMSDevice(env.Demo.EmployeeID, "+15125201234", true)
	env.Emu.SetMFAEnabled(env.Demo.EmployeeID, true)
	ar := messages.NewPrinter("ar")
	ctx := privateTab(t)
	do(t, ctx, chromedp.EmulateViewport(320, 720), chromedp.Navigate(env.URL+"/devices?lang=ar"))
	signIn(t, ctx, env.Demo.Employee, env.Demo.EmployeePass)
	do(t, ctx, chromedp.WaitVisible(css(".device")))
	do(t, ctx, chromedp.Navigate(env.URL+"/devices?lang=ar"), chromedp.WaitVisible(css(".recent-activity ul.history li")))
	if h2 := text(t, ctx, ".recent-activity h2"); h2 != ar.T(messages.HistRecent, nil) {
		t.Errorf("the section's heading %q", h2)
	}
	if events := text(t, ctx, ".recent-activity ul.history"); !strings.Contains(events, ar.T(messages.HistSignInPassword, nil)) {
		t.Errorf("the recent activity in Arabic: %q", events)
	}
	if get(t, ctx, chromedp.Evaluate[string](`document.documentElement.dir`)) != "rtl" {
		t.Error("the Arabic phones page is not right to left")
	}
	if over := get(t, ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`)); over {
		t.Error("the phones page with its recent activity scrolls sideways at 320 px in Arabic")
	}
	checkPage(t, ctx, axe, "devices-recent-activity-ar")

	env.Clock.Advance(2 * time.Minute)
	env.Emu.Inject(emulator.Fault{Route: "activities", Status: 503, Times: -1})
	defer env.Emu.ClearFaults()
	do(t, ctx, chromedp.EmulateViewport(320, 720), chromedp.Navigate(env.URL+"/devices?lang=en"), chromedp.WaitVisible(css(".recent-activity p")))
	if s := text(t, ctx, ".recent-activity"); !strings.Contains(s, "History is not available right now") {
		t.Errorf("PingOne 503 on the activities: the section says %q", s)
	}
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.device').length`)); n != 1 {
		t.Errorf("%d phones listed while the history is not available", n)
	}
	checkPage(t, ctx, axe, "devices-recent-activity-unavailable")
}
