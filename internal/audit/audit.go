// Package audit writes one structured record per change to a person's MFA devices: who did
// it, to whom, what, which device, the masked numbers, the reason, the outcome, the request.
package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/smsmfa/portal/internal/logging"
)

// Actions recorded.
const (
	ActionAddPhone   = "add_phone"
	ActionActivate   = "activate_phone"
	ActionResendCode = "resend_code"
	ActionRemove     = "remove_device"
	ActionUnlock     = "unlock_device"
	ActionSetDefault = "set_default_device"
	ActionSetMFA     = "set_mfa_enabled"
	ActionRename     = "rename_device"
	// ActionVerifyCaller is the help desk sending a code to a caller or checking it;
	// ActionRequestApproval and ActionApproveCaller are the colleague's approval instead.
	ActionVerifyCaller    = "verify_caller"
	ActionRequestApproval = "request_approval"
	ActionApproveCaller   = "approve_caller"
	// ActionSearch is a help-desk search of the directory: the record holds how many users it
	// found (Results), never the term.
	ActionSearch   = "search_users"
	OutcomeSuccess = "success"
	OutcomeRefused = "refused"
	OutcomeFailed  = "failed"
)

// Actions of the help desk's temporary access and of a phone replaced in one step (issue #23).
const (
	ActionTemporaryAccess    = "temporary_access"
	ActionEndTemporaryAccess = "end_temporary_access"
	ActionReplace            = "replaced"
)

// Person is an actor or a target.
type Person struct{ ID, Username string }

// Event is one audited change.
type Event struct {
	Actor  Person
	Target Person
	// Action is one of the Action constants.
	Action   string
	DeviceID string
	// OldNumber and NewNumber are masked (phone.Shown); never a full number.
	OldNumber, NewNumber string
	// Reason is the help desk's reason or ticket reference ("" for self-service).
	Reason string
	// Outcome is success, refused or failed; Detail says why when not success.
	Outcome, Detail string
	// Helpdesk marks changes made by staff on someone else's behalf.
	Helpdesk bool
	// VerifiedBy is how the help desk verified the caller before the change (sms, email or
	// approval; "" for self-service); Approver is the colleague who approved, for approval.
	VerifiedBy string
	Approver   Person
	// Signals are the warnings the agent was shown (internal/helpdesk Signal values).
	Signals []string
	// Results is how many users a search found (ActionSearch only).
	Results int
}

// Logger writes audit records to the log stream.
type Logger struct {
	log *slog.Logger
	now func() time.Time
}

// New returns a Logger writing to log.
func New(log *slog.Logger, now func() time.Time) *Logger {
	if now == nil {
		now = time.Now
	}
	return &Logger{log: log, now: now}
}

// Record writes the event as one JSON line: {"msg":"audit","audit":{...}}.
func (l *Logger) Record(ctx context.Context, e Event) {
	if l == nil {
		return
	}
	attrs := []any{
		slog.String("actor_id", e.Actor.ID),
		slog.String("actor_username", e.Actor.Username),
		slog.String("target_id", e.Target.ID),
		slog.String("target_username", e.Target.Username),
		slog.String("action", e.Action),
		slog.String("device_id", e.DeviceID),
		slog.String("old_number", e.OldNumber),
		slog.String("new_number", e.NewNumber),
		slog.String("reason", e.Reason),
		slog.String("outcome", e.Outcome),
		slog.String("detail", e.Detail),
		slog.Bool("helpdesk", e.Helpdesk),
		slog.String("verified_by", e.VerifiedBy),
		slog.String("approver_id", e.Approver.ID),
		slog.String("approver_username", e.Approver.Username),
		slog.Any("signals", signals(e.Signals)),
		slog.String("request_id", logging.RequestID(ctx)),
		slog.String("time", l.now().UTC().Format(time.RFC3339Nano)),
	}
	if e.Action == ActionSearch {
		attrs = append(attrs, slog.Int("results", e.Results))
	}
	l.log.LogAttrs(ctx, slog.LevelInfo, "audit", slog.Group("audit", attrs...))
}

// signals is never null in a record: an empty list when there were none.
func signals(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
