package handlers_test

// Issue 10: the portal against the PingOne its published API describes. One test per fact,
// each through the real router against the emulator held to that API.

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// workerToken gets a worker token from the emulator as any API client would.
func workerToken(t *testing.T, env *portaltest.Env) string {
	t.Helper()
	return pingonetest.WorkerToken(t, env.Emu, env.Demo.WorkerID, env.Demo.WorkerSecret)
}

// api calls the emulator's management API with a worker token; it returns the status and body.
func api(t *testing.T, env *portaltest.Env, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, env.Emu.APIBase()+"/environments/"+env.Emu.EnvironmentID()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+workerToken(t, env))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func workerClient(t *testing.T, env *portaltest.Env) *pingone.Client {
	t.Helper()
	c, err := pingone.New(pingone.Config{EnvironmentID: env.Emu.EnvironmentID(), APIBase: env.Emu.APIBase(), AuthBase: env.Emu.AuthBase(),
		ClientID: env.Demo.WorkerID, ClientSecret: env.Demo.WorkerSecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// deviceRow returns the HTML of the list item that shows the number (as displayed).
func deviceRow(t *testing.T, p *portaltest.Page, display string) string {
	t.Helper()
	for _, li := range strings.Split(p.Body, "<li") {
		if strings.Contains(li, display) {
			return li
		}
	}
	t.Fatalf("no row for %s on %s", display, p.URL)
	return ""
}

// 1. The device cap is the environment's mfaSettings.pairing.maxAllowedDevices, only active and
// blocked devices count, and PingOne's LIMIT_EXCEEDED is the device limit, not rate limiting.
func TestDeviceCapComesFromMFASettings(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.DeviceLimit = 2 }))
	emp := env.Demo.EmployeeID
	env.Emu.AddSMSDevice(emp, "+15125550101", true)
	for _, n := range []string{"+15125550102", "+15125550103", "+15125550104"} {
		env.Emu.AddSMSDevice(emp, n, false)
	}
	b := env.NewBrowser(t)
	p := b.SignInEmployee("/devices")
	if p.LinkTo("/devices/sms/new") == "" {
		t.Fatalf("one active and three waiting phones under a cap of 2: adding must be offered:\n%s", p.Text())
	}
	form := b.PassStepUpEmployee(b.Get("/devices/sms/new"))
	p = b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if p.Path() != "/devices" {
		t.Fatalf("after the code: %d %s %q", p.Status, p.Path(), p.Text())
	}
	if p.LinkTo("/devices/sms/new") != "" || !strings.Contains(p.Text(), "limit of sign-in devices (2)") {
		t.Fatalf("two active phones under a cap of 2: %q", p.Text())
	}

	// The settings changed since the portal read them: PingOne's refusal decides, in words,
	// with its own figure, and is not taken for "PingOne is busy".
	env2 := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.DeviceLimit = 3 }))
	env2.Emu.AddSMSDevice(env2.Demo.EmployeeID, "+15125550101", true)
	b2 := env2.NewBrowser(t)
	b2.SignInEmployee("/devices") // reads and caches the cap of 3
	if status, body := api(t, env2, http.MethodPut, "/mfaSettings", `{"pairing":{"maxAllowedDevices":1}}`); status != http.StatusOK {
		t.Fatalf("PUT mfaSettings: %d %v", status, body)
	}
	form = b2.PassStepUpEmployee(b2.Get("/devices/sms/new"))
	p = b2.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.ByID("phone-error"), "limit of sign-in devices (1)") ||
		strings.Contains(p.Text(), "slow down") {
		t.Fatalf("PingOne's LIMIT_EXCEEDED: %d %q", p.Status, p.Text())
	}
	if n := len(env2.Emu.Devices(env2.Demo.EmployeeID)); n != 1 {
		t.Fatalf("%d devices after the refusal", n)
	}
}

