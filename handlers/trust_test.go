package handlers_test

// Issue 11: the ways round the step-up and the leaks an attacker tried, each through the
// real router.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// 1. With only a stolen password, locking (or getting blocked) the victim's phone must not
// open a way round the step-up: whether a change needs it follows PingOne's ACTIVE status,
// whatever the lock or block, and a person whose only phone cannot get codes is sent to the
// help desk, in words, on a page that is never empty.
func TestStepUpFollowsPingOnesStatusWhateverTheLock(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(env *portaltest.Env, deviceID string)
		words string
	}{
		{"locked", func(env *portaltest.Env, id string) { env.Emu.LockDevice(env.Demo.EmployeeID, id) }, "locked after too many wrong codes"},
		{"blocked", func(env *portaltest.Env, id string) {
			if err := workerClient(t, env).BlockDevice(t.Context(), env.Demo.EmployeeID, id); err != nil {
				t.Fatal(err)
			}
		}, "blocked by your organisation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t)
			victim := env.Emu.AddSMSDevice(env.Demo.EmployeeID, "+15125550101", true)
			tc.spoil(env, victim)
			b := env.NewBrowser(t)
			list := b.SignInEmployee("/devices")
			token := csrfOf(t, list)

			for _, p := range []*portaltest.Page{
				b.Get("/devices/sms/new"),
				b.Post("/devices/sms", url.Values{"csrf": {token}, "phone": {number}, "region": {"US"}}),
				b.Get("/devices/" + victim + "/remove"),
				b.Post("/devices/"+victim+"/remove", url.Values{"csrf": {token}}),
			} {
				if p.Status != http.StatusForbidden || p.H1() != "Your phone cannot get a code right now" ||
					!strings.Contains(p.Text(), tc.words) || !strings.Contains(p.Text(), "help desk") {
					t.Fatalf("%s: %d %q", p.URL, p.Status, p.Text())
				}
			}
			devs := env.Emu.Devices(env.Demo.EmployeeID)
			if len(devs) != 1 || devs[0].ID != victim {
				t.Fatalf("the phones changed without a step-up: %+v", devs)
			}
			if n := len(env.Emu.Outbox()); n != 0 {
				t.Fatalf("%d texts sent", n)
			}
		})
	}
}

// 5. A step-up whose ID token has no auth_time proves nothing (iat, always fresh, must not
// stand in for it).
func TestStepUpWithoutAuthTimeIsRefused(t *testing.T) {
	env := portaltest.Start(t, portaltest.WithEmulator(func(o *emulator.Options) { o.OmitAuthTime = true }))
	env.Emu.AddSMSDevice(env.Demo.EmployeeID, "+15125550101", true)
	b := env.NewBrowser(t)
	b.SignInEmployee("/devices")
	p := b.PassStepUpEmployee(b.Get("/devices/sms/new"))
	if p.Status != http.StatusForbidden || p.H1() != "Extra check not completed" {
		t.Fatalf("a step-up without auth_time: %d %q", p.Status, p.Text())
	}
	if !strings.Contains(env.Logs.String(), "no auth_time") {
		t.Fatalf("no log line with the reason:\n%s", env.Logs.String())
	}
	if again := b.Get("/devices/sms/new"); again.LinkTo("/auth/login?step_up=1") == "" {
		t.Fatalf("the add form opened: %q", again.H1())
	}
}

// 7. A failed user search never puts what staff typed into a log line: net/http's errors
// repeat the whole URL, the SCIM filter included.
func TestSearchTermsStayOutOfTheLogs(t *testing.T) {
	env := portaltest.Start(t)
	b, _ := staffBrowser(t, env)
	env.Emu.Inject(emulator.Fault{Route: "users.search", Drop: true, Times: -1})
	p := b.Get("/helpdesk?q=" + url.QueryEscape("zelda.secretive"))
	if p.Status < 500 {
		t.Fatalf("a search while PingOne drops the connection: %d", p.Status)
	}
	logs := env.Logs.String()
	if !strings.Contains(logs, "users") {
		t.Fatalf("the failure was not logged:\n%s", logs)
	}
	for _, leak := range []string{"zelda", "filter=", "secretive"} {
		if strings.Contains(logs, leak) {
			t.Fatalf("the log holds %q:\n%s", leak, logs)
		}
	}
}
