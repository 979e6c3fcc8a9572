package mfa

import (
	"errors"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
)

func active(id string) Device {
	return Device{ID: id, State: StateActive, Status: pingone.StatusActive, Masked: "+1 •••-•••-" + id}
}

func waiting(id string) Device {
	return Device{ID: id, State: StateWaiting, Status: pingone.StatusActivationRequired}
}

func lockedDev(id string, until time.Time) Device {
	d := active(id)
	d.State, d.Locked, d.LockedUntil = StateLocked, true, until
	return d
}

func blockedDev(id string) Device {
	d := active(id)
	d.State, d.Blocked = StateBlocked, true
	return d
}

func TestListRules(t *testing.T) {
	for _, tc := range []struct {
		name              string
		l                 List
		max               int
		hasActive, canAdd bool
		lastActive        map[string]bool
	}{
		{"none", nil, 5, false, true, map[string]bool{"a": false}},
		{"one active", List{active("a"), waiting("b")}, 5, true, true, map[string]bool{"a": true, "b": false}},
		{"two active", List{active("a"), active("b")}, 5, true, true, map[string]bool{"a": false, "b": false}},
		// PingOne counts only active and blocked devices toward maxAllowedDevices.
		{"waiting phones do not count", List{active("a"), waiting("b"), waiting("c"), waiting("d"), waiting("e")}, 2, true, true, map[string]bool{"a": true}},
		{"at a cap of 2", List{active("a"), blockedDev("b"), waiting("c")}, 2, true, false, map[string]bool{"a": true}},
		{"locked counts as active", List{lockedDev("a", time.Time{}), active("b")}, 2, true, false, map[string]bool{"b": true}},
		// A locked or blocked phone is still active in PingOne: it is the person's second factor.
		{"only a locked phone", List{lockedDev("a", time.Time{})}, 5, true, true, map[string]bool{"a": false}},
		{"only a blocked phone", List{blockedDev("a")}, 5, true, true, map[string]bool{"a": false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.l.HasActive(); got != tc.hasActive {
				t.Errorf("HasActive = %v", got)
			}
			if got := tc.l.CanAdd(tc.max); got != tc.canAdd {
				t.Errorf("CanAdd(%d) = %v (counted %d)", tc.max, got, tc.l.Counted())
			}
			for id, want := range tc.lastActive {
				if got := tc.l.IsLastActive(id); got != want {
					t.Errorf("IsLastActive(%s) = %v", id, got)
				}
			}
		})
	}
	if _, err := (List{active("a")}).Find("b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find of a missing device: %v", err)
	}
}

func TestStepUpDecision(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := &Service{now: func() time.Time { return now }, stepUp: StepUp{ACR: "Multi_Factor", MaxAge: 10 * time.Minute}}
	withPhone := List{active("1234")}
	const asked = "+1 •••-•••-1234"
	mfaNow := Proof{ACR: "Multi_Factor", AuthTime: now.Add(-time.Minute), AMR: []string{"pwd", "otp"}}
	for _, tc := range []struct {
		name string
		l    List
		p    Proof
		want string // the masked number asked for, "" for no step-up, "help desk" for none possible
	}{
		{"first phone", List{waiting("w")}, Proof{}, ""},
		{"no proof", withPhone, Proof{ACR: "Single_Factor", AuthTime: now}, asked},
		{"recent MFA sign-in", withPhone, Proof{ACR: "Multi_Factor", AuthTime: now.Add(-9 * time.Minute)}, ""},
		{"recent MFA sign-in with amr", withPhone, mfaNow, ""},
		{"the policy let a password through", withPhone, Proof{ACR: "Multi_Factor", AuthTime: now, AMR: []string{"pwd"}}, asked},
		{"no auth_time", withPhone, Proof{ACR: "Multi_Factor"}, asked},
		{"old MFA sign-in", withPhone, Proof{ACR: "Multi_Factor", AuthTime: now.Add(-11 * time.Minute)}, asked},
		{"code typed recently", withPhone, Proof{CodeTyped: now.Add(-time.Minute)}, ""},
		{"code typed long ago", withPhone, Proof{CodeTyped: now.Add(-time.Hour)}, asked},
		// The active phone decides, whatever its lock: locking the victim's phone is no way round.
		{"a usable phone beside a locked one", List{lockedDev("9999", now.Add(time.Hour)), active("1234")}, Proof{}, asked},
		{"only a locked phone", List{lockedDev("1234", now.Add(20*time.Minute))}, Proof{}, "help desk"},
		{"only a blocked phone", List{blockedDev("1234")}, Proof{}, "help desk"},
		{"only a locked phone, but proven", List{lockedDev("1234", time.Time{})}, mfaNow, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.StepUpFor(tc.l, tc.p)
			var se *StepUpError
			var nu *NoUsablePhoneError
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("step-up asked: %v", err)
			case tc.want == "help desk" && !errors.As(err, &nu):
				t.Fatalf("got %v, want the help desk (no phone can get the code)", err)
			case tc.want != "" && tc.want != "help desk" && (!errors.As(err, &se) || !errors.Is(err, ErrStepUp) || se.Masked != tc.want):
				t.Fatalf("got %v, want a step-up to %s", err, tc.want)
			}
		})
	}
	if err := s.StepUpFor(List{lockedDev("1234", now.Add(20*time.Minute))}, Proof{}); !errors.Is(err, ErrNoUsablePhone) {
		t.Fatal(err)
	} else if nu := err.(*NoUsablePhoneError); nu.Blocked || nu.Wait != 20*time.Minute {
		t.Errorf("locked phone: %+v, want a 20-minute wait", nu)
	}
}

func TestCheckStepUp(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := &Service{now: func() time.Time { return now }, stepUp: StepUp{ACR: "Multi_Factor", MaxAge: 10 * time.Minute}}
	for _, tc := range []struct {
		name     string
		acr      string
		authTime time.Time
		amr      []string
		ok       bool
	}{
		{"the policy, just now", "Multi_Factor", now, nil, true},
		{"with a texted code", "Multi_Factor", now, []string{"pwd", "otp", "mfa"}, true},
		{"within the age and a minute for clocks", "Multi_Factor", now.Add(-10 * time.Minute), nil, true},
		{"past the age, within the minute for clocks", "Multi_Factor", now.Add(-10*time.Minute - 30*time.Second), nil, true},
		{"past the age and the minute", "Multi_Factor", now.Add(-11*time.Minute - 30*time.Second), nil, false},
		{"another policy", "Single_Factor", now, nil, false},
		{"too old", "Multi_Factor", now.Add(-12 * time.Minute), nil, false},
		{"no auth_time", "Multi_Factor", time.Time{}, []string{"pwd", "otp"}, false},
		{"password alone", "Multi_Factor", now, []string{"pwd"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.CheckStepUp(tc.acr, tc.authTime, tc.amr); (err == nil) != tc.ok {
				t.Errorf("CheckStepUp = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
