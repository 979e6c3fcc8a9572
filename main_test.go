package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// startDemo runs the portal with -demo on a free port, with the variables in env, and returns
// its banner and the function that shuts it down.
func startDemo(t *testing.T, env map[string]string, stderr io.Writer) (map[string]string, func()) {
	t.Helper()
	return portaltest.StartCommand(t, "helpdesk", func(ctx context.Context, stdout io.Writer) error {
		return run(ctx, []string{"-demo", "-listen", "127.0.0.1:0"}, func(k string) string { return env[k] }, stdout, stderr)
	})
}

func TestRunDemo(t *testing.T) {
	var stderr portaltest.Logs
	banner, stop := startDemo(t, nil, &stderr)
	for _, k := range []string{"portal", "pingone-auth", "pingone-api", "environment-id", "worker-client-id", "worker-client-secret", "employee", "helpdesk"} {
		if banner[k] == "" {
			t.Errorf("banner line %q missing: %v", k, banner)
		}
	}
	if !strings.HasSuffix(banner["pingone-api"], "/v1") || !strings.Contains(banner["employee"], " / ") {
		t.Errorf("banner: %v", banner)
	}
	resp, err := http.Get(banner["portal"] + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	// A request still running when shutdown starts is allowed to finish.
	slow := make(chan int, 1)
	go func() {
		resp, err := http.Get(banner["portal"] + "/readyz")
		if err != nil {
			slow <- 0
			return
		}
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	time.Sleep(50 * time.Millisecond)
	stop()
	if code := <-slow; code != 200 {
		t.Errorf("request in flight during shutdown got %d", code)
	}
	logs := stderr.String()
	if !strings.Contains(logs, `"msg":"stopped"`) || strings.Contains(logs, banner["worker-client-secret"]) {
		t.Errorf("logs: %s", logs)
	}
}

func TestRunReportsEveryConfigurationProblem(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := map[string]string{"PINGONE_REGION": "MARS", "SESSION_KEYS": "short"}
	err := run(context.Background(), nil, func(k string) string { return env[k] }, &stdout, &stderr)
	if err == nil {
		t.Fatal("run started without configuration")
	}
	for _, name := range []string{"PORTAL_PUBLIC_URL", "PINGONE_ENVIRONMENT_ID", "PINGONE_REGION", "SESSION_KEYS", "PINGONE_WORKER_CLIENT_ID", "PINGONE_WEB_CLIENT_SECRET"} {
		if !strings.Contains(stderr.String(), name+":") {
			t.Errorf("%s not named in:\n%s", name, stderr.String())
		}
	}
	if !strings.Contains(stderr.String(), "-demo") {
		t.Error("the message should point newcomers to -demo")
	}
}

func TestRunRefusesUnknownFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-nope"}, func(string) string { return "" }, &stdout, &stderr); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

func TestRunServesMetricsOnTheirOwnAddress(t *testing.T) {
	maddr := portaltest.FreeAddr(t)
	banner, stop := startDemo(t, map[string]string{"METRICS_ADDR": maddr}, io.Discard)
	portal := banner["portal"]
	for _, u := range []string{portal + "/healthz", portal + "/readyz"} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`portal_http_requests_total{code="200",method="GET",route="/healthz"} 1`, "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if r, err := http.Get(portal + "/metrics"); err != nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("the public address answers /metrics: %v %d", err, r.StatusCode)
	}
	// The profiler is off by default: not on the metrics address, not on the public one.
	for _, base := range []string{"http://" + maddr, portal} {
		if r, err := http.Get(base + "/debug/pprof/"); err != nil || r.StatusCode != http.StatusNotFound {
			t.Errorf("%s answers /debug/pprof/ with PPROF_ADDR unset: %v %d", base, err, r.StatusCode)
		}
	}
	stop()
}

// TestRunServesThePprofOnItsOwnAddress: with PPROF_ADDR set, the profiler answers there, and
// neither on the metrics address nor on the public one.
func TestRunServesThePprofOnItsOwnAddress(t *testing.T) {
	maddr, paddr := portaltest.FreeAddr(t), portaltest.FreeAddr(t)
	banner, stop := startDemo(t, map[string]string{"METRICS_ADDR": maddr, "PPROF_ADDR": paddr}, io.Discard)
	portal := banner["portal"]
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/profile?seconds=1"} {
		r, err := http.Get("http://" + paddr + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK || len(b) == 0 {
			t.Errorf("PPROF_ADDR %s: %d, %d bytes", path, r.StatusCode, len(b))
		}
		for _, base := range []string{"http://" + maddr, portal} {
			if r, err := http.Get(base + path); err != nil || r.StatusCode != http.StatusNotFound {
				t.Errorf("%s answers %s: %v %d", base, path, err, r.StatusCode)
			}
		}
	}
	if r, err := http.Get("http://" + paddr + "/metrics"); err != nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("the profiler's address answers /metrics: %v %d", err, r.StatusCode)
	}
	stop()
}

