package store

// The help desk's caller checks (issue #16), as they are saved: a passed check, a code sent to
// the caller and not yet read back, and the note that a user's methods changed. Every key name
// and TTL of those records is here; internal/helpdesk decides what they mean.

import (
	"context"
	"time"
)

// The caller-check records' keys (agent and user are PingOne user IDs). A rolling upgrade reads
// the keys older instances wrote, so the names on the wire never change.
const (
	// CallerCheckPrefix + agent + ":" + user holds a CallerCheck: the agent verified the
	// caller who claims to be user. It lasts until the check's Until (HELPDESK_VERIFICATION_TTL,
	// CallerCheckTTL by default).
	CallerCheckPrefix = "hd:verified:"
	// CallerCodePrefix + agent + ":" + user holds a CallerCode: a code PingOne sent to the user
	// for the agent to check. It lasts CallerCodeTTL.
	CallerCodePrefix = "hd:pending:"
	// MethodsChangedPrefix + user holds the time the user's MFA methods last changed through
	// the portal (JSON), for the recent-change signal; it lasts MethodsChangedTTL.
	MethodsChangedPrefix = "hd:changed:"
)

// The caller-check records' TTLs.
const (
	// CallerCheckTTL is how long a passed caller check holds unless configured otherwise.
	CallerCheckTTL = 15 * time.Minute
	// CallerCodeTTL bounds how long a sent code is kept waiting (PingOne's own expiry is
	// shorter).
	CallerCodeTTL = 15 * time.Minute
	// MethodsChangedTTL is how long the note that a user's methods changed is kept: the help
	// desk's recent-change window (helpdesk.RecentWindow, which a test holds to it).
	MethodsChangedTTL = 24 * time.Hour
)

// Person names a staff member or user in a record: their PingOne ID and username. Its JSON is
// audit.Person's ({"ID":…,"Username":…}), which older instances wrote.
type Person struct{ ID, Username string }

// CallerCheck is a passed caller check: Agent may change User until Until.
type CallerCheck struct {
	Agent string `json:"agent"`
	User  string `json:"user"`
	// Kind is how the caller was checked (sms, email, approval); Approver is set for approval.
	Kind     string `json:"kind"`
	Approver Person `json:"approver"`
	// Signals are the warnings shown to the agent when they checked (helpdesk.Signal values).
	Signals []string  `json:"signals,omitempty"`
	At      time.Time `json:"at"`
	Until   time.Time `json:"until"`
}

// CallerCode is a code sent to the caller and not yet checked.
type CallerCode struct {
	Agent  string `json:"agent"`
	User   string `json:"user"`
	AuthID string `json:"auth_id"`
	// Kind is sms or email; Masked is where the code went, masked.
	Kind    string    `json:"kind"`
	Masked  string    `json:"masked"`
	Signals []string  `json:"signals,omitempty"`
	Sent    time.Time `json:"sent"`
}

// CallerRecords reads and writes the caller-check records in a Store.
type CallerRecords struct{ s Store }

// Callers returns the caller-check records kept in s.
func Callers(s Store) CallerRecords { return CallerRecords{s: s} }

func callerKey(prefix, agent, user string) string { return prefix + agent + ":" + user }

// PutCheck keeps a passed check until its Until.
func (r CallerRecords) PutCheck(ctx context.Context, c CallerCheck) error {
	return putJSON(ctx, r.s, "caller check", callerKey(CallerCheckPrefix, c.Agent, c.User), c, c.Until.Sub(c.At))
}

// Check returns the agent's check of the user, or nil when there is none. The record is
// returned as kept: whether it still holds is the caller's to decide.
func (r CallerRecords) Check(ctx context.Context, agent, user string) (*CallerCheck, error) {
	return getRecord[CallerCheck](ctx, r.s, "caller check", callerKey(CallerCheckPrefix, agent, user))
}

// DeleteCheck forgets the agent's check of the user.
func (r CallerRecords) DeleteCheck(ctx context.Context, agent, user string) error {
	return r.s.Delete(ctx, callerKey(CallerCheckPrefix, agent, user))
}

// PutCode keeps a code sent for the agent to check, for CallerCodeTTL; it replaces any code
// sent before for the same agent and user.
func (r CallerRecords) PutCode(ctx context.Context, c CallerCode) error {
	return putJSON(ctx, r.s, "caller code", callerKey(CallerCodePrefix, c.Agent, c.User), c, CallerCodeTTL)
}

// Code returns the code waiting for the agent and user, or nil.
func (r CallerRecords) Code(ctx context.Context, agent, user string) (*CallerCode, error) {
	return getRecord[CallerCode](ctx, r.s, "caller code", callerKey(CallerCodePrefix, agent, user))
}

// TakeCode removes the waiting code in one step and reports whether this call took it: of two
// requests that checked the same code, one only gets true.
func (r CallerRecords) TakeCode(ctx context.Context, agent, user string) (bool, error) {
	return takeOnce(ctx, r.s, "caller code", callerKey(CallerCodePrefix, agent, user))
}

// DeleteCode forgets the code waiting for the agent and user.
func (r CallerRecords) DeleteCode(ctx context.Context, agent, user string) error {
	return r.s.Delete(ctx, callerKey(CallerCodePrefix, agent, user))
}

// PutMethodsChanged notes that the user's methods changed at at, for MethodsChangedTTL.
func (r CallerRecords) PutMethodsChanged(ctx context.Context, user string, at time.Time) error {
	return putJSON(ctx, r.s, "methods changed", MethodsChangedPrefix+user, at, MethodsChangedTTL)
}

// MethodsChanged returns when PutMethodsChanged last noted a change to the user's methods, or
// the zero time.
func (r CallerRecords) MethodsChanged(ctx context.Context, user string) (time.Time, error) {
	var at time.Time
	_, err := getJSON(ctx, r.s, "methods changed", MethodsChangedPrefix+user, &at)
	return at, err
}