// 2. Codes are 6 to 10 digits (the device authentication policy's otpLength), and the pages
// say the policy's length.
func TestCodeLengthFollowsThePolicy(t *testing.T) {
	for _, length := range []int{6, 8, 10} {
		t.Run(fmt.Sprint(length), func(t *testing.T) {
			env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.OTPLength = length }))
			b := env.NewBrowser(t)
			p := addPhone(t, env, b, number)
			in := p.Input("code")
			if in["inputmode"] != "numeric" || in["autocomplete"] != "one-time-code" || in["minlength"] != "6" || in["maxlength"] < "1" {
				t.Fatalf("code field: %v", in)
			}
			if !regexp.MustCompile(`^(?:` + in["pattern"] + `)$`).MatchString(strings.Repeat("7", 10)) {
				t.Fatalf("the field's pattern %q refuses a 10-digit code", in["pattern"])
			}
			code := env.Emu.LastCode("+15125201234")
			if len(code) != length {
				t.Fatalf("the emulator texted %q", code)
			}
			bad := b.Submit(p, "/verify", url.Values{"code": {"12345"}})
			if want := fmt.Sprintf("Enter the %d-digit code from the text message.", length); bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text(), want) {
				t.Fatalf("a 5-digit code: %d %q", bad.Status, bad.Text())
			}
			// Typed with a space in the middle, as people copy it.
			done := b.Submit(bad, "/verify", url.Values{"code": {code[:3] + " " + code[3:]}})
			if done.Path() != "/devices" || !strings.Contains(deviceRow(t, done, "+1 512-520-1234"), "Active") {
				t.Fatalf("the %d-digit code: %d %s %q", length, done.Status, done.Path(), done.Text())
			}
		})
	}
}

// 3. Every device carries lock and block objects; a blocked phone never shows as usable: not
// as the default, not as the phone a step-up texts.
func TestBlockedPhoneNeverShowsUsable(t *testing.T) {
	env := portaltest.Start(t)
	emp := env.Demo.EmployeeID
	first := env.Emu.AddSMSDevice(emp, "+15125550101", true)
	env.Emu.AddSMSDevice(emp, "+15125550102", true)
	if err := workerClient(t, env).BlockDevice(context.Background(), emp, first); err != nil {
		t.Fatal(err)
	}
	b := env.NewBrowser(t)
	p := b.SignInEmployee("/devices")
	blocked, usable := deviceRow(t, p, "+1 512-555-0101"), deviceRow(t, p, "+1 512-555-0102")
	if !strings.Contains(blocked, "Blocked") || strings.Contains(blocked, ">Default<") || !strings.Contains(usable, ">Default<") {
		t.Fatalf("blocked row %q\nusable row %q", blocked, usable)
	}
	step := b.Get("/devices/sms/new")
	_, usableMasked := phone.Shown("+15125550102")
	_, blockedMasked := phone.Shown("+15125550101")
	if !strings.Contains(step.Text(), usableMasked) || strings.Contains(step.Text(), blockedMasked) {
		t.Fatalf("the step-up must text the usable phone: %q", step.Text())
	}
}

// 4. PingOne's SMS code policy: a code lives 30 minutes; the lockout comes from the MFA
// settings (lockout.failureCount, durationSeconds).
func TestCodePolicyDefaultsAndLockout(t *testing.T) {
	t.Run("a code lives 30 minutes", func(t *testing.T) {
		env := portaltest.Start(t, portaltest.WithEnv("SESSION_IDLE_TIMEOUT", "2h"))
		b := env.NewBrowser(t)
		p := addPhone(t, env, b, number)
		env.Clock.Advance(29 * time.Minute)
		if done := b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}}); done.Path() != "/devices" {
			t.Fatalf("after 29 minutes: %d %q", done.Status, done.Text())
		}
	})
	t.Run("not 31", func(t *testing.T) {
		env := portaltest.Start(t, portaltest.WithEnv("SESSION_IDLE_TIMEOUT", "2h"))
		b := env.NewBrowser(t)
		p := addPhone(t, env, b, number)
		env.Clock.Advance(31 * time.Minute)
		late := b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
		if late.Status != http.StatusUnprocessableEntity || !strings.Contains(late.Text(), "has expired") {
			t.Fatalf("after 31 minutes: %d %q", late.Status, late.Text())
		}
	})
	t.Run("lockout from the MFA settings", func(t *testing.T) {
		env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) {
			o.LockoutFailureCount, o.LockDuration = 2, 20*time.Minute
		}))
		b := env.NewBrowser(t)
		p := addPhone(t, env, b, number)
		p = b.Submit(p, "/verify", url.Values{"code": {"000001"}})
		if !strings.Contains(p.Text(), "That code is not right") {
			t.Fatalf("first wrong code: %q", p.Text())
		}
		p = b.Submit(p, "/verify", url.Values{"code": {"000002"}})
		if !strings.Contains(p.Text(), "this phone is locked for 20 minutes") {
			t.Fatalf("second wrong code, with a lockout after 2 for 20 minutes: %q", p.Text())
		}
	})
}

