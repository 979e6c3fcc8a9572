package handlers_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestMaxInFlight (issue #24 item 6): with MAX_IN_FLIGHT requests working (held up by a slow
// PingOne), the next person gets the "try again in a minute" page at once (503, Retry-After),
// health probes and static files still answer, and once the work is done pages are served again.
func TestMaxInFlight(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEnv("MAX_IN_FLIGHT", "2"))
	b := env.NewBrowser(t)
	home := b.Get("/")
	css := regexp.MustCompile(`href="(/static/[^"]+\.css)"`).FindStringSubmatch(home.Body)
	if css == nil {
		t.Fatal("no stylesheet on the home page")
	}
	b.SignInEmployee("/devices")
	env.Emu.SetLatency(1500 * time.Millisecond)
	var wg sync.WaitGroup
	slow := make([]int, 2)
	for i := range slow {
		wg.Go(func() {
			resp, err := b.HTTP.Get(env.URL + "/devices")
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			slow[i] = resp.StatusCode
		})
	}
	time.Sleep(400 * time.Millisecond) // both are waiting on PingOne now

	start := time.Now()
	p := env.NewBrowser(t).Get("/")
	if took := time.Since(start); p.Status != http.StatusServiceUnavailable || took > 500*time.Millisecond ||
		p.Header.Get("Retry-After") == "" || !strings.Contains(p.Text(), "Please try again in a minute") ||
		!strings.Contains(p.Text(), "Many people are using the portal right now") {
		t.Fatalf("a third request at the cap: %d after %v, Retry-After %q: %q", p.Status, took, p.Header.Get("Retry-After"), p.Text())
	}
	for range 2 {
		if p := env.NewBrowser(t).Get("/devices"); p.Status != http.StatusServiceUnavailable {
			t.Fatalf("another request at the cap: %d", p.Status)
		}
	}
	for _, path := range []string{"/healthz", "/readyz", css[1]} {
		resp, err := http.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s at the cap: %d", path, resp.StatusCode)
		}
	}
	wg.Wait()
	if slow[0] != http.StatusOK || slow[1] != http.StatusOK {
		t.Fatalf("the requests in flight: %v", slow)
	}
	env.Emu.SetLatency(0)
	if p := env.NewBrowser(t).Get("/"); p.Status != http.StatusOK {
		t.Fatalf("after the work was done: %d %q", p.Status, p.Text())
	}
	// One WARN line says why (not one per request turned away, which a surge makes thousands).
	if logs := env.Logs.String(); strings.Count(logs, "at MAX_IN_FLIGHT: turning requests away") != 1 || strings.Contains(logs, `"msg":"request failed"`) {
		t.Errorf("log:\n%s", logs)
	}
}

// TestReadyzWhileDraining: /readyz is this instance's own state: 200 when it serves, 503 once
// it drains (SIGTERM), so the load balancer sends new people elsewhere.
func TestReadyzWhileDraining(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	if p := b.Get("/readyz"); p.Status != http.StatusOK || p.Body != "ready\n" {
		t.Fatalf("readyz: %d %q", p.Status, p.Body)
	}
	env.App.Health.Drain()
	if p := b.Get("/readyz"); p.Status != http.StatusServiceUnavailable || p.Body != "draining\n" {
		t.Fatalf("readyz while draining: %d %q", p.Status, p.Body)
	}
	if p := b.Get("/healthz"); p.Status != http.StatusOK {
		t.Fatalf("healthz while draining: %d", p.Status)
	}
}
