package helpdesk

// Who the target of a help-desk page is (issues #11, #16, #21): the user a caller claims to be,
// built once from the PingOne user and their devices, answering what the pages ask: may the
// help desk change them, which phones may take a caller's code, which warnings to show.

import (
	"context"
	"time"

	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/pingone"
)

// Target is the user a caller claims to be, as the help desk reads them.
type Target struct {
	ID, Username, Email string
	// Country is the user's country in the directory, "" when it holds none.
	Country string
	// Protection is why the help desk may not change the user (Changeable when it may).
	Protection Protection
	// Phones are the IDs of the user's active SMS devices a caller's code may go to, default
	// first: none while NewPhone is set.
	Phones []string
	// Masked are those phones masked as every staff page shows them (phone.Shown), by ID.
	Masked map[string]string
	// Phone is the first of Phones, masked, and PhoneCountry its country; "" when none.
	Phone, PhoneCountry string
	// NewPhone is when the newest active device was added or changed, if that was within
	// HELPDESK_NEW_PHONE_WAIT: the first change someone taking over an account makes (issue
	// #21), so no caller's code goes to a phone then. Zero otherwise.
	NewPhone time.Time
	// Signals are the warnings shown beside the caller check, kept with what follows.
	Signals []Signal
}

// Protected reports whether the help desk may not change the user.
func (t Target) Protected() bool { return t.Protection != Changeable }

// TargetFacts are what a Target is decided from besides the user and their devices.
type TargetFacts struct {
	// Protection is Protector.Check's answer for the agent and the user.
	Protection Protection
	// NewPhoneWait is HELPDESK_NEW_PHONE_WAIT.
	NewPhoneWait time.Duration
	Now          time.Time
}

// Target builds the target from the user (read with their groups), their devices and
// Protector.Check's answer for the agent and the user, with the portal's own note of the
// user's last change of methods (MarkChanged) and the configured HELPDESK_NEW_PHONE_WAIT.
func (cs *Callers) Target(ctx context.Context, u *pingone.User, devs mfa.List, p Protection) (Target, error) {
	last, err := cs.LastChange(ctx, u.ID)
	if err != nil {
		return Target{}, err
	}
	return NewTarget(u, devs, last, TargetFacts{Protection: p, NewPhoneWait: cs.o.NewPhoneWait, Now: cs.o.Now()}), nil
}

// NewTarget builds the target from the user, their devices, the portal's last noted change of
// their methods (zero when none) and the facts.
func NewTarget(u *pingone.User, devs mfa.List, lastChange time.Time, f TargetFacts) Target {
	t := Target{ID: u.ID, Username: u.Username, Email: u.Email, Country: u.Country(), Protection: f.Protection,
		Masked: map[string]string{}}
	t.Signals = Signals(signalFacts(t, devs, lastChange, f))
	// PingOne texts the default phone, or whichever the policy lets it pick: while any active
	// device is that new, no code goes to a phone.
	if d, ok := newest(devs.ActiveChangedSince(f.Now.Add(-f.NewPhoneWait))); ok {
		t.NewPhone = d.Changed()
		return t
	}
	for _, d := range devs {
		if d.IsSMS() && d.State == mfa.StateActive {
			t.Phones = append(t.Phones, d.ID)
			t.Masked[d.ID] = d.Masked
			if t.Phone == "" {
				t.Phone, t.PhoneCountry = d.Masked, phone.RegionOf(d.Number)
			}
		}
	}
	return t
}

// signalFacts gathers what the signals are decided from: the user's groups, a change to their
// methods in the last RecentWindow (noted by the portal, or a device made or changed in
// PingOne), and the countries of their phones.
func signalFacts(t Target, devs mfa.List, last time.Time, f TargetFacts) SignalFacts {
	sf := SignalFacts{Protection: t.Protection, Country: t.Country, Now: f.Now}
	if d, ok := newest(devs); ok && d.Changed().After(last) {
		last = d.Changed()
	}
	for _, d := range devs {
		if d.IsSMS() {
			sf.PhoneCountries = append(sf.PhoneCountries, phone.RegionOf(d.Number))
		}
	}
	sf.LastChange = last
	return sf
}

// newest is the device of devs added or changed last (Device.Changed); false when devs is
// empty.
func newest(devs mfa.List) (mfa.Device, bool) {
	if len(devs) == 0 {
		return mfa.Device{}, false
	}
	n := devs[0]
	for _, d := range devs[1:] {
		if d.Changed().After(n.Changed()) {
			n = d
		}
	}
	return n, true
}

// StaffSettled is the new-phone rule for staff (issue #21): a staff member's MFA sign-in at
// authTime opens the help desk, and lets them approve a colleague's caller, only when none of
// their active phones that may have proved it was added or changed within wait before it
// (mfa.List.NewAtSignIn). PingOne texts the default phone, or lets the person pick one, so any
// new phone may be the one a password thief registered. When it does not, newestPhone is the
// newest such phone.
func StaffSettled(devs mfa.List, authTime time.Time, wait time.Duration) (newestPhone mfa.Device, ok bool) {
	d, found := newest(devs.NewAtSignIn(authTime, wait))
	return d, !found
}

// AbroadNumber is the country rule when staff add a number for a user whose directory country
// is home: the number's country (phone.RegionOf), when it is abroad from home (AbroadFrom);
// false otherwise.
func AbroadNumber(home, number string) (country string, abroad bool) {
	country = phone.RegionOf(number)
	return country, AbroadFrom(home, country)
}
