package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/demo/seed"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
	"github.com/smsmfa/portal/testkit/redistest"
)

// TestCheckPassesAgainstTheDemo runs `portal -demo -check`: every check passes against the
// demo's emulator and the exit status is 0.
func TestCheckPassesAgainstTheDemo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-demo", "-listen", "127.0.0.1:0", "-check"}, func(string) string { return "" }, &stdout, &stderr)
	if err != nil {
		t.Fatalf("-demo -check: %v\n%s", err, stdout.String())
	}
	out := stdout.String()
	for _, name := range []string{"public URL", "sign-in discovery", "web app and redirect URI", "web app secret",
		"step-up sign-on policy", "worker token", "reading users", "reading devices", "MFA settings", "help-desk groups",
		"SMS in the MFA policy", "SMS pairing", "wrong-code lockout", "device cap", "notices"} {
		if !strings.Contains(out, "ok    "+name+": ") {
			t.Errorf("no passing line for %q:\n%s", name, out)
		}
	}
	// The demo's PingOne has PingOne's default code lifetime, 30 minutes: passed, with a warning.
	if !strings.Contains(out, "WARN  code lifetime: ") {
		t.Errorf("no warning about the 30-minute code:\n%s", out)
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("a check failed against the demo:\n%s", out)
	}
}