// 5. Numbers in PingOne's answers are E.164; the portal shows them in international format.
func TestNumbersFromPingOneAreE164(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	id := deviceID(t, addPhone(t, env, b, "+1.512.520.1234"))
	status, dev := api(t, env, http.MethodGet, "/users/"+env.Demo.EmployeeID+"/devices/"+id, "")
	if status != http.StatusOK || dev["phone"] != "+15125201234" {
		t.Fatalf("PingOne's answer: %d phone %v", status, dev["phone"])
	}
	if p := b.Get("/devices"); !strings.Contains(p.Text(), "+1 512-520-1234") {
		t.Fatalf("devices page: %q", p.Text())
	}
}

// 6. PingOne tells the person of a new method (newDeviceNotification); the portal sends no
// second notice; the demo shows PingOne's emails.
func TestPingOneTellsOfTheNewMethod(t *testing.T) {
	env := portaltest.Start(t)
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	emails := env.Emu.Emails()
	if len(emails) != 1 || emails[0].To != "erin.employee@example.com" {
		t.Fatalf("notices: %+v", emails)
	}
	if n := len(env.Emu.Outbox()); n != 1 {
		t.Fatalf("%d texts: only the pairing code may be texted, PingOne's notice goes by email", n)
	}
	var list []struct{ To, Subject, Text, SentAt string }
	if err := sentEmails(t, env, &list); err != nil || len(list) != 1 || list[0].To != "erin.employee@example.com" ||
		list[0].Subject == "" || list[0].SentAt == "" {
		t.Fatalf("/demo/email: %v %+v", err, list)
	}
	if page := b.Get("/demo/sms"); !strings.Contains(page.Text(), "Emails the emulator sent") || !strings.Contains(page.Text(), list[0].Subject) {
		t.Fatalf("the outbox page does not show the email: %q", page.Text())
	}
}

// 7. Worker apps authenticate with client secret basic or post: both work, detected or
// configured; a mismatch is a setup problem in words.
func TestWorkerTokenAuthMethods(t *testing.T) {
	for _, tc := range []struct {
		app, configured string // configured "" lets the portal detect the method
		ok              bool
	}{
		{"client_secret_post", "", true},
		{"client_secret_post", "post", true},
		{"client_secret_basic", "", true},
		{"client_secret_basic", "post", false},
	} {
		t.Run("app "+tc.app+", portal "+cmp.Or(tc.configured, "detects"), func(t *testing.T) {
			env := portaltest.Start(t, portaltest.WithEnv("PINGONE_WORKER_CLIENT_ID", "worker-2"),
				portaltest.WithEnv("PINGONE_WORKER_CLIENT_SECRET", "worker-2-secret"), portaltest.WithEnv("PINGONE_WORKER_TOKEN_AUTH", tc.configured))
			env.Emu.AddApp(emulator.App{ClientID: "worker-2", ClientSecret: "worker-2-secret", Worker: true, Roles: true, TokenAuthMethod: tc.app})
			p := env.NewBrowser(t).SignInEmployee("/devices")
			if tc.ok != (p.Status == http.StatusOK && p.Path() == "/devices") {
				t.Fatalf("%d %s %q", p.Status, p.Path(), p.H1())
			}
			if !tc.ok && p.H1() != "The portal is not set up correctly" {
				t.Fatalf("mismatch: %q", p.H1())
			}
		})
	}
}

