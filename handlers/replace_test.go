package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

const (
	oldNumber   = "+15125201234"
	otherNumber = "+15125209999"
	newNumber   = "+15125207777"
)

// replaceSetup gives the employee two active phones, the first named "Work phone", signs them
// in at the first one's Replace, passes the step-up, and returns the form for the new number.
func replaceSetup(t *testing.T, env *portaltest.Env) (b *portaltest.Browser, form *portaltest.Page, oldID, otherID string) {
	t.Helper()
	emp := env.Demo.EmployeeID
	oldID = env.Emu.AddSMSDevice(emp, oldNumber, true)
	otherID = env.Emu.AddSMSDevice(emp, otherNumber, true)
	env.Emu.SetNickname(emp, oldID, "Work phone")
	env.Emu.SetMFAEnabled(emp, true)
	b = env.NewBrowser(t)
	p := b.SignInEmployee("/devices/" + oldID + "/replace")
	if p.LinkTo("/auth/login?step_up=1") == "" || !strings.HasPrefix(p.H1(), "Confirm") {
		t.Fatalf("replacing an active phone without the step-up: %d %q", p.Status, p.Text())
	}
	form = b.PassStepUpEmployee(p)
	if form.H1() != "Replace +1 512-520-1234" || form.Input("phone") == nil {
		t.Fatalf("after the step-up: %d %s %q", form.Status, form.URL, form.Text())
	}
	return b, form, oldID, otherID
}

// activeNumbers are the user's active phones, in PingOne's order.
func activeNumbers(env *portaltest.Env) []string {
	var out []string
	for _, d := range env.Emu.Devices(env.Demo.EmployeeID) {
		if d.Status == "ACTIVE" {
			out = append(out, d.Phone)
		}
	}
	return out
}

// replaced reports whether the replacement is complete: the new phone active in the old one's
// place with its name, the other phone after it, the old one gone, nothing else.
func replaced(env *portaltest.Env) bool {
	d := env.Emu.Devices(env.Demo.EmployeeID)
	return len(d) == 2 && d[0].Phone == newNumber && d[0].Status == "ACTIVE" && d[0].Nickname == "Work phone" &&
		d[1].Phone == otherNumber && d[1].Status == "ACTIVE"
}

// TestPersonReplacesAPhone is part 2 of issue #23 for the person: Replace, the new number,
// its code; the new phone takes the old one's place and name, and one audit record says so.
func TestPersonReplacesAPhone(t *testing.T) {
	env := portaltest.Start(t)
	b, form, _, _ := replaceSetup(t, env)
	code := b.Submit(form, "/replace", url.Values{"phone": {"512-520-7777"}, "region": {"US"}})
	if !strings.HasSuffix(code.Path(), "/verify") || code.Input("code") == nil {
		t.Fatalf("after the new number: %d %s %q", code.Status, code.URL, code.Text())
	}
	// Until the new phone's code is entered, the old one is untouched.
	if got := activeNumbers(env); len(got) != 2 || got[0] != oldNumber {
		t.Fatalf("before the code: %v", got)
	}
	p := b.Submit(code, "/verify", url.Values{"code": {env.Emu.LastCode(newNumber)}})
	if !replaced(env) || p.Path() != "/devices" || !strings.Contains(p.Text(), "has replaced") {
		t.Fatalf("after the code: %+v, %s %q", env.Emu.Devices(env.Demo.EmployeeID), p.URL, p.Text())
	}
	recs := auditsOf(t, env, "replaced")
	if len(recs) != 1 || recs[0]["outcome"] != "success" || recs[0]["helpdesk"] != false {
		t.Fatalf("replaced records: %v", recs)
	}
	r := recs[0]
	if old, nw := r["old_number"].(string), r["new_number"].(string); !strings.HasSuffix(old, "1234") || !strings.HasSuffix(nw, "7777") ||
		strings.Contains(old, "520") || strings.Contains(nw, "520") {
		t.Errorf("numbers in the record are not both masked: %q %q", old, nw)
	}
	if n := len(auditsOf(t, env, "activate_phone")) + len(auditsOf(t, env, "add_phone")); n != 0 {
		t.Errorf("a replacement wrote %d add/activate records besides its one", n)
	}
	if !strings.Contains(env.Logs.String(), `"action":"replaced"`) || strings.Contains(env.Logs.String(), "5125207777") {
		t.Error("a full number reached the logs")
	}
}

