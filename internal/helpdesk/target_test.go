package helpdesk_test

import (
	"slices"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// TestTargetAnswersThePagesQuestions: the target built from the user and their devices says
// which phones may take a caller's code (active SMS, default first, none while a phone is new),
// the signals and the directory country, and whether the user is protected.
func TestTargetAnswersThePagesQuestions(t *testing.T) {
	now := time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)
	old := now.Add(-30 * 24 * time.Hour)
	u := &pingone.User{ID: "u1", Username: "erin", Email: "erin@example.com", Address: &pingone.Address{CountryCode: "us"}}
	sms := func(id, number string, st mfa.State, changed time.Time) mfa.Device {
		status := pingone.StatusActive
		if st != mfa.StateActive {
			status = pingone.StatusActivationRequired
		}
		return mfa.Device{ID: id, Type: "SMS", Number: number, Masked: "masked " + id, State: st, Status: status, Created: changed}
	}
	facts := helpdesk.TargetFacts{NewPhoneWait: 24 * time.Hour, Now: now}

	devs := mfa.List{sms("d1", "+15125550101", mfa.StateActive, old), sms("d2", "+15125550102", mfa.StateOther, old),
		{ID: "e1", Type: "EMAIL", State: mfa.StateActive, Status: pingone.StatusActive, Created: old},
		sms("d3", "+15125550103", mfa.StateActive, old)}
	tg := helpdesk.NewTarget(u, devs, time.Time{}, facts)
	if !slices.Equal(tg.Phones, []string{"d1", "d3"}) || tg.Phone != "masked d1" || tg.PhoneCountry != "US" ||
		tg.Masked["d3"] != "masked d3" || !tg.NewPhone.IsZero() {
		t.Errorf("phones: %+v", tg)
	}
	if tg.Country != "US" || tg.Protected() || len(tg.Signals) != 0 || tg.ID != "u1" || tg.Email != "erin@example.com" {
		t.Errorf("target: %+v", tg)
	}

	// A phone added an hour ago: no phone takes a code, and the change is a signal.
	fresh := now.Add(-time.Hour)
	tg = helpdesk.NewTarget(u, append(devs, sms("d4", "+15125550104", mfa.StateActive, fresh)), time.Time{}, facts)
	if len(tg.Phones) != 0 || tg.Phone != "" || !tg.NewPhone.Equal(fresh) ||
		!slices.Equal(tg.Signals, []helpdesk.Signal{helpdesk.SignalRecentChange}) {
		t.Errorf("new phone: %+v", tg)
	}

	// A phone in another country, a change the portal noted, a protected user: every signal.
	f := facts
	f.Protection = helpdesk.ProtectedGroup
	tg = helpdesk.NewTarget(u, mfa.List{sms("d5", "+447400123456", mfa.StateActive, old)}, now.Add(-2*time.Hour), f)
	want := []helpdesk.Signal{helpdesk.SignalProtected, helpdesk.SignalRecentChange, helpdesk.SignalCountry}
	if !tg.Protected() || !slices.Equal(tg.Signals, want) || tg.PhoneCountry != "GB" {
		t.Errorf("signals: %+v, want %v", tg, want)
	}
}

func TestAbroadFrom(t *testing.T) {
	for _, tc := range []struct {
		home, country string
		want          bool
	}{{"US", "GB", true}, {"US", "US", false}, {"", "GB", false}, {"US", "", false}, {"", "", false}} {
		if got := helpdesk.AbroadFrom(tc.home, tc.country); got != tc.want {
			t.Errorf("AbroadFrom(%q, %q) = %v", tc.home, tc.country, got)
		}
	}
}

// TestMethodsChangedNoteLastsTheWindow: the store keeps the note of a change of methods
// (MarkChanged) at least as long as the recent-change signal looks back.
func TestMethodsChangedNoteLastsTheWindow(t *testing.T) {
	if store.MethodsChangedTTL < helpdesk.RecentWindow {
		t.Errorf("store.MethodsChangedTTL %v is shorter than helpdesk.RecentWindow %v", store.MethodsChangedTTL, helpdesk.RecentWindow)
	}
}