// TestCheckNamesEachBrokenSetting breaks one setting at a time against the emulator and asserts
// that `portal -check` fails, exits non-zero and names the problem and its fix in words.
func TestCheckNamesEachBrokenSetting(t *testing.T) {
	const public = "http://127.0.0.1:8765"
	d := checkDemo(t, public)
	d.Emulator.AddApp(emulator.App{ClientID: "worker-without-roles", ClientSecret: "s3cret-without-roles", Worker: true})
	d.Emulator.AddApp(emulator.App{ClientID: "worker-post", ClientSecret: "s3cret-post", Worker: true, Roles: true, TokenAuthMethod: "client_secret_post"})
	postWorker := map[string]string{"PINGONE_WORKER_CLIENT_ID": "worker-post", "PINGONE_WORKER_CLIENT_SECRET": "s3cret-post"}
	t.Run("worker with client secret post, detected", func(t *testing.T) {
		env := d.Env(public)
		for k, v := range postWorker {
			env[k] = v
		}
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"-check"}, func(k string) string { return env[k] }, &stdout, &stderr); err != nil {
			t.Fatalf("-check with a client_secret_post worker and detection: %v\n%s", err, stdout.String())
		}
	})

	tests := []struct {
		name   string
		env    map[string]string
		failed string   // the FAIL line's check
		words  []string // what the line and its fix say
		not    []string // what they must not say
	}{
		{"wrong worker secret", map[string]string{"PINGONE_WORKER_CLIENT_SECRET": "not-the-secret"}, "worker token", []string{"invalid_client", "PINGONE_WORKER_CLIENT_SECRET"}, nil},
		{"worker token method mismatch", map[string]string{"PINGONE_WORKER_CLIENT_ID": "worker-post", "PINGONE_WORKER_CLIENT_SECRET": "s3cret-post", "PINGONE_WORKER_TOKEN_AUTH": "basic"}, "worker token", []string{"invalid_client", "client secret post, not basic", "PINGONE_WORKER_TOKEN_AUTH=post"}, nil},
		{"worker without a role", map[string]string{"PINGONE_WORKER_CLIENT_ID": "worker-without-roles", "PINGONE_WORKER_CLIENT_SECRET": "s3cret-without-roles"}, "reading users", []string{"Identity Data Admin"}, nil},
		{"wrong web secret", map[string]string{"PINGONE_WEB_CLIENT_SECRET": "not-the-secret"}, "web app secret", []string{"PINGONE_WEB_CLIENT_SECRET"}, nil},
		{"unknown web client", map[string]string{"PINGONE_WEB_CLIENT_ID": "no-such-app"}, "web app and redirect URI", []string{"PINGONE_WEB_CLIENT_ID", "Redirect URIs"}, nil},
		{"public URL not registered", map[string]string{"PORTAL_PUBLIC_URL": "http://127.0.0.1:9999"}, "web app and redirect URI", []string{"http://127.0.0.1:9999/auth/callback", "Redirect URIs"}, nil},
		{"wrong environment", map[string]string{"PINGONE_ENVIRONMENT_ID": "0b0e5f0c-0000-4000-8000-000000000000"}, "sign-in discovery", []string{"PINGONE_ENVIRONMENT_ID"}, nil},
		// The worker token's fix names the environment, not the client ID and secret that are right.
		{"wrong environment, worker token", map[string]string{"PINGONE_ENVIRONMENT_ID": "0b0e5f0c-0000-4000-8000-000000000000"}, "worker token", []string{"404", "PINGONE_ENVIRONMENT_ID", "0b0e5f0c-0000-4000-8000-000000000000"}, []string{"PINGONE_WORKER_CLIENT_ID", "PINGONE_WORKER_CLIENT_SECRET"}},
		{"wrong worker secret names the secret, not the environment", map[string]string{"PINGONE_WORKER_CLIENT_SECRET": "also-not-the-secret"}, "worker token", []string{"PINGONE_WORKER_CLIENT_SECRET", "PINGONE_WORKER_CLIENT_ID"}, []string{"PINGONE_ENVIRONMENT_ID"}},
		{"step-up policy not offered", map[string]string{"STEP_UP_ACR": "No_Such_Policy"}, "step-up sign-on policy", []string{"No_Such_Policy", "STEP_UP_ACR"}, nil},
		{"help-desk group missing", map[string]string{"HELPDESK_GROUP_IDS": "0b0e5f0c-1111-4000-8000-000000000000"}, "help-desk groups", []string{"0b0e5f0c-1111-4000-8000-000000000000", "HELPDESK_GROUP_IDS"}, nil},
		{"protected group missing", map[string]string{"HELPDESK_PROTECTED_GROUP_IDS": "0b0e5f0c-2222-4000-8000-000000000000"}, "help-desk groups", []string{"0b0e5f0c-2222-4000-8000-000000000000", "HELPDESK_PROTECTED_GROUP_IDS"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := d.Env(public)
			for k, v := range tc.env {
				env[k] = v
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"-check"}, func(k string) string { return env[k] }, &stdout, &stderr)
			if err == nil {
				t.Fatalf("-check passed with %v:\n%s", tc.env, stdout.String())
			}
			if testing.Verbose() {
				t.Log(stdout.String())
			}
			out := stdout.String()
			i := strings.Index(out, "FAIL  "+tc.failed+": ")
			if i < 0 {
				t.Fatalf("no FAIL line for %q:\n%s", tc.failed, out)
			}
			// The line and its fix line, nothing after them.
			lines := strings.SplitN(out[i:], "\n", 3)
			block := lines[0]
			if len(lines) > 1 && strings.HasPrefix(lines[1], "      fix: ") {
				block += "\n" + lines[1]
			}
			for _, w := range tc.words {
				if !strings.Contains(block, w) {
					t.Errorf("the FAIL line does not say %q:\n%s", w, block)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(block, w) {
					t.Errorf("the FAIL line says %q:\n%s", w, block)
				}
			}
			for k, v := range tc.env {
				if strings.Contains(k, "SECRET") && strings.Contains(out+stderr.String(), v) {
					t.Errorf("the output shows the secret in %s", k)
				}
			}
		})
	}
}

// checkDemo starts the demo's emulator, with the web app registered for a portal at public;
// it stops when the test ends.
func checkDemo(t *testing.T, public string) *seed.Demo {
	t.Helper()
	d, err := seed.StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Emulator.Close)
	d.RegisterPortal(public)
	return d
}

// TestCheckRunsBeforeRedis runs `portal -check` with REDIS_URL naming a port nothing listens on:
// Redis's lines fail, and every PingOne line is still printed and checked (Redis down does not
// stop the run), and the run fails.
func TestCheckRunsBeforeRedis(t *testing.T) {
	const public = "http://127.0.0.1:8765"
	d := checkDemo(t, public)
	env := d.Env(public)
	env["REDIS_URL"] = "redis://" + portaltest.FreeAddr(t) + "/0"
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-check"}, func(k string) string { return env[k] }, &stdout, &stderr); err == nil {
		t.Fatalf("-check passed with Redis down:\n%s", stdout.String())
	}
	out := stdout.String()
	var passed, total int
	last := strings.TrimRight(out, "\n")
	_, _ = fmt.Sscanf(last[strings.LastIndex(last, "\n")+1:], "%d of %d checks passed", &passed, &total)
	// Redis's four lines fail; every other line (PingOne's) passes.
	if !strings.Contains(out, "FAIL  Redis connection: ") || !strings.Contains(out, "ok    worker token: ") ||
		!strings.Contains(out, "ok    help-desk groups: ") || total == 0 || total-passed != 4 || strings.Count(out, "FAIL  ") != 4 {
		t.Errorf("-check with Redis down (%d of %d passed):\n%s", passed, total, out)
	}
}

