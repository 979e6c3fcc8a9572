package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/demo/seed"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
	"github.com/smsmfa/portal/testkit/redistest"
)

// TestKilledMidSendTextsOnce (issue #21 item 7): two built portals share one Redis. The first is
// killed with SIGKILL while PingOne makes the device (PingOne has texted the first code; its
// answer never reaches the portal); the person presses "Send code" again, on the second. Within
// the resend cool-down no second text goes out, because the cool-down was reserved in Redis
// before PingOne was asked, not after its answer.
func TestKilledMidSendTextsOnce(t *testing.T) {
	const e164 = "+15125201234"
	d, err := seed.StartDemo(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Emulator.Close)
	rds := redistest.Start(t)
	bin := build(t, t.TempDir(), "portal", ".")
	addr := portaltest.FreeAddr(t)
	public := "http://" + addr
	d.RegisterPortal(public)
	env := []string{"PATH=" + os.Getenv("PATH"), "REDIS_URL=" + rds.URL(0)}
	for k, v := range d.Env(public) {
		env = append(env, k+"="+v)
	}
	start := func(name string) *exec.Cmd {
		logs := &portaltest.Logs{}
		cmd := exec.Command(bin, "-listen", addr)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		waitFor(t, "portal "+name+" ready", func() bool {
			resp, err := http.Get(public + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}, logs)
		return cmd
	}
	first := start("first")
	b := (&portaltest.Env{Demo: d, Emu: d.Emulator, URL: public}).NewBrowser(t)
	form := b.SignInEmployee("/enroll")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(form.Body)
	if form.Path() != "/devices/sms/new" || csrf == nil {
		t.Fatalf("the add-phone form: %s %q", form.URL, form.Text())
	}

	// "Send code" on the first instance: PingOne makes the device and texts, then holds its
	// answer; the instance dies before it hears.
	d.Emulator.Inject(emulator.Fault{Route: "devices.create", HoldAnswer: time.Minute})
	sent := make(chan error, 1)
	go func() {
		vals := url.Values{"csrf": {csrf[1]}, "phone": {e164}, "region": {"US"}}
		req, _ := http.NewRequest(http.MethodPost, public+"/devices/sms", strings.NewReader(vals.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", public)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := b.HTTP.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		sent <- err
	}()
	waitFor(t, "PingOne texting the first code", func() bool { return d.Emulator.LastCode(e164) != "" }, &portaltest.Logs{})
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	if err := <-sent; err == nil {
		t.Fatal("the killed instance answered")
	}

	// The same person, the same number, on the other instance, within the cool-down.
	start("second")
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {e164}, "region": {"US"}})
	if !strings.HasSuffix(p.Path(), "/verify") {
		t.Fatalf("Send code again: %d %s %q", p.Status, p.URL, p.Text())
	}
	texts := 0
	for _, m := range d.Emulator.Outbox() {
		if m.To == e164 {
			texts++
		}
	}
	if texts != 1 {
		t.Fatalf("%d texts to the number within the cool-down, want 1", texts)
	}
	if n := len(d.Emulator.Devices(d.EmployeeID)); n != 1 {
		t.Fatalf("%d devices for one number", n)
	}
}