// TestRunDemoSMSPairingDisabled starts the demo with -demo-sms pairing-disabled: the demo's
// PingOne has pairing disabled for SMS in its default MFA policy (the portal's pages then say
// new phones are turned off), and a value the flag does not know is refused before anything
// starts.
func TestRunDemoSMSPairingDisabled(t *testing.T) {
	banner, stop := portaltest.StartCommand(t, "helpdesk", func(ctx context.Context, stdout io.Writer) error {
		return run(ctx, []string{"-demo", "-demo-sms", "pairing-disabled", "-listen", "127.0.0.1:0"}, func(string) string { return "" }, stdout, io.Discard)
	})
	defer stop()
	tokenReq, _ := http.NewRequest(http.MethodPost, banner["pingone-auth"]+"/"+banner["environment-id"]+"/as/token",
		strings.NewReader("grant_type=client_credentials"))
	tokenReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tokenReq.SetBasicAuth(banner["worker-client-id"], banner["worker-client-secret"])
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := doJSON(tokenReq, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("worker token: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, banner["pingone-api"]+"/environments/"+banner["environment-id"]+"/deviceAuthenticationPolicies", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	var page struct {
		Embedded struct {
			Policies []struct {
				Default bool `json:"default"`
				SMS     struct {
					Enabled         bool `json:"enabled"`
					PairingDisabled bool `json:"pairingDisabled"`
				} `json:"sms"`
			} `json:"deviceAuthenticationPolicies"`
		} `json:"_embedded"`
	}
	if err := doJSON(req, &page); err != nil || len(page.Embedded.Policies) != 1 {
		t.Fatalf("policies: %v %+v", err, page)
	}
	if p := page.Embedded.Policies[0]; !p.Default || !p.SMS.Enabled || !p.SMS.PairingDisabled {
		t.Errorf("the demo's MFA policy: %+v, want SMS enabled with pairing disabled", p)
	}

	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-demo", "-demo-sms", "sometimes"}, func(string) string { return "" }, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), `-demo-sms "sometimes" is not enabled, pairing-disabled or off`) {
		t.Errorf("an unknown -demo-sms: %v", err)
	}
}

// doJSON sends req and decodes a 200 answer into out.
func doJSON(req *http.Request, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// TestConfigurationProblemsPrintedOnce runs the built binary with a broken configuration: each
// problem is printed once, one a line, and not again in one long line before the exit status 1.
func TestConfigurationProblemsPrintedOnce(t *testing.T) {
	bin := build(t, t.TempDir(), "portal", ".")
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PINGONE_REGION=MARS", "SESSION_KEYS=short", "LISTEN_ADDR=notaport", "METRICS_ADDR=:8080"} // METRICS_ADDR is not compared with an address that is not one
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v\n%s", err, stderr.String())
	}
	out := stderr.String()
	for _, problem := range []string{"PINGONE_REGION: ", "SESSION_KEYS: key 1 has 5 characters", "LISTEN_ADDR: \"notaport\" is not host:port",
		"PORTAL_PUBLIC_URL: is required", "PINGONE_WORKER_CLIENT_SECRET: is required"} {
		if n := strings.Count(out, problem); n != 1 {
			t.Errorf("%q printed %d times:\n%s", problem, n, out)
		}
	}
	if strings.Contains(out, "configuration: ") || strings.Contains(out, "same port as LISTEN_ADDR") {
		t.Errorf("the problems are repeated in one line:\n%s", out)
	}
}

// TestSessionCookieNoKeyOpens: a session cookie signed with a key this instance does not have
// (another instance's SESSION_KEYS) is counted in portal_session_cookie_unopened_total and
// logged at WARN once, however many arrive within the minute.
func TestSessionCookieNoKeyOpens(t *testing.T) {
	maddr := portaltest.FreeAddr(t)
	var stderr portaltest.Logs
	banner, stop := startDemo(t, map[string]string{"METRICS_ADDR": maddr}, &stderr)
	defer stop()
	// A cookie as an instance with another key would have set it.
	other := session.NewStore([][]byte{[]byte(strings.Repeat("another-instance-key-", 2))}, false, time.Hour)
	gs := sessions.NewSession(other, session.CookieName(false))
	gs.Values["uid"] = "someone"
	rec := httptest.NewRecorder()
	if err := other.Save(httptest.NewRequest(http.MethodGet, "/", nil), rec, gs); err != nil {
		t.Fatal(err)
	}
	cookie := rec.Result().Cookies()[0]
	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, banner["portal"]+"/", nil)
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the home page with another instance's cookie: %d", resp.StatusCode)
		}
	}
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "portal_session_cookie_unopened_total 3") {
		t.Errorf("the metric does not count 3 cookies:\n%s", grepLines(string(body), "portal_session_cookie"))
	}
	logs := stderr.String()
	if n := strings.Count(logs, "no key in SESSION_KEYS opens"); n != 1 || !strings.Contains(logs, `"level":"WARN","msg":"a session cookie that no key in SESSION_KEYS opens`) {
		t.Errorf("%d WARN lines about the cookie, want 1:\n%s", n, logs)
	}
}

// grepLines returns the lines of text that contain s.
func grepLines(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRunExportsDependencyGauges: run starts the dependency checks in the background, and the
// metrics address reports each as portal_dependency_up (the demo's PingOne is up; it keeps its
// state in memory, so there is no Redis to report).
func TestRunExportsDependencyGauges(t *testing.T) {
	maddr := portaltest.FreeAddr(t)
	_, stop := startDemo(t, map[string]string{"METRICS_ADDR": maddr}, io.Discard)
	defer stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + maddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		text := string(body)
		if strings.Contains(text, `portal_dependency_up{dependency="pingone"} 1`) {
			if strings.Contains(text, `dependency="redis"`) {
				t.Errorf("a Redis gauge without Redis:\n%s", grepLines(text, "portal_dependency"))
			}
			if !strings.Contains(text, `portal_dependency_checked_timestamp_seconds{dependency="pingone"}`) {
				t.Errorf("no check time:\n%s", grepLines(text, "portal_dependency"))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no portal_dependency_up for PingOne within 10s:\n%s", grepLines(text, "portal_dependency"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
