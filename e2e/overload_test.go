package e2e

import (
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestOverloadedPage (issue #24 item 6): at MAX_IN_FLIGHT, a person's browser gets the
// "try again in a minute" page, styled (static files are never turned away), accessible and
// reflowing at 320 px, and the page after it once the work in flight is done.
func TestOverloadedPage(t *testing.T) {
	axe := axeSource(t)
	env := portaltest.Start(t, portaltest.WithEnv("MAX_IN_FLIGHT", "1"))
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	env.Emu.SetLatency(4 * time.Second)
	var wg sync.WaitGroup
	wg.Go(func() {
		// One request in flight, waiting on a slow PingOne: the cap is reached.
		if resp, err := b.HTTP.Get(env.URL + "/devices"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	time.Sleep(500 * time.Millisecond)

	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(env.URL+"/devices/sms/new?lang=en"), chromedp.WaitVisible(css(".request-id")))
	if h1 := text(t, ctx, "h1"); h1 != "Please try again in a minute" {
		t.Fatalf("heading at the cap: %q", h1)
	}
	if body := text(t, ctx, "main"); !strings.Contains(body, "Many people are using the portal right now") {
		t.Fatalf("page at the cap: %q", body)
	}
	// The stylesheet came through: the page is laid out by it, not the browser's defaults.
	if sheets := get(t, ctx, chromedp.Evaluate[int](`document.styleSheets.length && document.styleSheets[0].cssRules.length`)); sheets == 0 {
		t.Error("the page at the cap has no stylesheet")
	}
	// "Try again" asks for the same page again: nothing was done, so that is safe.
	if href := attr(t, ctx, "main a.button", "href"); !strings.HasSuffix(href.Value, "/devices/sms/new?lang=en") {
		t.Errorf("Try again leads to %q", href.Value)
	}
	checkPage(t, ctx, axe, "overloaded")
	wg.Wait()
	env.Emu.SetLatency(0)
	do(t, ctx, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(css("a.button")))
}
