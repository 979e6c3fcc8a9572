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
// is required is the help desk's rule (HELPDESK_REASON_REQUIRED, helpdesk.NeedsReason).
func (f Reason) Problem(required bool) error {
	if required && f.Text == "" {
		return ErrNoReason
	}
	return nil
}
