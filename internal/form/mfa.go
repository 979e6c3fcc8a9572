package form

import (
	"net/http"

	"github.com/smsmfa/portal/internal/helpdesk"
)

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

// Problem is ErrNoReason when the change needs a reason and has none (helpdesk.NeedsReason:
// every change when requiredForAll, HELPDESK_REASON_REQUIRED, and always turning MFA off), or
// nil.
func (f MFASwitch) Problem(requiredForAll bool) error {
	return f.Reason.Problem(helpdesk.NeedsReason(requiredForAll, !f.On))
}
