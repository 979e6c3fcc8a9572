package main

// Issue #24 items 1 and 2 with real processes: two built portals behind HAProxy (its health
// check is GET /readyz), one redis-server and the standalone emulator, each dependency taken
// away in turn.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// depStatus is one dependency in /healthz/deps.
type depStatus struct {
	Up      bool   `json:"up"`
	Problem string `json:"problem"`
}

// deps reads a portal's /healthz/deps.
func (p *portalProc) deps(t *testing.T) map[string]depStatus {
	t.Helper()
	resp, err := http.Get("http://" + p.addr + "/healthz/deps")
	if err != nil {
		t.Fatalf("%s /healthz/deps: %v", p.name, err)
	}
	defer resp.Body.Close()
	var r struct {
		Dependencies map[string]depStatus `json:"dependencies"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%s /healthz/deps: %v", p.name, err)
	}
	return r.Dependencies
}

// waitDep waits until every portal reports dep up (or down) and returns how long the slower
// one took; it fails the test past within.
func (c *cluster) waitDep(dep string, up bool, problem string, within time.Duration) time.Duration {
	c.t.Helper()
	start := time.Now()
	for _, p := range c.portals {
		for {
			st := p.deps(c.t)[dep]
			if st.Up == up && (problem == "" || st.Problem == problem) {
				break
			}
			if time.Since(start) > within {
				c.t.Fatalf("%s: %s not seen up=%v (%q) within %v: %+v\n%s", p.name, dep, up, problem, within, st, p.logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return time.Since(start)
}

// lbGet requests path through HAProxy and returns the status, the page and the portal that
// answered ("" when HAProxy answered itself).
func (c *cluster) lbGet(path string) (int, string, string) {
	c.t.Helper()
	resp, err := http.Get(c.lb + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("X-Portal-Instance")
}

// wantPortalPage asserts that requests through HAProxy get the portal's own page, from both
// portals (neither is taken out), with the status and words given.
func (c *cluster) wantPortalPage(when string, status int, words ...string) {
	c.t.Helper()
	seen := map[string]bool{}
	for range 6 {
		code, body, by := c.lbGet("/")
		if by == "" || strings.Contains(body, "No server is available") {
			c.t.Fatalf("%s: HAProxy answered itself (%d): %.300s", when, code, body)
		}
		seen[by] = true
		if code != status {
			c.t.Fatalf("%s: %s answered %d, want %d: %.300s", when, by, code, status, body)
		}
		for _, w := range words {
			if !strings.Contains(body, w) {
				c.t.Fatalf("%s: %s's page does not say %q: %.500s", when, by, w, body)
			}
		}
	}
	if !seen["p1"] || !seen["p2"] {
		c.t.Fatalf("%s: not both portals answered: %v", when, seen)
	}
	for _, p := range c.portals {
		if resp, err := http.Get("http://" + p.addr + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
			c.t.Fatalf("%s: %s /readyz: %v", when, p.name, err)
		} else {
			resp.Body.Close()
		}
	}
}

// TestDependencyOutagesBehindHAProxy: Redis stopped, Redis read-only and PingOne killed, one
// after the other: every instance stays ready (HAProxy keeps both), people get the portal's
// "try again in a minute" page with a 503, never HAProxy's, and /healthz/deps on each instance
// reports the dependency down within seconds, and up again when it is back.
func TestDependencyOutagesBehindHAProxy(t *testing.T) {
	c := startCluster(t, "PINGONE_TIMEOUT=2s")
	c.waitDep("redis", true, "", 10*time.Second)
	c.waitDep("pingone", true, "", 10*time.Second)
	c.wantPortalPage("all up", http.StatusOK)

	c.redis.Kill()
	took := c.waitDep("redis", false, "", 6*time.Second)
	t.Logf("Redis stopped: seen down by both instances in %v", took.Round(time.Millisecond))
	c.wantPortalPage("Redis stopped", http.StatusServiceUnavailable, "Please try again in a minute", "cannot check its safety limits")
	c.redis.Restart()
	took = c.waitDep("redis", true, "", 6*time.Second)
	t.Logf("Redis back: seen up in %v", took.Round(time.Millisecond))
	c.wantPortalPage("Redis back", http.StatusOK)

	// A replica of a primary that is not there: PING answers, every write is refused.
	if _, err := c.redis.Do("REPLICAOF", "127.0.0.1", strings.Split(portaltest.FreeAddr(t), ":")[1]); err != nil {
		t.Fatal(err)
	}
	took = c.waitDep("redis", false, "read-only", 6*time.Second)
	t.Logf("Redis read-only: seen by both instances in %v", took.Round(time.Millisecond))
	c.wantPortalPage("Redis read-only", http.StatusServiceUnavailable, "Please try again in a minute")
	if _, err := c.redis.Do("REPLICAOF", "NO", "ONE"); err != nil {
		t.Fatal(err)
	}
	c.waitDep("redis", true, "", 6*time.Second)

	if err := c.emuCmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	took = c.waitDep("pingone", false, "", 12*time.Second)
	t.Logf("PingOne killed: seen down by both instances in %v", took.Round(time.Millisecond))
	c.wantPortalPage("PingOne killed", http.StatusServiceUnavailable, "Please try again in a minute", "sign-in is not answering")
	if st := c.portals[0].deps(t)["redis"]; !st.Up {
		t.Errorf("Redis reported down while only PingOne is: %+v", st)
	}
}

// TestStartsWithoutRedisOrPingOne (item 2): both portals start while Redis is stopped and the
// emulator does not answer (SIGSTOP), serve the portal's "try again in a minute" page, and
// once both are back a whole journey completes on the same processes, never restarted.
func TestStartsWithoutRedisOrPingOne(t *testing.T) {
	c := startClusterAfter(t, func(c *cluster) {
		c.redis.Kill()
		if err := c.emuCmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
	}, "PINGONE_TIMEOUT=1s")
	c.waitDep("redis", false, "", 10*time.Second)
	c.waitDep("pingone", false, "", 10*time.Second)
	c.wantPortalPage("started without Redis and PingOne", http.StatusServiceUnavailable, "Please try again in a minute")

	c.redis.Restart()
	if err := c.emuCmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	c.waitDep("redis", true, "", 10*time.Second)
	c.waitDep("pingone", true, "", 15*time.Second)

	b, in := c.browser()
	form := c.signIn(b, "/devices/sms/new", "employee")
	p := b.Submit(form, "/devices/sms", url.Values{"phone": {"+1 512 520 1301"}, "region": {"US"}})
	codes := c.texts("+15125201301")
	if p.Status != http.StatusOK || !verifyPath.MatchString(p.URL) || len(codes) != 1 {
		t.Fatalf("add phone after the dependencies came: %d %s, %d texts: %q", p.Status, p.URL, len(codes), p.Text())
	}
	p = b.Submit(p, "/verify", url.Values{"code": {codes[0]}})
	if p.Path() != "/devices" || !strings.Contains(p.Text(), "Active") {
		t.Fatalf("verify: %d %s %q", p.Status, p.URL, p.Text())
	}
	if seen := in.reset(); !strings.Contains(strings.Join(seen, ","), "p1") || !strings.Contains(strings.Join(seen, ","), "p2") {
		t.Errorf("the journey did not cross both instances: %v", seen)
	}
	// The same two processes served it all: each started once, and logged Redis's absence.
	for _, pp := range c.portals {
		logs := pp.logs.String()
		if strings.Count(logs, `"msg":"portal started"`) != 1 || !strings.Contains(logs, "Redis does not answer at start") {
			t.Errorf("%s's log:\n%s", pp.name, logs)
		}
	}
}
