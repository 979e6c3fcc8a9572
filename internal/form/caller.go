package form

// The help desk's caller-check forms (issue #16): the choice of way to check the caller (a
// colleague's approval among them: the approval request), the code the caller reads back, and
// a colleague's answer to an approval request. Each reads its fields, trims them and says its
// first problem as internal/helpdesk's error, so the handler answers it as it answers the rule's
// refusal; which way is possible for this user, and whether a code is right, is the rule's.

import (
	"net/http"
	"strings"

	"github.com/smsmfa/portal/internal/helpdesk"
)

// CallerWay is the caller-check page's choice (field "method"): a code to the user's phone
// (helpdesk.KindSMS), to their email (helpdesk.KindEmail), or a colleague's approval
// (helpdesk.KindApproval), which is the approval request.
type CallerWay struct{ Way string }

// NewCallerWay reads the choice of r, trimmed.
func NewCallerWay(r *http.Request) CallerWay {
	return CallerWay{Way: strings.TrimSpace(r.FormValue("method"))}
}

// Problem is helpdesk.ErrKind for a way that does not exist (or none chosen), or nil.
func (f CallerWay) Problem() error {
	switch f.Way {
	case helpdesk.KindSMS, helpdesk.KindEmail, helpdesk.KindApproval:
		return nil
	}
	return helpdesk.ErrKind
}

// Approval reports whether the choice is to ask a colleague's approval.
func (f CallerWay) Approval() bool { return f.Way == helpdesk.KindApproval }

// CallerCode is the code the caller reads back to the agent (field "code"): read and bounded
// as every typed code is (Code).
type CallerCode struct{ Code string }

// NewCallerCode reads the caller's code of r, trimmed.
func NewCallerCode(r *http.Request) CallerCode { return CallerCode{Code: NewCode(r).Code} }

// Problem is helpdesk.ErrBadCode for a code the one rule for a typed code refuses
// (mfa.CleanCode, through Code's Problem), or nil.
func (f CallerCode) Problem() error {
	if (Code{Code: f.Code}).Problem() != nil {
		return helpdesk.ErrBadCode
	}
	return nil
}