// 8. Retry hints: Retry-After on a 429, or innerError.retryAfter, reach the person as a time.
func TestRetryHintsReachThePerson(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault emulator.Fault
		wait  string
	}{
		{"Retry-After", emulator.Fault{Route: "devices.create", Status: http.StatusTooManyRequests, RetryAfter: "120"}, "2 minutes"},
		{"innerError.retryAfter", emulator.Fault{Route: "devices.create", Status: http.StatusTooManyRequests,
			Body: `{"id":"8f1c5c6e-1b1a-4c55-9a53-0c8a5d2a4f10","code":"REQUEST_LIMITED","message":"Too many requests",` +
				`"details":[{"code":"LIMIT_EXCEEDED","message":"Rate limit","innerError":{"retryAfter":"` +
				time.Now().Add(5*time.Minute).UTC().Format(time.RFC3339) + `"}}]}`}, "5 minutes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t)
			b := env.NewBrowser(t)
			form := b.SignInEmployee("/enroll")
			env.Emu.Inject(tc.fault)
			p := b.Submit(form, "/devices/sms", url.Values{"phone": {number}, "region": {"US"}})
			if p.Status != http.StatusServiceUnavailable || p.H1() != "Your company’s sign-in is busy" || !strings.Contains(p.Text(), "try again in "+tc.wait) {
				t.Fatalf("%d %q", p.Status, p.Text())
			}
			if ra := p.Header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Errorf("Retry-After %q", ra)
			}
		})
	}
}

// 9. PingOne's access tokens are JWTs; the portal treats them as opaque and never shows them.
func TestAccessTokensAreJWTs(t *testing.T) {
	env := portaltest.Start(t)
	tok := workerToken(t, env)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("a worker token of %d parts", len(parts))
	}
	head, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || !strings.Contains(string(head), `"alg"`) {
		t.Fatalf("JWT header %q: %v", head, err)
	}
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	done := b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if done.Path() != "/devices" {
		t.Fatalf("journey with JWT tokens: %d %q", done.Status, done.Text())
	}
	for _, c := range b.HTTP.Jar.Cookies(mustURL(env.URL)) {
		if strings.Contains(c.Value, "eyJ") {
			t.Errorf("cookie %s carries a JWT in clear", c.Name)
		}
	}
}

// 10. acr names the policy that ran, not what the person did: a policy that let the person
// through on the password alone (amr ["pwd"]) is no step-up.
func TestStepUpWantsASecondFactor(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.SkipSecondFactor = true }))
	env.Emu.AddSMSDevice(env.Demo.EmployeeID, "+15125550101", true)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	step := b.Get("/devices/sms/new")
	next := step.LinkTo("/auth/login?step_up=1")
	if next == "" {
		t.Fatalf("no step-up offered: %q", step.Text())
	}
	p := b.Get(next)
	p = b.Submit(p, "/as/authorize", url.Values{"username": {env.Demo.Employee}, "password": {env.Demo.EmployeePass}})
	if p.Status != http.StatusForbidden || p.H1() != "Extra check not completed" {
		t.Fatalf("a step-up without a second factor: %d %q", p.Status, p.Text())
	}
	if logs := env.Logs.String(); !strings.Contains(logs, "step-up not accepted") || !strings.Contains(logs, "no second factor") {
		t.Fatalf("no WARN line with the reason:\n%s", logs)
	}
	if again := b.Get("/devices/sms/new"); again.LinkTo("/auth/login?step_up=1") == "" {
		t.Fatalf("the add form opened without a step-up: %q", again.H1())
	}
}

