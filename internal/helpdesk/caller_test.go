package helpdesk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

type fixture struct {
	emu    *emulator.Server
	v      *helpdesk.Callers
	clock  *pingonetest.Clock
	userID string
	phone  string
}

// newFixture is Callers over the real client, the emulator and a memory store, on one
// clock.
func newFixture(t *testing.T, o helpdesk.CallerOptions) *fixture {
	t.Helper()
	clk := &pingonetest.Clock{Start: time.Now()}
	emu := pingonetest.Start(t, emulator.Options{Now: clk.Now})
	emu.AddApp(emulator.App{ClientID: "worker", ClientSecret: "s3cret", Worker: true, Roles: true})
	uid := emu.AddUser(emulator.SeedUser{Username: "erin", Email: "erin@example.com", Given: "Erin", Family: "Employee"})
	phone := emu.AddSMSDevice(uid, "+15125209876", true)
	c, err := pingone.New(pingone.Config{EnvironmentID: emu.EnvironmentID(), APIBase: emu.APIBase(), AuthBase: emu.AuthBase(),
		ClientID: "worker", ClientSecret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory(store.MemoryOptions{Now: clk.Now, JanitorInterval: -1})
	t.Cleanup(func() { _ = st.Close() })
	o.Now = clk.Now
	if o.Limits == nil {
		o.Limits = limits.New(st, limits.DefaultRules())
	}
	return &fixture{emu: emu, v: helpdesk.NewCallers(c, st, o), clock: clk, userID: uid, phone: phone}
}

func (f *fixture) target() helpdesk.Target {
	return helpdesk.Target{ID: f.userID, Username: "erin", Email: "erin@example.com", Phones: []string{f.phone},
		Masked: map[string]string{f.phone: "+1 •••-•••-9876"}}
}

func TestVerificationIsForOneAgentAndOneUserForTheTTL(t *testing.T) {
	f := newFixture(t, helpdesk.CallerOptions{TTL: 10 * time.Minute})
	ctx := context.Background()
	p, err := f.v.SendCode(ctx, "agent-1", f.target(), helpdesk.KindSMS)
	if err != nil || p.Masked == "" || p.Kind != helpdesk.KindSMS {
		t.Fatalf("SendCode: %+v %v", p, err)
	}
	// Another agent has no code waiting for this user, so cannot check it.
	if _, err := f.v.CheckCode(ctx, "agent-2", f.userID, f.emu.LastCode("+15125209876")); !errors.Is(err, helpdesk.ErrNoCodeSent) {
		t.Fatalf("another agent's check: %v", err)
	}
	ver, err := f.v.CheckCode(ctx, "agent-1", f.userID, f.emu.LastCode("+15125209876"))
	if err != nil || ver.Kind != helpdesk.KindSMS || !ver.Until.Equal(ver.At.Add(10*time.Minute)) {
		t.Fatalf("CheckCode: %+v %v", ver, err)
	}
	tests := []struct {
		name        string
		agent, user string
		after       time.Duration
		want        bool
	}{
		{"same agent and user", "agent-1", f.userID, 0, true},
		{"another agent", "agent-2", f.userID, 0, false},
		{"another user", "agent-1", "other-user", 0, false},
		{"just before expiry", "agent-1", f.userID, 10*time.Minute - time.Second, true},
		{"expired", "agent-1", f.userID, time.Second, false},
	}
	for _, tc := range tests {
		f.clock.Advance(tc.after)
		got, err := f.v.HoldingCheck(ctx, tc.agent, tc.user)
		if err != nil || (got != nil) != tc.want {
			t.Errorf("%s: %+v %v, want verified=%v", tc.name, got, err, tc.want)
		}
	}
}

// TestWrongCodesAndCodeLimit: PingOne's failure count ends a code; the codes sent for a user
// count per agent (LIMIT_HELPDESK_CALLER_CODES) and per user whoever asks
// (LIMIT_HELPDESK_CALLER_CODES_USER, issue #21), through internal/limits: one agent cannot use
// up a user's codes for everybody.
func TestWrongCodesAndCodeLimit(t *testing.T) {
	rules := limits.DefaultRules()
	rules.CallerCodes = limits.Rule{Name: limits.NameCallerCodes, Limit: 2, Window: time.Hour}
	rules.CallerCodesUser = limits.Rule{Name: limits.NameCallerCodesUser, Limit: 3, Window: time.Hour}
	lim := limits.New(store.NewMemory(store.MemoryOptions{JanitorInterval: -1}), rules)
	f := newFixture(t, helpdesk.CallerOptions{Limits: lim})
	ctx := context.Background()
	if _, err := f.v.SendCode(ctx, "a", f.target(), helpdesk.KindEmail); err != nil {
		t.Fatal(err)
	}
	code := f.emu.LastEmailCode("erin@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for _, left := range []int{2, 1} {
		var we *helpdesk.WrongCodeError
		if _, err := f.v.CheckCode(ctx, "a", f.userID, wrong); !errors.As(err, &we) || !we.Known || we.Left != left {
			t.Fatalf("wrong code: %v, want %d left", err, left)
		}
	}
	if _, err := f.v.CheckCode(ctx, "a", f.userID, wrong); !errors.Is(err, helpdesk.ErrCodeOver) {
		t.Fatalf("last wrong code: %v", err)
	}
	if _, err := f.v.CheckCode(ctx, "a", f.userID, code); !errors.Is(err, helpdesk.ErrNoCodeSent) {
		t.Fatalf("right code after the end: %v", err)
	}
	for _, bad := range []string{"12ab56", "12a3456", "１２３４５６"} {
		if _, err := f.v.CheckCode(ctx, "a", f.userID, bad); !errors.Is(err, helpdesk.ErrBadCode) {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	if _, err := f.v.SendCode(ctx, "a", f.target(), helpdesk.KindEmail); err != nil {
		t.Fatal(err)
	}
	var tm *helpdesk.TooManyError
	if _, err := f.v.SendCode(ctx, "a", f.target(), helpdesk.KindEmail); !errors.As(err, &tm) || tm.RetryAfter <= 0 {
		t.Fatalf("the agent's third code within the hour: %v", err)
	}
	// Another agent still has codes for the user, up to the user's ceiling.
	if _, err := f.v.SendCode(ctx, "b", f.target(), helpdesk.KindSMS); err != nil {
		t.Fatalf("another agent's first code: %v", err)
	}
	if _, err := f.v.SendCode(ctx, "c", f.target(), helpdesk.KindEmail); !errors.As(err, &tm) {
		t.Fatalf("the user's fourth code within the hour: %v", err)
	}
	noMethods := helpdesk.Target{ID: f.userID}
	if _, err := f.v.SendCode(ctx, "a", noMethods, helpdesk.KindSMS); !errors.Is(err, helpdesk.ErrNoPhone) {
		t.Errorf("no phone: %v", err)
	}
	if _, err := f.v.SendCode(ctx, "a", noMethods, helpdesk.KindEmail); !errors.Is(err, helpdesk.ErrNoEmail) {
		t.Errorf("no email: %v", err)
	}
	if _, err := f.v.SendCode(ctx, "a", f.target(), "voice"); !errors.Is(err, helpdesk.ErrKind) {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestApprovals(t *testing.T) {
	f := newFixture(t, helpdesk.CallerOptions{ApprovalTTL: 30 * time.Minute})
	ctx := context.Background()
	hank, hilda, erin := audit.Person{ID: "hank", Username: "hank"}, audit.Person{ID: "hilda", Username: "hilda"},
		audit.Person{ID: f.userID, Username: "erin"}
	a, err := f.v.RequestApproval(ctx, hank, f.target(), "Erin Employee")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := f.v.RequestApproval(ctx, hank, f.target(), "Erin Employee"); again.ID != a.ID {
		t.Error("a second request replaced the open one")
	}
	for viewer, want := range map[string]int{"hank": 0, f.userID: 0, "hilda": 1} {
		if l, err := f.v.Approvals(ctx, viewer); err != nil || len(l) != want {
			t.Errorf("Approvals(%s) = %d %v, want %d", viewer, len(l), err, want)
		}
	}
	for _, tc := range []struct {
		who  audit.Person
		want error
	}{{hank, helpdesk.ErrOwnRequest}, {erin, helpdesk.ErrTargetApproves}} {
		if _, _, err := f.v.Approve(ctx, a.ID, tc.who); !errors.Is(err, tc.want) {
			t.Errorf("Approve by %s: %v, want %v", tc.who.ID, err, tc.want)
		}
	}
	_, ver, err := f.v.Approve(ctx, a.ID, hilda)
	if err != nil || ver.Agent != "hank" || audit.Person(ver.Approver) != hilda || ver.Kind != helpdesk.KindApproval {
		t.Fatalf("Approve: %+v %v", ver, err)
	}
	if _, _, err := f.v.Approve(ctx, a.ID, hilda); !errors.Is(err, helpdesk.ErrApprovalGone) {
		t.Errorf("second approval: %v", err)
	}
	if v, _ := f.v.HoldingCheck(ctx, "hilda", f.userID); v != nil {
		t.Error("the approver was verified")
	}
	if v, _ := f.v.HoldingCheck(ctx, "hank", f.userID); v == nil {
		t.Error("the requester was not verified")
	}
	// A request nobody answers times out.
	b, _ := f.v.RequestApproval(ctx, hilda, f.target(), "Erin Employee")
	f.clock.Advance(30 * time.Minute)
	if st, _, _ := f.v.ApprovalState(ctx, "hilda", f.userID); st != helpdesk.ApprovalTimedOut {
		t.Errorf("state after 30 minutes: %v", st)
	}
	if _, _, err := f.v.Approve(ctx, b.ID, hank); !errors.Is(err, helpdesk.ErrApprovalGone) {
		t.Errorf("late approval: %v", err)
	}
	if l, _ := f.v.Approvals(ctx, "hank"); len(l) != 0 {
		t.Errorf("timed-out request listed: %+v", l)
	}
}

func TestProtectionAndSignals(t *testing.T) {
	p := helpdesk.NewProtector([]string{"staff-g"}, []string{"vip-g"})
	for _, tc := range []struct {
		u    pingone.User
		want helpdesk.Protection
	}{
		{pingone.User{ID: "me", MemberOfGroupIDs: pingone.IDList{"staff-g"}}, helpdesk.ProtectedSelf},
		{pingone.User{ID: "colleague", MemberOfGroupIDs: pingone.IDList{"staff-g"}}, helpdesk.ProtectedStaff},
		{pingone.User{ID: "boss", MemberOfGroupIDs: pingone.IDList{"x", "vip-g"}}, helpdesk.ProtectedGroup},
		{pingone.User{ID: "erin", MemberOfGroupIDs: pingone.IDList{"x"}}, helpdesk.Changeable},
	} {
		if got := p.Check("me", &tc.u); got != tc.want {
			t.Errorf("Check(%s) = %q, want %q", tc.u.ID, got, tc.want)
		}
	}
	now := time.Now()
	for _, tc := range []struct {
		name string
		f    helpdesk.SignalFacts
		want []string
	}{
		{"none", helpdesk.SignalFacts{Country: "US", PhoneCountries: []string{"US"}, LastChange: now.Add(-25 * time.Hour)}, []string{}},
		{"recent", helpdesk.SignalFacts{LastChange: now.Add(-time.Hour)}, []string{"recent_change"}},
		{"country", helpdesk.SignalFacts{Country: "US", PhoneCountries: []string{"US", "GB"}}, []string{"country_mismatch"}},
		{"no directory country", helpdesk.SignalFacts{PhoneCountries: []string{"GB"}}, []string{}},
		{"groups", helpdesk.SignalFacts{Protection: helpdesk.ProtectedGroup}, []string{"protected_group"}},
		{"staff", helpdesk.SignalFacts{Protection: helpdesk.ProtectedStaff, LastChange: now}, []string{"staff_group", "recent_change"}},
	} {
		tc.f.Now = now
		got := helpdesk.Strings(helpdesk.Signals(tc.f))
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}

// TestTargetUsesTheConfiguredNewPhoneWait: Callers.Target decides the new-phone rule with
// CallerOptions.NewPhoneWait (HELPDESK_NEW_PHONE_WAIT), DefaultNewPhoneWait when not given.
func TestTargetUsesTheConfiguredNewPhoneWait(t *testing.T) {
	for _, tc := range []struct {
		name  string
		wait  time.Duration
		isNew bool
	}{{"default", 0, true}, {"two hours", 2 * time.Hour, false}, {"four hours", 4 * time.Hour, true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, helpdesk.CallerOptions{NewPhoneWait: tc.wait})
			added := f.clock.Now().Add(-3 * time.Hour)
			devs := mfa.List{{ID: "d1", Type: "SMS", Number: "+15125550101", Masked: "m", State: mfa.StateActive,
				Status: pingone.StatusActive, Created: added}}
			u := &pingone.User{ID: f.userID, Username: "erin"}
			tg, err := f.v.Target(context.Background(), u, devs, helpdesk.ProtectedStaff)
			if err != nil {
				t.Fatal(err)
			}
			if got := !tg.NewPhone.IsZero(); got != tc.isNew || tg.Protection != helpdesk.ProtectedStaff || tg.PhoneCountry != "" && tc.isNew {
				t.Errorf("wait %v: new phone %v (%+v), want %v", tc.wait, got, tg, tc.isNew)
			}
			if !tc.isNew && tg.PhoneCountry != "US" {
				t.Errorf("phone country %q", tg.PhoneCountry)
			}
		})
	}
	if helpdesk.DefaultNewPhoneWait != 24*time.Hour {
		t.Errorf("DefaultNewPhoneWait %v", helpdesk.DefaultNewPhoneWait)
	}
}