// TestCheckReadsTheMFAPolicy: `portal -check` has a line for each part of the MFA policy in
// force (SMS on, SMS pairing, the code's lifetime, the wrong-code lockout, the device cap), each
// in words with its fix; SMS off or pairing disabled fail the check, a lifetime over 10 minutes,
// many tries or a cap of one warn.
func TestCheckReadsTheMFAPolicy(t *testing.T) {
	const public = "http://127.0.0.1:8765"
	tests := []struct {
		name  string
		emu   emulator.Options
		env   map[string]string
		fault *emulator.Fault
		fails bool
		kind  string // "ok", "WARN" or "FAIL"
		line  string
		words []string
	}{
		{"SMS off", emulator.Options{SMSDisabled: true}, nil, nil, true, "FAIL", "SMS in the MFA policy",
			[]string{"SMS is off in the MFA policy \"Default MFA Policy\"", "Authentication → MFA → MFA Policies → \"Default MFA Policy\" → SMS", "enable SMS"}},
		{"SMS pairing disabled", emulator.Options{SMSPairingDisabled: true}, nil, nil, true, "FAIL", "SMS pairing",
			[]string{"new phones cannot be added", "allow pairing again", "sms.pairingDisabled"}},
		{"a 30-minute code", emulator.Options{OTPLifetime: 30 * time.Minute}, nil, nil, false, "WARN", "code lifetime",
			[]string{"6-digit codes live 30 minutes", "NIST SP 800-63B-4", "OWASP ASVS 5.0", "10 minutes or less"}},
		{"a 5-minute code of 8 digits", emulator.Options{OTPLifetime: 5 * time.Minute, OTPLength: 8}, nil, nil, false, "ok", "code lifetime",
			[]string{"8-digit codes live 5 minutes"}},
		{"the lockout", emulator.Options{OTPMaxFailures: 3, OTPCoolDown: 90 * time.Second}, nil, nil, false, "ok", "wrong-code lockout",
			[]string{"after 3 wrong codes a new code is needed, with a wait of 90 seconds"}},
		{"too many tries", emulator.Options{OTPMaxFailures: 20}, nil, nil, false, "WARN", "wrong-code lockout",
			[]string{"20 wrong codes", "10 or fewer"}},
		{"the device cap", emulator.Options{DeviceLimit: 7}, nil, nil, false, "ok", "device cap",
			[]string{"at most 7 devices per person (PingOne allows up to 15)"}},
		{"a cap of one", emulator.Options{DeviceLimit: 1}, nil, nil, false, "WARN", "device cap",
			[]string{"one device per person", "at least 2"}},
		{"an unknown policy", emulator.Options{}, map[string]string{"PINGONE_DEVICE_POLICY_ID": "0b0e5f0c-3333-4000-8000-000000000000"}, nil, true, "FAIL",
			"SMS in the MFA policy", []string{"PINGONE_DEVICE_POLICY_ID", "MFA Policies"}},
		{"a worker that may not read the policy", emulator.Options{}, nil, &emulator.Fault{Route: "devicePolicies.list", Status: 403, Times: -1}, true, "FAIL",
			"SMS in the MFA policy", []string{"403", "Configuration Read-Only Admin"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := seed.StartDemo(tc.emu)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(d.Emulator.Close)
			d.RegisterPortal(public)
			if tc.fault != nil {
				d.Emulator.Inject(*tc.fault)
			}
			env := d.Env(public)
			for k, v := range tc.env {
				env[k] = v
			}
			var stdout, stderr bytes.Buffer
			err = run(context.Background(), []string{"-check"}, func(k string) string { return env[k] }, &stdout, &stderr)
			out := stdout.String()
			if (err != nil) != tc.fails {
				t.Fatalf("-check: %v, want failure %v:\n%s", err, tc.fails, out)
			}
			prefix := map[string]string{"ok": "ok    ", "WARN": "WARN  ", "FAIL": "FAIL  "}[tc.kind] + tc.line + ": "
			i := strings.Index(out, prefix)
			if i < 0 {
				t.Fatalf("no %s line for %q:\n%s", tc.kind, tc.line, out)
			}
			lines := strings.SplitN(out[i:], "\n", 3)
			block := lines[0]
			if len(lines) > 1 && strings.HasPrefix(lines[1], "      fix: ") {
				block += "\n" + lines[1]
			}
			for _, w := range tc.words {
				if !strings.Contains(block, w) {
					t.Errorf("the %s line does not say %q:\n%s", tc.kind, w, block)
				}
			}
		})
	}
}