// TestChangesMethods: the actions that change how a person signs in (the recent-change signal,
// the notices) are one list here; reading, renaming and checking a caller change nothing.
func TestChangesMethods(t *testing.T) {
	for _, tc := range []struct {
		action string
		want   bool
	}{
		{audit.ActionAddPhone, true}, {audit.ActionActivate, true}, {audit.ActionRemove, true},
		{audit.ActionUnlock, true}, {audit.ActionSetDefault, true}, {audit.ActionSetMFA, true},
		{audit.ActionReplace, true}, {audit.ActionTemporaryAccess, true}, {audit.ActionEndTemporaryAccess, true},
		{audit.ActionResendCode, false}, {audit.ActionRename, false}, {audit.ActionVerifyCaller, false},
		{audit.ActionRequestApproval, false}, {audit.ActionApproveCaller, false}, {audit.ActionSearch, false}, {"", false},
	} {
		if got := helpdesk.ChangesMethods(tc.action); got != tc.want {
			t.Errorf("ChangesMethods(%q) = %v, want %v", tc.action, got, tc.want)
		}
	}
}

// TestStaffSettled: a staff member's MFA sign-in opens the help desk only when no active phone
// that may have proved it was added or changed within the wait before it; when one was, the
// newest such phone is the one named.
func TestStaffSettled(t *testing.T) {
	signIn := time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)
	wait := 24 * time.Hour
	dev := func(id string, created, updated time.Time, status string) mfa.Device {
		return mfa.Device{ID: id, Type: "SMS", Status: status, State: mfa.StateActive, Created: created, Updated: updated}
	}
	old := signIn.Add(-30 * 24 * time.Hour)
	for _, tc := range []struct {
		name   string
		devs   mfa.List
		ok     bool
		newest string
	}{
		{"no devices", nil, true, ""},
		{"old phones", mfa.List{dev("a", old, old, pingone.StatusActive), dev("b", old, time.Time{}, pingone.StatusActive)}, true, ""},
		{"added an hour before", mfa.List{dev("a", old, old, pingone.StatusActive), dev("b", signIn.Add(-time.Hour), time.Time{}, pingone.StatusActive)}, false, "b"},
		{"two new, the newest named", mfa.List{dev("a", signIn.Add(-5*time.Hour), time.Time{}, pingone.StatusActive),
			dev("b", signIn.Add(-2*time.Hour), time.Time{}, pingone.StatusActive), dev("c", signIn.Add(-3*time.Hour), time.Time{}, pingone.StatusActive)}, false, "b"},
		{"changed after the sign-in", mfa.List{dev("a", old, signIn.Add(time.Hour), pingone.StatusActive)}, false, "a"},
		{"added after the sign-in cannot have proved it", mfa.List{dev("a", signIn.Add(time.Hour), time.Time{}, pingone.StatusActive)}, true, ""},
		{"just past the wait", mfa.List{dev("a", signIn.Add(-wait-time.Minute), time.Time{}, pingone.StatusActive)}, true, ""},
		{"not active", mfa.List{dev("a", signIn.Add(-time.Hour), time.Time{}, pingone.StatusActivationRequired)}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := helpdesk.StaffSettled(tc.devs, signIn, wait)
			if ok != tc.ok || d.ID != tc.newest {
				t.Errorf("StaffSettled = %q %v, want %q %v", d.ID, ok, tc.newest, tc.ok)
			}
		})
	}
}

// TestAbroadNumber: the warning when staff add a number is the country rule on the number's
// country; the country comes back for the words.
func TestAbroadNumber(t *testing.T) {
	for _, tc := range []struct {
		home, number, country string
		abroad                bool
	}{
		{"US", "+447400123456", "GB", true},
		// A landline on record (added in PingOne's console) has its country too: the signals
		// and the warning read a number's country one way, whatever the phone policy allows.
		{"US", "+442071838750", "GB", true},
		{"US", "+15125550101", "US", false},
		{"", "+447400123456", "GB", false},
		{"GB", "not a number", "", false},
		{"GB", "", "", false},
	} {
		country, abroad := helpdesk.AbroadNumber(tc.home, tc.number)
		if country != tc.country || abroad != tc.abroad {
			t.Errorf("AbroadNumber(%q, %q) = %q %v, want %q %v", tc.home, tc.number, country, abroad, tc.country, tc.abroad)
		}
	}
}