// TestReplaceSurvivesPingOneFailures fails PingOne at each call of a replacement, with a 503
// and with no answer (a dropped connection, or one lost after the change was made): the person
// always keeps an active phone (the old one, active, until the new one is in place), and a retry
// finishes the job without a second device.
func TestReplaceSurvivesPingOneFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault emulator.Fault
		// atCode injects the fault before the code is entered, else before the new number.
		atCode bool
	}{
		{"create 503", emulator.Fault{Route: "devices.create", Status: 503, Times: -1}, false},
		{"create no answer", emulator.Fault{Route: "devices.create", Drop: true, Times: -1}, false},
		{"create answer lost", emulator.Fault{Route: "devices.create", LoseAnswer: true}, false},
		{"activate 503", emulator.Fault{Route: "devices.activate", Status: 503, Times: -1}, true},
		{"activate answer lost", emulator.Fault{Route: "devices.activate", LoseAnswer: true}, true},
		{"list 503", emulator.Fault{Route: "devices.list", Status: 503, Times: -1}, true},
		{"nickname 503", emulator.Fault{Route: "devices.nickname", Status: 503, Times: -1}, true},
		{"nickname no answer", emulator.Fault{Route: "devices.nickname", Drop: true, Times: -1}, true},
		{"reorder 503", emulator.Fault{Route: "devices.reorder", Status: 503, Times: -1}, true},
		{"reorder no answer", emulator.Fault{Route: "devices.reorder", Drop: true, Times: -1}, true},
		{"delete 503", emulator.Fault{Route: "devices.delete", Status: 503, Times: -1}, true},
		{"delete no answer", emulator.Fault{Route: "devices.delete", Drop: true, Times: -1}, true},
		{"delete answer lost", emulator.Fault{Route: "devices.delete", LoseAnswer: true}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := portaltest.Start(t)
			b, form, oldID, _ := replaceSetup(t, env)
			keepsAPhone := func(when string) {
				t.Helper()
				got := activeNumbers(env)
				if len(got) == 0 {
					t.Fatalf("%s: no active phone left", when)
				}
				if !replaced(env) && !slices.Contains(got, oldNumber) {
					t.Fatalf("%s: the old phone is gone before the replacement finished: %v", when, got)
				}
				seen := map[string]bool{}
				for _, d := range env.Emu.Devices(env.Demo.EmployeeID) {
					if seen[d.Phone] {
						t.Fatalf("%s: %s twice: %+v", when, d.Phone, env.Emu.Devices(env.Demo.EmployeeID))
					}
					seen[d.Phone] = true
				}
			}
			fields := url.Values{"phone": {"512-520-7777"}, "region": {"US"}}
			if !tc.atCode {
				env.Emu.Inject(tc.fault)
			}
			code := b.Submit(form, "/replace", fields)
			keepsAPhone("after the new number")
			if tc.atCode {
				env.Emu.Inject(tc.fault)
			}
			otp := env.Emu.LastCode(newNumber)
			var p *portaltest.Page
			if code.Input("code") != nil {
				p = b.Submit(code, "/verify", url.Values{"code": {otp}})
				keepsAPhone("after the code")
			} else if code.Status < 500 || code.Status == http.StatusNotImplemented {
				t.Fatalf("a failure at the new number answered %d %q", code.Status, code.Text())
			}
			env.Emu.ClearFaults()
			if !replaced(env) {
				// The retry: the same step again (the code page, or the form when no code page came).
				if code.Input("code") == nil {
					code = b.Submit(form, "/replace", fields)
					otp = env.Emu.LastCode(newNumber)
				}
				p = b.Submit(code, "/verify", url.Values{"code": {otp}})
			}
			if !replaced(env) {
				t.Fatalf("after the retry: %+v, %d %q", env.Emu.Devices(env.Demo.EmployeeID), p.Status, p.Text())
			}
			for _, d := range env.Emu.Devices(env.Demo.EmployeeID) {
				if d.ID == oldID {
					t.Fatal("the old phone is still there")
				}
			}
			if recs := auditsOf(t, env, "replaced"); len(recs) != 1 {
				t.Fatalf("%d replaced records", len(recs))
			}
		})
	}
}

