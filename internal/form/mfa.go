package form

import "net/http"

// MFASwitch is the help desk's form, and the link to its question, that turns a user's MFA
// on or off, with the reason.
type MFASwitch struct {
	// On is whether MFA is to be turned on ("enabled" is "true"); anything else turns it off.
	On     bool
	Reason Reason
}

// NewMFASwitch reads the MFA switch of r: the form, or the question's link (?enabled=).
func NewMFASwitch(r *http.Request) MFASwitch {
	return MFASwitch{On: r.FormValue("enabled") == "true", Reason: NewReason(r)}
}

// ReasonRequired reports whether the switch needs a reason under the rule: every change when
// the operator requires one (HELPDESK_REASON_REQUIRED), and always turning MFA off. The
// question's page and Problem both ask it.
func (f MFASwitch) ReasonRequired(rule ReasonRule) bool { return rule.Required(false, !f.On) }

// Problem is ErrNoReason when the change needs a reason (ReasonRequired) and has none, or nil.
func (f MFASwitch) Problem(rule ReasonRule) error {
	return f.Reason.Problem(f.ReasonRequired(rule))
}
