package mfa

import (
	"errors"
	"testing"
	"time"
)

func TestListRules(t *testing.T) {
	active := func(id string) Device {
		return Device{ID: id, State: StateActive, Masked: "+1 •••-•••-" + id}
	}
	waiting := func(id string) Device { return Device{ID: id, State: StateWaiting} }
	for _, tc := range []struct {
		name              string
		l                 List
		hasActive, canAdd bool
		lastActive        map[string]bool
	}{
		{"none", nil, false, true, map[string]bool{"a": false}},
		{"one active", List{active("a"), waiting("b")}, true, true, map[string]bool{"a": true, "b": false}},
		{"two active", List{active("a"), active("b")}, true, true, map[string]bool{"a": false, "b": false}},
		{"at the cap", List{active("a"), waiting("b"), waiting("c"), waiting("d"), waiting("e")}, true, false, map[string]bool{"a": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.l.HasActive(); got != tc.hasActive {
				t.Errorf("HasActive = %v", got)
			}
			if got := tc.l.CanAdd(); got != tc.canAdd {
				t.Errorf("CanAdd = %v", got)
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
	withPhone := List{{ID: "a", State: StateActive, Masked: "+1 •••-•••-1234"}}
	for _, tc := range []struct {
		name string
		l    List
		p    Proof
		want string // the masked number asked for, or "" for no step-up
	}{
		{"first phone", List{{ID: "w", State: StateWaiting}}, Proof{}, ""},
		{"no proof", withPhone, Proof{ACR: "Single_Factor", AuthTime: now}, "+1 •••-•••-1234"},
		{"recent MFA sign-in", withPhone, Proof{ACR: "Multi_Factor", AuthTime: now.Add(-9 * time.Minute)}, ""},
		{"old MFA sign-in", withPhone, Proof{ACR: "Multi_Factor", AuthTime: now.Add(-11 * time.Minute)}, "+1 •••-•••-1234"},
		{"code typed recently", withPhone, Proof{CodeTyped: now.Add(-time.Minute)}, ""},
		{"code typed long ago", withPhone, Proof{CodeTyped: now.Add(-time.Hour)}, "+1 •••-•••-1234"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.StepUpFor(tc.l, tc.p)
			var se *StepUpError
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("step-up asked: %v", err)
			case tc.want != "" && (!errors.As(err, &se) || !errors.Is(err, ErrStepUp) || se.Masked != tc.want):
				t.Fatalf("got %v, want a step-up to %s", err, tc.want)
			}
		})
	}
	if !s.StepUpAccepted("Multi_Factor", now.Add(-10*time.Minute)) || s.StepUpAccepted("Single_Factor", now) ||
		s.StepUpAccepted("Multi_Factor", now.Add(-12*time.Minute)) {
		t.Error("StepUpAccepted must want the policy's ACR within the step-up age")
	}
}
