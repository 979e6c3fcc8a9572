package pingone_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
)

// TestDevicePolicyRead reads the policy in force, the default or the one named, in PingOne's
// shapes (the fixture validates every answer against mfa.yaml).
func TestDevicePolicyRead(t *testing.T) {
	tests := []struct {
		name  string
		emu   emulator.Options
		other *emulator.SMSPolicy // a second policy, named by Config.DevicePolicyID
		want  pingone.SMSPolicy
	}{
		{"the seed", emulator.Options{}, nil,
			pingone.SMSPolicy{Enabled: true, OTPLength: 6, OTPLifetime: 30 * time.Minute, FailureCount: 3}},
		{"SMS off", emulator.Options{SMSDisabled: true}, nil,
			pingone.SMSPolicy{OTPLength: 6, OTPLifetime: 30 * time.Minute, FailureCount: 3}},
		{"pairing disabled, 8 digits, 5 minutes, 2 tries, 90 s cool-down",
			emulator.Options{SMSPairingDisabled: true, OTPLength: 8, OTPLifetime: 5 * time.Minute, OTPMaxFailures: 2, OTPCoolDown: 90 * time.Second}, nil,
			pingone.SMSPolicy{Enabled: true, PairingDisabled: true, OTPLength: 8, OTPLifetime: 5 * time.Minute, FailureCount: 2, CoolDown: 90 * time.Second}},
		{"another policy named", emulator.Options{SMSDisabled: true}, &emulator.SMSPolicy{OTPLength: 10, OTPLifetime: 2 * time.Minute},
			pingone.SMSPolicy{Enabled: true, OTPLength: 10, OTPLifetime: 2 * time.Minute, FailureCount: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var id string
			f := newFixtureWith(t, tc.emu)
			if tc.other != nil {
				var err error
				if id, err = f.emu.AddDevicePolicy("Portal SMS", *tc.other); err != nil {
					t.Fatal(err)
				}
				f = &fixture{emu: f.emu, userID: f.userID, group: f.group, spec: f.spec, client: newClientFor(t, f, id)}
			}
			p, err := f.client.DevicePolicy(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if p.SMS != tc.want {
				t.Errorf("sms = %+v, want %+v", p.SMS, tc.want)
			}
			if p.SMS.CanPair() != (tc.want.Enabled && !tc.want.PairingDisabled) {
				t.Errorf("CanPair = %v", p.SMS.CanPair())
			}
			if (id == "") != p.Default || (id != "" && p.ID != id) {
				t.Errorf("read policy %s (default %v), want %q", p.ID, p.Default, id)
			}
			route := map[bool]string{true: "devicePolicies.list", false: "devicePolicies.get"}[id == ""]
			if f.emu.Calls(route) != 1 {
				t.Errorf("%s called %d times, want 1", route, f.emu.Calls(route))
			}
		})
	}
}

// newClientFor is a client of the fixture's emulator that reads the policy with that ID.
func newClientFor(t *testing.T, f *fixture, policyID string) *pingone.Client {
	t.Helper()
	c, err := pingone.New(pingone.Config{EnvironmentID: f.emu.EnvironmentID(), APIBase: f.emu.APIBase(), AuthBase: f.emu.AuthBase(),
		ClientID: "worker", ClientSecret: "s3cret", DevicePolicyID: policyID, HTTPClient: f.spec.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDevicePolicyIsKeptBriefly: fifty callers at once cost one read; an administrator's edit
// shows once the minute is over.
func TestDevicePolicyIsKeptBriefly(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	f := newFixture(t, func(c *pingone.Config) { c.Now = clock })
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if p, err := f.client.DevicePolicy(context.Background()); err != nil || !p.SMS.CanPair() {
				t.Errorf("%v %+v", err, p)
			}
		})
	}
	wg.Wait()
	if n := f.emu.Calls("devicePolicies.list"); n != 1 {
		t.Fatalf("%d reads for 50 callers, want 1", n)
	}
	if err := f.emu.SetSMSPolicy(emulator.SMSPolicy{PairingDisabled: true}); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.client.DevicePolicy(context.Background()); !p.SMS.CanPair() {
		t.Fatal("the edit showed within the minute: the policy was not kept")
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	if p, err := f.client.DevicePolicy(context.Background()); err != nil || p.SMS.CanPair() || !p.SMS.PairingDisabled {
		t.Fatalf("after a minute: %v %+v, want pairing disabled", err, p)
	}
}

// TestPairingRefusedIsRecognised: with SMS off or pairing disabled, PingOne (the emulator's
// UNVERIFIED answer, kept in pingone.PairingRefused*) refuses the create, the code and the
// resend, and the client recognises the refusal as that and nothing else.
func TestPairingRefusedIsRecognised(t *testing.T) {
	for _, pol := range []emulator.SMSPolicy{{Disabled: true}, {PairingDisabled: true}} {
		f := newFixture(t)
		ctx := context.Background()
		pending, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201234", Status: pingone.StatusActivationRequired})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.emu.SetSMSPolicy(pol); err != nil {
			t.Fatal(err)
		}
		_, err = f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201235", Status: pingone.StatusActivationRequired})
		if !pingone.IsPairingRefused(err) || pingone.IsInvalidValue(err) || pingone.IsDeviceLimit(err) || pingone.IsWrongCode(err) {
			t.Errorf("%+v: create: %v", pol, err)
		}
		code := f.emu.LastCode("+15125201234")
		if _, err := f.client.ActivateDevice(ctx, f.userID, pending.ID, code); !pingone.IsPairingRefused(err) || pingone.IsWrongCode(err) {
			t.Errorf("%+v: activate: %v", pol, err)
		}
		if err := f.client.ResendActivationCode(ctx, f.userID, pending.ID); !pingone.IsPairingRefused(err) {
			t.Errorf("%+v: resend: %v", pol, err)
		}
		if devs := f.emu.Devices(f.userID); len(devs) != 1 || devs[0].Status != pingone.StatusActivationRequired {
			t.Errorf("%+v: devices %+v, want the one pending phone", pol, devs)
		}
		if err := f.client.DeleteDevice(ctx, f.userID, pending.ID); err != nil {
			t.Errorf("%+v: an existing phone stays removable: %v", pol, err)
		}
	}
	if pingone.IsPairingRefused(nil) || pingone.IsPairingRefused(context.Canceled) {
		t.Error("IsPairingRefused of a non-PingOne error")
	}
}
