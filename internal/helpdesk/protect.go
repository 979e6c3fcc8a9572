package helpdesk

// Whom the help desk may change (issue #11): not the staff member's own account (their phone
// goes through self-service and its step-up), not other staff, and not members of the
// protected groups. And the signals shown beside the caller check (issue #16).

import (
	"slices"
	"time"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/pingone"
)

// Protection is why the help desk may not change a user ("" when it may).
type Protection string

// The reasons a user cannot be changed from the help desk.
const (
	Changeable Protection = ""
	// ProtectedSelf is the staff member's own account.
	ProtectedSelf Protection = "self"
	// ProtectedStaff is a member of a help-desk group.
	ProtectedStaff Protection = "staff"
	// ProtectedGroup is a member of a HELPDESK_PROTECTED_GROUP_IDS group.
	ProtectedGroup Protection = "protected_group"
)

// Protector decides whom the help desk may change.
type Protector struct{ staff, protected []string }

// NewProtector returns a Protector for the help-desk groups and the protected groups.
func NewProtector(staffGroups, protectedGroups []string) *Protector {
	return &Protector{staff: slices.Clone(staffGroups), protected: slices.Clone(protectedGroups)}
}

// Check says whether agent may change u, which must have been read with its groups.
func (p *Protector) Check(agent string, u *pingone.User) Protection {
	switch {
	case u.ID == agent:
		return ProtectedSelf
	case len(p.staff) > 0 && u.InGroup(p.staff...):
		return ProtectedStaff
	case len(p.protected) > 0 && u.InGroup(p.protected...):
		return ProtectedGroup
	}
	return Changeable
}

// Signal is a warning shown to the agent beside the caller check, and recorded.
type Signal string

// The signals.
const (
	// SignalStaff: the user is in a help-desk group.
	SignalStaff Signal = "staff_group"
	// SignalProtected: the user is in a protected group.
	SignalProtected Signal = "protected_group"
	// SignalRecentChange: the user's methods changed in the last RecentWindow.
	SignalRecentChange Signal = "recent_change"
	// SignalCountry: a phone's country differs from the user's country in the directory.
	SignalCountry Signal = "country_mismatch"
)

// RecentWindow is how far back a change to a user's methods is a signal.
const RecentWindow = 24 * time.Hour

// SignalFacts are what the signals are decided from.
type SignalFacts struct {
	Protection Protection
	// LastChange is the newest change to the user's methods known (the portal's own record,
	// or a device's creation or update in PingOne); zero when none is known.
	LastChange time.Time
	// Country is the user's country in the directory; PhoneCountries are the countries of the
	// phones in question (the user's phones, or a number being added).
	Country        string
	PhoneCountries []string
	Now            time.Time
}

// Signals decides the signals, in a fixed order.
func Signals(f SignalFacts) []Signal {
	var out []Signal
	switch f.Protection {
	case ProtectedStaff:
		out = append(out, SignalStaff)
	case ProtectedGroup:
		out = append(out, SignalProtected)
	}
	if !f.LastChange.IsZero() && f.Now.Sub(f.LastChange) < RecentWindow {
		out = append(out, SignalRecentChange)
	}
	if slices.ContainsFunc(f.PhoneCountries, func(c string) bool { return AbroadFrom(f.Country, c) }) {
		out = append(out, SignalCountry)
	}
	return out
}

// AbroadFrom is the country rule: a phone in country is abroad from a user whose directory
// country is home when both are known and differ. It decides SignalCountry, and the warning
// when staff add a number.
func AbroadFrom(home, country string) bool { return home != "" && country != "" && home != country }

// changesMethods are the audited actions that change how a person signs in.
var changesMethods = []string{audit.ActionAddPhone, audit.ActionActivate, audit.ActionRemove, audit.ActionUnlock,
	audit.ActionSetDefault, audit.ActionSetMFA, audit.ActionReplace, audit.ActionTemporaryAccess,
	audit.ActionEndTemporaryAccess}

// ChangesMethods reports whether an audited action (audit.Action*), done, changes how the
// person signs in: the recent-change signal counts it (Callers.MarkChanged), and the person is
// told of it.
func ChangesMethods(action string) bool { return slices.Contains(changesMethods, action) }

// Strings returns the signals as the strings audit records carry.
func Strings(s []Signal) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}
