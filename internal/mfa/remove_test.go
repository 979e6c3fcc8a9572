package mfa_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// fixture is a Service talking real HTTP to an emulator, with one user who has no device yet.
type fixture struct {
	emu    *emulator.Server
	client *pingone.Client
	policy *phone.Policy
	svc    *mfa.Service
	user   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	emu := pingonetest.Start(t, emulator.Options{})
	emu.AddApp(emulator.App{ClientID: "worker", ClientSecret: "s3cret", Worker: true, Roles: true})
	user := emu.AddUser(emulator.SeedUser{Username: "ada", Email: "ada@example.com", Password: "pw"})
	client, err := pingone.New(pingone.Config{EnvironmentID: emu.EnvironmentID(), APIBase: emu.APIBase(), AuthBase: emu.AuthBase(),
		ClientID: "worker", ClientSecret: "s3cret", RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	policy, err := phone.NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{emu: emu, client: client, policy: policy, svc: mfa.New(client, policy, mfa.Options{}), user: user}
}

// device reads one of the user's devices as the handlers do before removing it.
func (f *fixture) device(t *testing.T, id string) mfa.Device {
	t.Helper()
	d, err := f.svc.Device(context.Background(), f.user, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRemoveAsksForTheStepUp (review of issue 22, item 3): the step-up before a person removes
// one of their phones is Remove's own rule, as it is StartSMS's for adding one. Without a
// recent proof, a person with an active phone is refused with a *StepUpError naming the phone
// PingOne will text, and PingOne is not asked to delete anything; with a recent proof, or when
// the help desk removes it (no proof), the phone goes.
func TestRemoveAsksForTheStepUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emu.AddSMSDevice(f.user, "+15125201234", true)
	second := f.emu.AddSMSDevice(f.user, "+15125205678", true)
	third := f.emu.AddSMSDevice(f.user, "+15125209999", true)

	for _, tc := range []struct {
		name  string
		proof mfa.Proof
	}{
		{"the password alone", mfa.Proof{}},
		{"a code typed long ago", mfa.Proof{CodeTyped: time.Now().Add(-time.Hour)}},
		{"an MFA sign-in long ago", mfa.Proof{ACR: "Multi_Factor", AuthTime: time.Now().Add(-time.Hour)}},
	} {
		err := f.svc.Remove(ctx, f.user, f.device(t, second), &tc.proof)
		var su *mfa.StepUpError
		if !errors.As(err, &su) || su.Masked == "" || !mfa.StepUpRefused(err) {
			t.Fatalf("%s: Remove = %v, want a *StepUpError naming a phone", tc.name, err)
		}
	}
	if n := f.emu.Calls("devices.delete"); n != 0 || len(f.emu.Devices(f.user)) != 3 {
		t.Fatalf("refused removals reached PingOne: %d deletes, %d devices left", n, len(f.emu.Devices(f.user)))
	}

	if err := f.svc.Remove(ctx, f.user, f.device(t, second), &mfa.Proof{CodeTyped: time.Now()}); err != nil {
		t.Fatalf("Remove with a code typed just now: %v", err)
	}
	if err := f.svc.Remove(ctx, f.user, f.device(t, third), nil); err != nil {
		t.Fatalf("Remove by the help desk (no proof): %v", err)
	}
	if n := len(f.emu.Devices(f.user)); n != 1 || f.emu.Calls("devices.delete") != 2 {
		t.Fatalf("after two removals: %d devices, %d deletes", n, f.emu.Calls("devices.delete"))
	}
}

// TestRemoveOnTemporaryAccess: a person signed in on temporary access (PingOne's MFA bypass)
// removes none of their phones, however fresh their sign-in; the help desk still can.
func TestRemoveOnTemporaryAccess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emu.AddSMSDevice(f.user, "+15125201234", true)
	other := f.emu.AddSMSDevice(f.user, "+15125205678", true)
	p := mfa.Proof{CodeTyped: time.Now(), TemporaryUntil: time.Now().Add(time.Hour)}
	if err := f.svc.Remove(ctx, f.user, f.device(t, other), &p); !errors.Is(err, mfa.ErrTemporaryAccess) || !mfa.StepUpRefused(err) {
		t.Fatalf("Remove on temporary access = %v, want ErrTemporaryAccess", err)
	}
	if f.emu.Calls("devices.delete") != 0 {
		t.Fatal("a removal on temporary access reached PingOne")
	}
	if err := f.svc.Remove(ctx, f.user, f.device(t, other), nil); err != nil {
		t.Fatalf("Remove by the help desk: %v", err)
	}
}

// TestStaffFirstPhoneNotActivated (issue #21, review of issue 22): a help-desk member's own
// first phone, already waiting for its code, is not activated on their word (Verify refuses
// it with ErrFirstPhoneElsewhere before PingOne checks the code, and returns the phone for the
// page); someone else's, or the help desk activating it for them, is.
func TestStaffFirstPhoneNotActivated(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const number = "+15125204321"
	id := f.emu.AddSMSDevice(f.user, number, false)
	code := f.emu.LastCode(number)

	d, err := f.svc.Verify(ctx, f.user, id, code, &mfa.Proof{Staff: true})
	if !errors.Is(err, mfa.ErrFirstPhoneElsewhere) || d.ID != id {
		t.Fatalf("staff's own first phone: %+v, %v; want the device and ErrFirstPhoneElsewhere", d, err)
	}
	if _, err := f.svc.VerifyMFAOff(ctx, f.user, id, code, &mfa.Proof{Staff: true}); !errors.Is(err, mfa.ErrFirstPhoneElsewhere) {
		t.Fatalf("staff's own first phone, MFA off: %v", err)
	}
	if n := f.emu.Calls("devices.activate"); n != 0 || f.emu.Devices(f.user)[0].Status != pingone.StatusActivationRequired {
		t.Fatalf("the refused code reached PingOne: %d activations", n)
	}
	if err := mfa.StaffFirstPhone(mfa.List{{ID: "x", Status: pingone.StatusActive}, {ID: id}}, id, &mfa.Proof{Staff: true}); err != nil {
		t.Fatalf("staff's second phone: %v", err)
	}
	if err := mfa.StaffFirstPhone(mfa.List{{ID: id}}, id, &mfa.Proof{}); err != nil {
		t.Fatalf("a person's first phone: %v", err)
	}
	if d, err := f.svc.Verify(ctx, f.user, id, code, nil); err != nil || d.Status != pingone.StatusActive {
		t.Fatalf("the help desk activating it: %+v, %v", d, err)
	}
}

// TestReplacementsKeptPerService (review of issue 22, item 4): with no shared store, a Service
// keeps its started replacements in a store of its own, made with its own clock: another
// Service (no package-wide store) does not see them.
func TestReplacementsKeptPerService(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := f.emu.AddSMSDevice(f.user, "+15125201234", true)
	started, r, err := f.svc.StartReplace(ctx, f.user, old, "+15125205678", "", &mfa.Proof{CodeTyped: time.Now()})
	if err != nil || r == nil {
		t.Fatalf("StartReplace: %v", err)
	}
	if got, ok := f.svc.Pending(ctx, f.user, started.Device.ID); !ok || got.Old != old {
		t.Fatalf("the Service's own replacement: %+v %v", got, ok)
	}
	other := mfa.New(f.client, f.policy, mfa.Options{})
	if got, ok := other.Pending(ctx, f.user, started.Device.ID); ok {
		t.Fatalf("another Service sees the first one's replacement: %+v", got)
	}
}