// TestCheckRedis runs `portal -check` against a real redis-server set up one way at a time:
// each Redis line is ok, WARN or FAIL with a fix that says what to change (and why, for the
// eviction policy), and the run fails exactly when a line does.
func TestCheckRedis(t *testing.T) {
	const public = "http://127.0.0.1:8766"
	d := checkDemo(t, public)
	srv := redistest.Start(t)
	closed := portaltest.FreeAddr(t)
	wrongPassword := strings.Replace(srv.URL(0), srv.Password(), "not-the-password", 1)
	tests := []struct {
		name  string
		url   string
		setup []string // a CONFIG SET or REPLICAOF before the run, undone after it
		undo  []string
		pass  bool
		lines []string // lines (and fixes) that must appear, in part
	}{
		{"no persistence", srv.URL(0), nil, nil, true, []string{
			"ok    Redis connection: Redis answers with the password given (Redis ",
			"ok    Redis write and read: a key under mfa-portal: was written, read back and deleted",
			"ok    Redis eviction policy: maxmemory-policy is noeviction",
			"WARN  Redis persistence: neither AOF nor RDB snapshots are on", "fix: turn on AOF (appendonly yes"}},
		{"with AOF", srv.URL(0), []string{"CONFIG", "SET", "appendonly", "yes"}, []string{"CONFIG", "SET", "appendonly", "no"}, true, []string{
			"ok    Redis persistence: AOF on"}},
		{"with RDB", srv.URL(0), []string{"CONFIG", "SET", "save", "3600 1"}, []string{"CONFIG", "SET", "save", ""}, true, []string{
			"ok    Redis persistence: RDB snapshots on (save 3600 1)"}},
		{"evicting", srv.URL(0), []string{"CONFIG", "SET", "maxmemory-policy", "volatile-lru"}, []string{"CONFIG", "SET", "maxmemory-policy", "noeviction"}, false, []string{
			"FAIL  Redis eviction policy: maxmemory-policy is volatile-lru", "fix: set maxmemory-policy noeviction", "lockouts"}},
		{"read-only replica", srv.URL(0), []string{"REPLICAOF", "127.0.0.1", closed[strings.LastIndex(closed, ":")+1:]}, []string{"REPLICAOF", "NO", "ONE"}, false, []string{
			"ok    Redis connection", "FAIL  Redis write and read:", "READONLY", "fix: REDIS_URL names a read-only replica"}},
		{"wrong password", wrongPassword, nil, nil, false, []string{
			"FAIL  Redis connection: Redis does not answer", "fix: put Redis's password in REDIS_URL",
			"FAIL  Redis write and read: not checked: no connection to Redis"}},
		{"closed port", "redis://" + closed + "/0?dial_timeout=300ms", nil, nil, false, []string{
			"FAIL  Redis connection: Redis does not answer", "fix: check REDIS_URL's host and port",
			"FAIL  Redis eviction policy: not checked", "FAIL  Redis persistence: not checked"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				if _, err := srv.Do(tc.setup...); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					if _, err := srv.Do(tc.undo...); err != nil {
						t.Error(err)
					}
				})
			}
			env := d.Env(public)
			env["REDIS_URL"] = tc.url
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"-check"}, func(k string) string { return env[k] }, &stdout, &stderr)
			out := stdout.String()
			if (err == nil) != tc.pass {
				t.Fatalf("-check: %v, want pass=%v:\n%s", err, tc.pass, out)
			}
			for _, l := range tc.lines {
				if !strings.Contains(out, l) {
					t.Errorf("no %q in:\n%s", l, out)
				}
			}
			if strings.Contains(out+stderr.String(), srv.Password()) {
				t.Error("the output shows Redis's password")
			}
			if tc.pass && strings.Contains(out, "FAIL") {
				t.Errorf("a line failed:\n%s", out)
			}
		})
	}
}
