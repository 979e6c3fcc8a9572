package mfa

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestActiveChangedSince (issue #21): a device counts as new when PingOne added or changed it
// (createdAt or updatedAt, which activation moves) after the moment; only active devices count,
// whatever their lock or block.
func TestActiveChangedSince(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	since := now.Add(-24 * time.Hour)
	at := func(d Device, created, updated time.Duration) Device {
		d.Created, d.Updated = now.Add(-created), now.Add(-updated)
		return d
	}
	for _, tc := range []struct {
		name string
		d    Device
		new  bool
	}{
		{"old", at(active("a"), 48*time.Hour, 48*time.Hour), false},
		{"added an hour ago", at(active("a"), time.Hour, time.Hour), true},
		{"added long ago, activated an hour ago", at(active("a"), 72*time.Hour, time.Hour), true},
		{"new but waiting for its code", at(waiting("a"), time.Hour, time.Hour), false},
		{"new and locked", at(lockedDev("a", now.Add(time.Hour)), time.Hour, time.Hour), true},
		{"new and blocked", at(blockedDev("a"), time.Hour, time.Hour), true},
		{"just past the wait", at(active("a"), 24*time.Hour+time.Second, 24*time.Hour+time.Second), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(List{tc.d}.ActiveChangedSince(since)) == 1; got != tc.new {
				t.Errorf("new = %v, want %v", got, tc.new)
			}
		})
	}
}

// TestNewAtSignIn (issue #21): the devices that may have proved a sign-in and were new then;
// one added after the sign-in cannot have proved it, and the sign-in is judged, not the moment
// of asking.
func TestNewAtSignIn(t *testing.T) {
	signIn := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	at := func(d Device, created, updated time.Duration) Device {
		d.Created, d.Updated = signIn.Add(created), signIn.Add(updated)
		return d
	}
	for _, tc := range []struct {
		name string
		d    Device
		new  bool
	}{
		{"added two days before", at(active("a"), -48*time.Hour, -48*time.Hour), false},
		{"added 23 hours before", at(active("a"), -23*time.Hour, -23*time.Hour), true},
		{"activated an hour before", at(active("a"), -72*time.Hour, -time.Hour), true},
		{"old, renamed after the sign-in", at(active("a"), -72*time.Hour, time.Hour), true},
		{"added after the sign-in", at(active("a"), time.Hour, time.Hour), false},
		{"added in the same minute", at(active("a"), 30*time.Second, 30*time.Second), true},
		{"waiting for its code", at(waiting("a"), -time.Hour, -time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(List{tc.d}.NewAtSignIn(signIn, 24*time.Hour)) == 1; got != tc.new {
				t.Errorf("new = %v, want %v", got, tc.new)
			}
		})
	}
}

// TestFirstPhoneRule (issue #21): with no active phone, staff and protected people are sent to
// an administrator, and FIRST_PHONE_PROOF=email wants a recent mailbox proof; a person with an
// active phone is the step-up's.
func TestFirstPhoneRule(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	privileged := func(_ context.Context, id string) (bool, error) { return id == "staff", nil }
	for _, tc := range []struct {
		name, user, proof string
		l                 List
		mailbox           time.Duration // how long ago; 0: never
		want              error
	}{
		{"employee, nothing asked", "erin", "none", nil, 0, nil},
		{"staff without a phone", "staff", "none", List{waiting("w")}, 0, ErrFirstPhoneElsewhere},
		{"staff with an active phone", "staff", "email", List{active("a")}, 0, nil},
		{"mailbox not proved", "erin", FirstPhoneEmail, nil, 0, ErrMailboxProof},
		{"mailbox proved a minute ago", "erin", FirstPhoneEmail, nil, time.Minute, nil},
		{"mailbox proved too long ago", "erin", FirstPhoneEmail, nil, 11 * time.Minute, ErrMailboxProof},
		{"staff before the mailbox", "staff", FirstPhoneEmail, nil, time.Minute, ErrFirstPhoneElsewhere},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(nil, nil, Options{Now: func() time.Time { return now }, Privileged: privileged, FirstPhoneProof: tc.proof})
			p := Proof{}
			if tc.mailbox > 0 {
				p.MailboxProved = now.Add(-tc.mailbox)
			}
			if err := s.FirstPhone(context.Background(), tc.user, tc.l, p); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("FirstPhone = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestCleanCode (issue #21): one rule for every typed code: spaces and hyphens go, anything
// else that is not a digit refuses it, and it is 6 to 10 digits.
func TestCleanCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"123456", "123456", true},
		{" 123 456 ", "123456", true},
		{"123-456", "123456", true},
		{"1234\u00a05678", "12345678", true},
		{"12a3456", "", false},
		{"123456x", "", false},
		{"１２３４５６", "", false},
		{"12345", "12345", false},
		{"12345678901", "", false},
		{"", "", false},
	} {
		got, ok := CleanCode(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("CleanCode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestActivatesFirstPhone: activating a device gives a first phone when no other is active,
// whatever the lock or block of the others.
func TestActivatesFirstPhone(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    List
		want bool
	}{
		{"alone", List{waiting("w")}, true},
		{"beside another waiting", List{waiting("w"), waiting("x")}, true},
		{"beside an active one", List{waiting("w"), active("a")}, false},
		{"beside a locked one", List{waiting("w"), lockedDev("a", time.Time{})}, false},
		{"beside a blocked one", List{waiting("w"), blockedDev("a")}, false},
	} {
		if got := tc.l.ActivatesFirstPhone("w"); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
