package form

import (
	"errors"
	"net/http"

	"github.com/smsmfa/portal/internal/helpdesk"
)

// ErrNoReason is a help-desk change without the reason or ticket it must carry.
var ErrNoReason = errors.New("form: a reason or ticket is required")

// Reason is the reason or ticket reference every help-desk change carries (the field of
// every help-desk form).
type Reason struct {
	// Text is the reason cleaned by helpdesk.CleanReason: folded, numbers and codes masked, at
	// most helpdesk.MaxReason characters. It is what audit records and pages hold.
	Text string
}

// NewReason reads the reason of r.
func NewReason(r *http.Request) Reason {
	return Reason{Text: helpdesk.CleanReason(r.FormValue("reason"))}
}

// Problem is ErrNoReason when a reason is required and none was given, or nil. Whether one
// is required is ReasonRule's answer.
func (f Reason) Problem(required bool) error {
	if required && f.Text == "" {
		return ErrNoReason
	}
	return nil
}

// ReasonRule says when a change must carry a reason or ticket (Reason): one answer for the
// page that shows the field as mandatory and for the check that refuses a change without one.
type ReasonRule struct {
	// ForAll is HELPDESK_REASON_REQUIRED: every help-desk change needs one.
	ForAll bool
}

// Required reports whether a change needs a reason: never one a person makes to their own
// phones (self: their pages have no reason field); for the help desk, as helpdesk.NeedsReason
// says: every change when ForAll, and always turning a user's MFA off (turnsMFAOff).
func (r ReasonRule) Required(self, turnsMFAOff bool) bool {
	return !self && helpdesk.NeedsReason(r.ForAll, turnsMFAOff)
}
