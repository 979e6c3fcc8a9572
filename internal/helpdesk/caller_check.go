package helpdesk

// The caller check (issue #16): before any change to a user, the agent proves that the caller
// is the user, by a code PingOne sends to one of the user's phones or to the user's email in
// the directory (caller_code.go), or by a second staff member's approval (caller_approval.go).
// A passed check holds for one agent and one user for a short time. The records live in the
// shared store (store.Callers, store.Approvals), so that every instance of the portal sees the
// same checks and approvals.

import (
	"context"
	"time"

	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/store"
)

// The ways a caller is checked, as audit records name them (verified_by).
const (
	KindSMS      = "sms"
	KindEmail    = "email"
	KindApproval = "approval"
)

// CallerCheck is a passed caller check: Agent may change User until Until.
type CallerCheck = store.CallerCheck

// CallerOptions configures Callers.
type CallerOptions struct {
	// TTL is how long a passed check holds (default store.CallerCheckTTL).
	TTL time.Duration
	// ApprovalTTL is how long an approval request waits for a colleague (default
	// store.ApprovalTTL).
	ApprovalTTL time.Duration
	// Limits counts every code against the agent's codes for the user and the user's ceiling
	// (limits.CallerCodeKeys), and a code sent by text against the texts of whoever asked for
	// it (limits.TextKeys: the staff member's own and the help desk's budget), as every text
	// is. Nil means the default rules on the store.
	Limits *limits.Limiter
	// NewPhoneWait is HELPDESK_NEW_PHONE_WAIT: how old the user's newest active phone must be
	// for a caller's code to go to a phone (Target.NewPhone), and a staff member's for their
	// sign-in to open the help desk (StaffSettled). Default DefaultNewPhoneWait.
	NewPhoneWait time.Duration
	Now          func() time.Time
}

// DefaultNewPhoneWait is HELPDESK_NEW_PHONE_WAIT's default, for Callers built without one.
const DefaultNewPhoneWait = 24 * time.Hour

// Callers keeps caller checks, codes waiting to be checked and approval requests.
type Callers struct {
	client    AuthClient
	checks    store.CallerRecords
	approvals store.ApprovalRecords
	o         CallerOptions
}

// NewCallers returns Callers keeping their records in st.
func NewCallers(client AuthClient, st store.Store, o CallerOptions) *Callers {
	if o.TTL <= 0 {
		o.TTL = store.CallerCheckTTL
	}
	if o.ApprovalTTL <= 0 {
		o.ApprovalTTL = store.ApprovalTTL
	}
	if o.Limits == nil {
		o.Limits = limits.New(st, limits.DefaultRules())
	}
	if o.NewPhoneWait <= 0 {
		o.NewPhoneWait = DefaultNewPhoneWait
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Callers{client: client, checks: store.Callers(st), approvals: store.Approvals(st, o.ApprovalTTL), o: o}
}

// NewPhoneWait is HELPDESK_NEW_PHONE_WAIT as configured (CallerOptions.NewPhoneWait).
func (cs *Callers) NewPhoneWait() time.Duration { return cs.o.NewPhoneWait }

// StaffSettled is StaffSettled with the configured HELPDESK_NEW_PHONE_WAIT.
func (cs *Callers) StaffSettled(devs mfa.List, authTime time.Time) (newestPhone mfa.Device, ok bool) {
	return StaffSettled(devs, authTime, cs.o.NewPhoneWait)
}

// grant records a passed check.
func (cs *Callers) grant(ctx context.Context, c CallerCheck) (CallerCheck, error) {
	c.At = cs.o.Now()
	c.Until = c.At.Add(cs.o.TTL)
	return c, cs.checks.PutCheck(ctx, c)
}

// HoldingCheck returns the agent's caller check for user while it holds, or nil: "has this
// agent checked this caller". A check made by another agent, or for another user, is never
// returned.
func (cs *Callers) HoldingCheck(ctx context.Context, agent, user string) (*CallerCheck, error) {
	c, err := cs.checks.Check(ctx, agent, user)
	if c == nil || err != nil {
		return nil, err
	}
	if c.Agent != agent || c.User != user || !cs.o.Now().Before(c.Until) {
		return nil, nil
	}
	return c, nil
}

// MarkChanged notes that the user's methods changed now (by the user or the help desk), for
// the recent-change signal; the store keeps the note for the signal's window.
func (cs *Callers) MarkChanged(ctx context.Context, user string) error {
	return cs.checks.PutMethodsChanged(ctx, user, cs.o.Now())
}

// LastChange returns when MarkChanged last noted a change to the user's methods within
// RecentWindow, or the zero time.
func (cs *Callers) LastChange(ctx context.Context, user string) (time.Time, error) {
	return cs.checks.MethodsChanged(ctx, user)
}
