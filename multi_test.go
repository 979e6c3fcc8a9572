package main

// Several instances, with real processes (issue #12): two built portals share one Redis behind
// HAProxy (round robin, no stickiness), against the emulator running as its own process.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smsmfa/portal/testkit/portaltest"
	"github.com/smsmfa/portal/testkit/redistest"
)

const haproxyBin = "/usr/sbin/haproxy"

// emulatorBanner is what cmd/pingone-emulator prints, one "name: value" a line.
type emulatorBanner map[string]string

// cluster is an emulator, a Redis, two portals and HAProxy in front of them.
type cluster struct {
	t       *testing.T
	dir     string
	bin     string
	emu     emulatorBanner
	emuCmd  *exec.Cmd
	redis   *redistest.Server
	lb      string // http://127.0.0.1:PORT, the public URL
	portals []*portalProc
	env     []string
}

type portalProc struct {
	name string
	addr string
	cmd  *exec.Cmd
	logs *portaltest.Logs
}

// need fails (with CI set) or skips when a program the test runs is missing.
func need(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("%s not found (apt-get install %s)", path, pkg)
		if os.Getenv("CI") != "" {
			t.Fatal(msg + ": CI is set, so the multi-instance tests must run")
		}
		t.Skip(msg)
	}
}

func build(t *testing.T, dir, out, pkg string) string {
	t.Helper()
	bin := filepath.Join(dir, out)
	if b, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	return bin
}

// startCluster builds both programs once and starts everything; all of it stops with the test.
func startCluster(t *testing.T, extraEnv ...string) *cluster {
	t.Helper()
	return startClusterAfter(t, nil, extraEnv...)
}

// startClusterAfter is startCluster with before, when not nil, run after Redis and the
// emulator have started and before the portals do (to take one of them away first).
func startClusterAfter(t *testing.T, before func(*cluster), extraEnv ...string) *cluster {
	t.Helper()
	need(t, haproxyBin, "haproxy")
	c := &cluster{t: t, dir: t.TempDir()}
	var wg sync.WaitGroup
	var emuBin string
	wg.Go(func() { c.bin = build(t, c.dir, "portal", ".") })
	wg.Go(func() { emuBin = build(t, c.dir, "emulator", "./cmd/pingone-emulator") })
	wg.Wait()
	c.redis = redistest.Start(t)
	lbAddr := portaltest.FreeAddr(t)
	c.lb = "http://" + lbAddr

	emu := exec.Command(emuBin, "-listen", "127.0.0.1:0", "-redirect", c.lb+"/auth/callback")
	out, _ := emu.StdoutPipe()
	emu.Stderr = io.Discard
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Process.Signal(syscall.SIGCONT); _ = emu.Process.Kill(); _ = emu.Wait() })
	c.emu, c.emuCmd = emulatorBanner{}, emu
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ": ")
		c.emu[k] = v
		if k == "helpdesk-group-id" {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if c.emu["pingone-api"] == "" {
		t.Fatal("no banner from the emulator")
	}

	c.env = append([]string{
		"PORTAL_PUBLIC_URL=" + c.lb,
		"PINGONE_ENVIRONMENT_ID=" + c.emu["environment-id"],
		"PINGONE_API_BASE=" + c.emu["pingone-api"],
		"PINGONE_AUTH_BASE=" + c.emu["pingone-auth"],
		"PINGONE_WORKER_CLIENT_ID=" + c.emu["worker-client-id"],
		"PINGONE_WORKER_CLIENT_SECRET=" + c.emu["worker-client-secret"],
		"PINGONE_WEB_CLIENT_ID=" + c.emu["web-client-id"],
		"PINGONE_WEB_CLIENT_SECRET=" + c.emu["web-client-secret"],
		"HELPDESK_GROUP_IDS=" + c.emu["helpdesk-group-id"],
		"SESSION_KEYS=" + strings.Repeat("multi-instance-test-key-", 2), "ALLOWED_REGIONS=US",
		"REDIS_URL=" + c.redis.URL(0),
	}, extraEnv...)
	if before != nil {
		before(c)
	}
	for i := range 2 {
		c.portals = append(c.portals, c.startPortal(fmt.Sprintf("p%d", i+1)))
	}
	c.startHAProxy(lbAddr)
	return c
}