// 11. A locked device may answer a code like a wrong code: the portal reads the device and
// says the phone is locked, and for how long, never "wrong code" forever.
func TestLockedDeviceIsToldApartFromAWrongCode(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.LockedAnswersWrongCode = true }))
	b := env.NewBrowser(t)
	p := addPhone(t, env, b, number)
	for i := range 3 {
		p = b.Submit(p, "/verify", url.Values{"code": {fmt.Sprintf("00000%d", i)}})
	}
	if !strings.Contains(p.Text(), "this phone is locked for 30 minutes") || strings.Contains(p.Text(), "That code is not right") {
		t.Fatalf("after 3 wrong codes: %q", p.Text())
	}
	p = b.Submit(p, "/verify", url.Values{"code": {env.Emu.LastCode("+15125201234")}})
	if !strings.Contains(p.Text(), "this phone is locked for") {
		t.Fatalf("the right code on a locked phone: %q", p.Text())
	}
}

// 12. A refused worker token or a missing role is a setup problem: the "not set up correctly"
// page for the person, an ERROR line naming the cause for the operator. A person PingOne signs
// in but the directory does not know is logged at WARN with the reason in words.
func TestSetupProblemsAreNamed(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []portaltest.Option
		app  *emulator.App
		fix  string
	}{
		{"rotated worker secret", []portaltest.Option{portaltest.WithEnv("PINGONE_WORKER_CLIENT_SECRET", "the-old-secret")}, nil, "PINGONE_WORKER_CLIENT_SECRET"},
		{"worker without a role", []portaltest.Option{portaltest.WithEnv("PINGONE_WORKER_CLIENT_ID", "no-role"),
			portaltest.WithEnv("PINGONE_WORKER_CLIENT_SECRET", "no-role-secret")},
			&emulator.App{ClientID: "no-role", ClientSecret: "no-role-secret", Worker: true}, "Identity Data Admin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t, tc.opts...)
			if tc.app != nil {
				env.Emu.AddApp(*tc.app)
			}
			p := env.NewBrowser(t).SignInEmployee("/devices")
			if p.Status != http.StatusBadGateway || p.H1() != "The portal is not set up correctly" {
				t.Fatalf("%d %q", p.Status, p.Text())
			}
			var line map[string]any
			for _, l := range strings.Split(env.Logs.String(), "\n") {
				if strings.Contains(l, `"request failed"`) {
					_ = json.Unmarshal([]byte(l), &line)
				}
			}
			if line["level"] != "ERROR" || !strings.Contains(fmt.Sprint(line["fix"]), tc.fix) {
				t.Fatalf("the operator's line: %v", line)
			}
		})
	}
	t.Run("unknown to the directory", func(t *testing.T) {
		env := portaltest.Start(t)
		// PingOne signs the person in; its directory answers that it does not know them (the
		// web app and the worker in different environments, or a user deleted meanwhile).
		env.Emu.Inject(emulator.Fault{Route: "users.get", Status: http.StatusNotFound})
		p := env.NewBrowser(t).SignInEmployee("/devices")
		if p.Status != http.StatusForbidden || p.H1() != "Your account is not set up here" {
			t.Fatalf("%d %q", p.Status, p.Text())
		}
		logs := env.Logs.String()
		if !regexp.MustCompile(`"level":"WARN"[^\n]*signed-in person unknown to the directory[^\n]*PINGONE_ENVIRONMENT_ID`).MatchString(logs) {
			t.Fatalf("no WARN line with the reason:\n%s", logs)
		}
	})
}

// 1, when the settings cannot be read (a worker without the role): PingOne's default cap,
// one WARN line for the operator, and no refused call on every page that shows the cap.
func TestUnreadableMFASettingsCostOneCall(t *testing.T) {
	env := portaltest.Start(t)
	env.Emu.Inject(emulator.Fault{Route: "mfaSettings.get", Status: http.StatusForbidden, Times: -1})
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	for range 3 {
		if p := b.Get("/devices"); p.Status != http.StatusOK || p.LinkTo("/devices/sms/new") == "" {
			t.Fatalf("%d %q", p.Status, p.Text())
		}
	}
	if n := env.Emu.Calls("mfaSettings.get"); n != 1 {
		t.Errorf("%d reads of the refused MFA settings for 4 pages, want 1", n)
	}
	if n := strings.Count(env.Logs.String(), "MFA settings not readable"); n != 1 {
		t.Errorf("%d WARN lines, want 1", n)
	}
}
