package form

// The help desk's caller-check forms (issue #16): the choice of way to check the caller, the
// code the caller reads back, and a colleague's answer to an approval request. Each reads its
// fields from the posted form, trims them and makes the first checks; the rules (which way is
// possible for this user, whether the code is right) are internal/helpdesk's.

import (
	"errors"
	"strings"

	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/mfa"
)

// callerFields is where a form's fields are read from: an echo.Context or an *http.Request.
type callerFields interface{ FormValue(name string) string }

// The caller-check forms' refusals.
var (
	// ErrCallerWay is a way to check the caller that does not exist (or none chosen).
	ErrCallerWay = errors.New("form: choose a way to check the caller")
	// ErrCallerCode is a caller's code that is not 6 to 10 digits (mfa.CleanCode's rule).
	ErrCallerCode = errors.New("form: a caller's code is 6 to 10 digits")
	// ErrApprovalID is an approval request ID that is no UUID.
	ErrApprovalID = errors.New("form: no such approval request")
)

// maxCallerCode bounds what is read of a typed code: digits grouped with spaces or hyphens never
// need more.
const maxCallerCode = 32

// CallerWay is the caller-check page's choice (field "method"): a code to the user's phone
// (helpdesk.KindSMS), to their email (helpdesk.KindEmail), or a colleague's approval
// (helpdesk.KindApproval), which is the approval request.
type CallerWay struct{ Way string }

// NewCallerWay reads the choice, trimmed.
func NewCallerWay(v callerFields) CallerWay {
	return CallerWay{Way: strings.TrimSpace(v.FormValue("method"))}
}

// Validate refuses a way that does not exist with ErrCallerWay.
func (f CallerWay) Validate() error {
	switch f.Way {
	case helpdesk.KindSMS, helpdesk.KindEmail, helpdesk.KindApproval:
		return nil
	}
	return ErrCallerWay
}

// Approval reports whether the choice is to ask a colleague's approval.
func (f CallerWay) Approval() bool { return f.Way == helpdesk.KindApproval }

// CallerCode is the code the caller reads back (field "code").
type CallerCode struct{ Code string }

// NewCallerCode reads the code, trimmed.
func NewCallerCode(v callerFields) CallerCode {
	return CallerCode{Code: strings.TrimSpace(v.FormValue("code"))}
}

// Validate cleans the code with the one rule for a typed code (mfa.CleanCode: the spaces and
// hyphens people group digits with are dropped, anything else refuses it) and refuses one that
// is longer than any grouped code or not 6 to 10 digits with ErrCallerCode.
func (f *CallerCode) Validate() error {
	if len(f.Code) > maxCallerCode {
		return ErrCallerCode
	}
	code, ok := mfa.CleanCode(f.Code)
	if !ok {
		return ErrCallerCode
	}
	f.Code = code
	return nil
}

// ApprovalAnswer is a colleague's approval of request ID (the path's :aid).
type ApprovalAnswer struct{ ID string }

// NewApprovalAnswer reads the request's ID, trimmed.
func NewApprovalAnswer(id string) ApprovalAnswer { return ApprovalAnswer{ID: strings.TrimSpace(id)} }

// Validate refuses an ID that is no UUID with ErrApprovalID.
func (f ApprovalAnswer) Validate() error {
	if !ids.IsUUID(f.ID) {
		return ErrApprovalID
	}
	return nil
}