func (c *cluster) startPortal(name string) *portalProc {
	t := c.t
	t.Helper()
	p := &portalProc{name: name, addr: portaltest.FreeAddr(t), logs: &portaltest.Logs{}}
	p.cmd = exec.Command(c.bin, "-listen", p.addr)
	// Only what the test sets: no variable of the machine running it leaks in.
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, c.env...)
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	waitFor(t, "portal "+name+" ready", func() bool {
		resp, err := http.Get("http://" + p.addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, p.logs)
	return p
}

// startHAProxy balances every request round robin over the portals, with no stickiness, and
// takes a portal out when its /readyz fails; the answering portal is named in X-Portal-Instance.
func (c *cluster) startHAProxy(addr string) {
	t := c.t
	t.Helper()
	var servers strings.Builder
	for _, p := range c.portals {
		fmt.Fprintf(&servers, "  server %s %s check\n", p.name, p.addr)
	}
	cfg := fmt.Sprintf(`global
  maxconn 512
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch 1
frontend portal
  bind %s
  default_backend portals
backend portals
  balance roundrobin
  http-reuse never
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 300ms fall 1 rise 1
  http-response set-header X-Portal-Instance %%[srv_name]
%s`, addr, servers.String())
	path := filepath.Join(c.dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs portaltest.Logs
	cmd := exec.Command(haproxyBin, "-f", path, "-db")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// Ready when both portals answer through it.
	seen := map[string]bool{}
	waitFor(t, "haproxy with both portals", func() bool {
		resp, err := http.Get(c.lb + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		seen[resp.Header.Get("X-Portal-Instance")] = resp.StatusCode == http.StatusOK
		return seen["p1"] && seen["p2"]
	}, &logs)
}

func waitFor(t *testing.T, what string, ok func() bool, logs *portaltest.Logs) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s; log:\n%s", what, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// instances records which portal answered each request a browser sent through HAProxy.
type instances struct {
	mu   sync.Mutex
	host string
	seen []string
	next http.RoundTripper
}

func (in *instances) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := in.next.RoundTrip(req)
	if err == nil && req.URL.Host == in.host {
		in.mu.Lock()
		in.seen = append(in.seen, resp.Header.Get("X-Portal-Instance"))
		in.mu.Unlock()
	}
	return resp, err
}

func (in *instances) reset() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	s := in.seen
	in.seen = nil
	return s
}

// browser is a cookie-keeping browser on the load balancer's address.
func (c *cluster) browser() (*portaltest.Browser, *instances) {
	b := (&portaltest.Env{URL: c.lb}).NewBrowser(c.t)
	u, _ := url.Parse(c.lb)
	in := &instances{host: u.Host, next: http.DefaultTransport}
	b.HTTP.Transport = in
	return b, in
}

func (c *cluster) signIn(b *portaltest.Browser, start, who string) *portaltest.Page {
	c.t.Helper()
	user, pass, _ := strings.Cut(c.emu[who], " / ")
	return b.SignIn(start, user, pass)
}

// sent reads what the emulator has sent, from its demo page at path (/demo/sms or
// /demo/email), as JSON into v.
func (c *cluster) sent(path string, v any) {
	c.t.Helper()
	resp, err := http.Get(c.emu["pingone-auth"] + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		c.t.Fatal(err)
	}
}

// texts returns the codes the emulator has texted to the number (E.164), oldest first.
func (c *cluster) texts(to string) []string {
	c.t.Helper()
	var sms []struct{ To, Code string }
	c.sent("/demo/sms", &sms)
	var codes []string
	for _, s := range sms {
		if s.To == to {
			codes = append(codes, s.Code)
		}
	}
	return codes
}

// emailCode returns the newest code the emulator emailed to the address.
func (c *cluster) emailCode(to string) string {
	c.t.Helper()
	var mails []struct{ To, Code string }
	c.sent("/demo/email", &mails)
	for _, m := range mails {
		if m.To == to && m.Code != "" {
			return m.Code
		}
	}
	return ""
}

// staffReady passes the help desk's step-up (the code texted to the help-desk member's own
// phone) and verifies the caller for the user behind the link by a code to their email.
func (c *cluster) staffReady(b *portaltest.Browser, p *portaltest.Page, staffPhone string) {
	c.t.Helper()
	next := p.LinkTo("/auth/login?step_up=1")
	if next == "" {
		c.t.Fatalf("no help-desk step-up offered: %q", p.Text())
	}
	user, pass, _ := strings.Cut(c.emu["helpdesk"], " / ")
	p = b.Submit(b.Get(next), "/as/authorize", url.Values{"username": {user}, "password": {pass}})
	if codes := c.texts(staffPhone); len(codes) == 0 {
		c.t.Fatalf("no step-up code texted to %s", staffPhone)
	} else {
		p = b.Submit(p, "/as/authorize", url.Values{"otp": {codes[0]}})
	}
	if p.Path() != "/helpdesk" || p.H1() != "Help desk" {
		c.t.Fatalf("after the help desk's step-up: %d %s %q", p.Status, p.URL, p.Text())
	}
}

// verifyCaller verifies the caller by a code to the user's directory email.
func (c *cluster) verifyCaller(b *portaltest.Browser, userPage, email string) {
	c.t.Helper()
	v := b.Submit(b.Get(userPage+"/verify"), "/verify", url.Values{"method": {"email"}})
	p := b.Submit(v, "/verify/code", url.Values{"code": {c.emailCode(email)}})
	if !strings.Contains(p.Text(), "Caller verified") {
		c.t.Fatalf("caller not verified: %d %s %q", p.Status, p.URL, p.Text())
	}
}

var verifyPath = regexp.MustCompile(`/devices/([0-9a-f-]{36})/verify`)

// TestSeveralInstancesBehindHAProxy is issue #12's test with real processes: a journey that
// crosses instances at every request; the per-number text limit held across both; sign-out on
// one ending the session on the other; one instance killed mid-journey.
func TestSeveralInstancesBehindHAProxy(t *testing.T) {
	c := startCluster(t, "LIMIT_RESEND_COOLDOWN=1/1s")

	t.Run("journey crosses instances", func(t *testing.T) {
		b, in := c.browser()
		form := c.signIn(b, "/devices/sms/new", "employee")
		p := b.Submit(form, "/devices/sms", url.Values{"phone": {"+1 512 520 1201"}, "region": {"US"}})
		codes := c.texts("+15125201201")
		if p.Status != http.StatusOK || !verifyPath.MatchString(p.URL) || len(codes) != 1 {
			t.Fatalf("add phone: %d %s, %d texts", p.Status, p.URL, len(codes))
		}
		p = b.Submit(p, "/verify", url.Values{"code": {codes[0]}})
		if p.Path() != "/devices" || !strings.Contains(p.Text(), "Active") {
			t.Fatalf("verify: %d %s %q", p.Status, p.URL, p.Text())
		}
		seen := in.reset()
		for i := 1; i < len(seen); i++ {
			if seen[i] == seen[i-1] || seen[i] == "" {
				t.Fatalf("requests %d and %d were both served by %q: %v", i, i+1, seen[i], seen)
			}
		}
		if len(seen) < 6 {
			t.Fatalf("only %d requests reached the portals: %v", len(seen), seen)
		}
	})

	staff, _ := c.browser()
	p := c.signIn(staff, "/helpdesk", "helpdesk")
	if p.Path() != "/helpdesk" {
		t.Fatalf("staff sign-in: %d %s", p.Status, p.URL)
	}
	c.staffReady(staff, p, c.emu["helpdesk-phone"])
	userPage := staff.Get("/helpdesk?q=erin")
	erin := userPage.LinkTo("/helpdesk/users/")
	if erin == "" {
		t.Fatalf("no user found: %q", userPage.Text())
	}
	c.verifyCaller(staff, erin, "erin.employee@example.com")

	t.Run("per-number limit holds across both", func(t *testing.T) {
		form := staff.Get(erin + "/phone/new")
		p := staff.Submit(form, "/phone", url.Values{"phone": {"+1 512 520 1202"}, "region": {"US"}})
		if p.Status != http.StatusOK {
			t.Fatalf("add: %d %q", p.Status, p.Text())
		}
		statuses := []int{p.Status}
		for range 4 {
			time.Sleep(1100 * time.Millisecond) // past the 1 s cool-down set for this test
			p = staff.Submit(p, "/resend", nil)
			statuses = append(statuses, p.Status)
		}
		if n := len(c.texts("+15125201202")); n != 3 {
			t.Fatalf("%d texts to one number in 5 minutes across two instances (statuses %v); the limit is 3", n, statuses)
		}
		if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text(), "Several codes have gone to this number") {
			t.Fatalf("the 4th text: %d %q", p.Status, p.Text())
		}
	})

	t.Run("sign-out on one ends the session on the other", func(t *testing.T) {
		b, in := c.browser()
		p := c.signIn(b, "/devices", "employee")
		lb, _ := url.Parse(c.lb)
		var cookie string
		for _, ck := range b.HTTP.Jar.Cookies(lb) {
			if ck.Name == "mfa_session" {
				cookie = ck.Value
			}
		}
		direct := func(p *portalProc) *http.Response {
			req, _ := http.NewRequest("GET", "http://"+p.addr+"/devices", nil)
			req.AddCookie(&http.Cookie{Name: "mfa_session", Value: cookie})
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		for _, pp := range c.portals {
			if r := direct(pp); r.StatusCode != http.StatusOK {
				t.Fatalf("before sign-out %s answers %d", pp.name, r.StatusCode)
			}
		}
		in.reset()
		b.Submit(p, "/auth/logout", nil)
		by := in.reset()
		if len(by) == 0 {
			t.Fatal("the sign-out reached no portal")
		}
		for _, pp := range c.portals {
			if r := direct(pp); r.StatusCode != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), "/auth/login") {
				t.Fatalf("after sign-out on %s, %s still opens the session: %d", by[0], pp.name, r.StatusCode)
			}
		}
	})

	t.Run("an instance killed mid-journey", func(t *testing.T) {
		form := staff.Get(erin + "/phone/new")
		p := staff.Submit(form, "/phone", url.Values{"phone": {"+1 512 520 1203"}, "region": {"US"}})
		codes := c.texts("+15125201203")
		if p.Status != http.StatusOK || len(codes) != 1 {
			t.Fatalf("add: %d, %d texts", p.Status, len(codes))
		}
		victim := c.portals[0]
		if err := victim.cmd.Process.Kill(); err != nil { // SIGKILL: no goodbye
			t.Fatal(err)
		}
		_ = victim.cmd.Wait()
		p = staff.Submit(p, "/verify", url.Values{"code": {codes[0]}})
		if p.Status != http.StatusOK || p.Header.Get("X-Portal-Instance") != c.portals[1].name {
			t.Fatalf("verify after the kill: %d via %q %q", p.Status, p.Header.Get("X-Portal-Instance"), p.Text())
		}
		page := staff.Get(erin)
		// One device for the number (its row reads "+1 512-520-1203 SMS", then "Active" in the
		// next cell), one text.
		if n := strings.Count(page.Text(), "520-1203 SMS"); n != 1 || len(c.texts("+15125201203")) != 1 {
			t.Fatalf("the number has %d devices and had %d texts: %q", n, len(c.texts("+15125201203")), page.Text())
		}
		if !regexp.MustCompile(`520-1203 SMS\s*Active`).MatchString(page.Text()) {
			t.Fatalf("the phone is not active: %q", page.Text())
		}
	})
}