// TestHelpdeskReplacesAPhone is part 2 for the help desk: after verifying the caller, Replace
// on the phone, the new number with a reason, the code the caller reads out.
func TestHelpdeskReplacesAPhone(t *testing.T) {
	env := portaltest.Start(t)
	emp := env.Demo.EmployeeID
	oldID := env.Emu.AddSMSDevice(emp, oldNumber, true)
	env.Emu.AddSMSDevice(emp, otherNumber, true)
	env.Emu.SetNickname(emp, oldID, "Work phone")
	b, _ := staffBrowser(t, env)
	base := "/helpdesk/users/" + emp
	if p := b.Get(base + "/devices/" + oldID + "/replace"); p.Path() != base+"/verify" {
		t.Fatalf("replace before verifying the caller: %s", p.URL)
	}
	p := verifyCaller(t, env, b, emp, "erin.employee@example.com")
	if p.LinkTo(base+"/devices/"+oldID+"/replace") == "" || !contains(p.Labels(), "Replace +1 512-520-1234") {
		t.Fatalf("no Replace for the phone: %v", p.Labels())
	}
	form := b.Get(base + "/devices/" + oldID + "/replace")
	if form.H1() != "Replace +1 512-520-1234" || form.Input("reason") == nil {
		t.Fatalf("replace form: %q", form.Text())
	}
	code := b.Submit(form, "/replace", url.Values{"phone": {"512-520-7777"}, "region": {"US"}, "reason": {"INC-77 new number"}})
	p = b.Submit(code, "/verify", url.Values{"code": {env.Emu.LastCode(newNumber)}})
	if !replaced(env) || p.Path() != base || !strings.Contains(p.Text(), "has replaced") {
		t.Fatalf("after the code: %+v %q", env.Emu.Devices(emp), p.Text())
	}
	r := findAudit(t, env, "replaced", "success")
	if r["reason"] != "INC-77 new number" || r["helpdesk"] != true || r["verified_by"] != "email" {
		t.Errorf("record %v", r)
	}
}

// TestPairingOffRefusesAReplacementBeforePingOne (issue #26): with SMS pairing disabled in the
// MFA policy, Replace shows the add page's words without its form, and a new number posted all
// the same is refused in those words (it was a 500) from the policy read beforehand: PingOne is
// not asked to make the device, nothing is texted, the old phone stays.
func TestPairingOffRefusesAReplacementBeforePingOne(t *testing.T) {
	env := portaltest.Start(t)
	b, form, _, _ := replaceSetup(t, env)
	setSMSPolicy(t, env, emulator.SMSPolicy{PairingDisabled: true})
	if p := b.Get(form.URL); p.Status != http.StatusOK || !strings.Contains(p.Text(), pairingOffText) || p.Input("phone") != nil {
		t.Fatalf("the replace form with pairing disabled: %d %q", p.Status, p.Text())
	}
	before, texts := env.Emu.Calls("devices.create"), len(env.Emu.Outbox())
	p := b.Submit(form, "/replace", url.Values{"phone": {newNumber}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Text(), pairingOffText) {
		t.Fatalf("a replacement with pairing disabled: %d %q", p.Status, p.Text())
	}
	if n := env.Emu.Calls("devices.create") - before; n != 0 || len(env.Emu.Outbox()) != texts {
		t.Errorf("%d device creates and %d texts with pairing disabled, want none", n, len(env.Emu.Outbox())-texts)
	}
	if got := activeNumbers(env); !slices.Equal(got, []string{oldNumber, otherNumber}) {
		t.Errorf("the phones after a refused replacement: %v", got)
	}
}
