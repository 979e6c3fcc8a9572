package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/app"
	"github.com/smsmfa/portal/internal/portaltest"
	"github.com/smsmfa/portal/pingone/pingonetest"
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
		"SMS in the MFA policy", "SMS pairing", "wrong-code lockout", "device cap"} {
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
	d.Emulator.AddApp(pingonetest.App{ClientID: "worker-without-roles", ClientSecret: "s3cret-without-roles", Worker: true})
	d.Emulator.AddApp(pingonetest.App{ClientID: "worker-post", ClientSecret: "s3cret-post", Worker: true, Roles: true, TokenAuthMethod: "client_secret_post"})
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
	}{
		{"wrong worker secret", map[string]string{"PINGONE_WORKER_CLIENT_SECRET": "not-the-secret"}, "worker token", []string{"invalid_client", "PINGONE_WORKER_CLIENT_SECRET"}},
		{"worker token method mismatch", map[string]string{"PINGONE_WORKER_CLIENT_ID": "worker-post", "PINGONE_WORKER_CLIENT_SECRET": "s3cret-post", "PINGONE_WORKER_TOKEN_AUTH": "basic"}, "worker token", []string{"invalid_client", "client secret post, not basic", "PINGONE_WORKER_TOKEN_AUTH=post"}},
		{"worker without a role", map[string]string{"PINGONE_WORKER_CLIENT_ID": "worker-without-roles", "PINGONE_WORKER_CLIENT_SECRET": "s3cret-without-roles"}, "reading users", []string{"Identity Data Admin"}},
		{"wrong web secret", map[string]string{"PINGONE_WEB_CLIENT_SECRET": "not-the-secret"}, "web app secret", []string{"PINGONE_WEB_CLIENT_SECRET"}},
		{"unknown web client", map[string]string{"PINGONE_WEB_CLIENT_ID": "no-such-app"}, "web app and redirect URI", []string{"PINGONE_WEB_CLIENT_ID", "Redirect URIs"}},
		{"public URL not registered", map[string]string{"PORTAL_PUBLIC_URL": "http://127.0.0.1:9999"}, "web app and redirect URI", []string{"http://127.0.0.1:9999/auth/callback", "Redirect URIs"}},
		{"wrong environment", map[string]string{"PINGONE_ENVIRONMENT_ID": "0b0e5f0c-0000-4000-8000-000000000000"}, "sign-in discovery", []string{"PINGONE_ENVIRONMENT_ID"}},
		{"step-up policy not offered", map[string]string{"STEP_UP_ACR": "No_Such_Policy"}, "step-up sign-on policy", []string{"No_Such_Policy", "STEP_UP_ACR"}},
		{"help-desk group missing", map[string]string{"HELPDESK_GROUP_IDS": "0b0e5f0c-1111-4000-8000-000000000000"}, "help-desk groups", []string{"0b0e5f0c-1111-4000-8000-000000000000", "HELPDESK_GROUP_IDS"}},
		{"protected group missing", map[string]string{"HELPDESK_PROTECTED_GROUP_IDS": "0b0e5f0c-2222-4000-8000-000000000000"}, "help-desk groups", []string{"0b0e5f0c-2222-4000-8000-000000000000", "HELPDESK_PROTECTED_GROUP_IDS"}},
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
func checkDemo(t *testing.T, public string) *app.Demo {
	t.Helper()
	d, err := app.StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Emulator.Close)
	d.RegisterPortal(public)
	return d
}

// TestCheckRunsBeforeRedis runs `portal -check` with REDIS_URL naming a port nothing listens on:
// the check needs only PingOne, so it prints every line and passes instead of stopping on Redis.
func TestCheckRunsBeforeRedis(t *testing.T) {
	const public = "http://127.0.0.1:8765"
	d := checkDemo(t, public)
	env := d.Env(public)
	env["REDIS_URL"] = "redis://" + portaltest.FreeAddr(t) + "/0"
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-check"}, func(k string) string { return env[k] }, &stdout, &stderr); err != nil {
		t.Fatalf("-check with Redis down: %v\n%s", err, stdout.String())
	}
	if out := stdout.String(); !strings.Contains(out, "ok    worker token: ") || strings.Contains(out, "FAIL") {
		t.Errorf("-check with Redis down:\n%s", out)
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
		emu   pingonetest.Options
		env   map[string]string
		fault *pingonetest.Fault
		fails bool
		kind  string // "ok", "WARN" or "FAIL"
		line  string
		words []string
	}{
		{"SMS off", pingonetest.Options{SMSDisabled: true}, nil, nil, true, "FAIL", "SMS in the MFA policy",
			[]string{"SMS is off in the MFA policy \"Default MFA Policy\"", "Authentication → MFA → MFA Policies → \"Default MFA Policy\" → SMS", "enable SMS"}},
		{"SMS pairing disabled", pingonetest.Options{SMSPairingDisabled: true}, nil, nil, true, "FAIL", "SMS pairing",
			[]string{"new phones cannot be added", "allow pairing again", "sms.pairingDisabled"}},
		{"a 30-minute code", pingonetest.Options{OTPLifetime: 30 * time.Minute}, nil, nil, false, "WARN", "code lifetime",
			[]string{"6-digit codes live 30 minutes", "NIST SP 800-63B-4", "OWASP ASVS 5.0", "10 minutes or less"}},
		{"a 5-minute code of 8 digits", pingonetest.Options{OTPLifetime: 5 * time.Minute, OTPLength: 8}, nil, nil, false, "ok", "code lifetime",
			[]string{"8-digit codes live 5 minutes"}},
		{"the lockout", pingonetest.Options{OTPMaxFailures: 3, OTPCoolDown: 90 * time.Second}, nil, nil, false, "ok", "wrong-code lockout",
			[]string{"after 3 wrong codes a new code is needed, with a wait of 90 seconds"}},
		{"too many tries", pingonetest.Options{OTPMaxFailures: 20}, nil, nil, false, "WARN", "wrong-code lockout",
			[]string{"20 wrong codes", "10 or fewer"}},
		{"the device cap", pingonetest.Options{DeviceLimit: 7}, nil, nil, false, "ok", "device cap",
			[]string{"at most 7 devices per person (PingOne allows up to 15)"}},
		{"a cap of one", pingonetest.Options{DeviceLimit: 1}, nil, nil, false, "WARN", "device cap",
			[]string{"one device per person", "at least 2"}},
		{"an unknown policy", pingonetest.Options{}, map[string]string{"PINGONE_DEVICE_POLICY_ID": "0b0e5f0c-3333-4000-8000-000000000000"}, nil, true, "FAIL",
			"SMS in the MFA policy", []string{"PINGONE_DEVICE_POLICY_ID", "MFA Policies"}},
		{"a worker that may not read the policy", pingonetest.Options{}, nil, &pingonetest.Fault{Route: "devicePolicies.list", Status: 403, Times: -1}, true, "FAIL",
			"SMS in the MFA policy", []string{"403", "Configuration Read-Only Admin"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := app.StartDemo(tc.emu)
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
