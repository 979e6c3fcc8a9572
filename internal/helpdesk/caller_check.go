package helpdesk

// Caller verification (issue #16): before any change to a user, the agent proves that the
// caller is the user, by a code PingOne sends to one of the user's phones or to the user's
// email in the directory, or by a second staff member's approval. A verification holds for one
// agent and one user for a short time. Everything lives in a store.Store, so that every
// instance of the portal sees the same verifications and approvals.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/store"
)

// The ways a caller is verified, as audit records name them (verified_by).
const (
	KindSMS      = "sms"
	KindEmail    = "email"
	KindApproval = "approval"
)

// Verification is a verified caller: Agent may change User until Until.
type Verification struct {
	Agent string `json:"agent"`
	User  string `json:"user"`
	// Kind is KindSMS, KindEmail or KindApproval; Approver is set for KindApproval.
	Kind     string       `json:"kind"`
	Approver audit.Person `json:"approver"`
	// Signals are the warnings shown to the agent when they verified (Signal values).
	Signals []string  `json:"signals,omitempty"`
	At      time.Time `json:"at"`
	Until   time.Time `json:"until"`
}

// VerifierOptions configures a Verifier.
type VerifierOptions struct {
	// TTL is how long a verification holds (default 15 minutes).
	TTL time.Duration
	// ApprovalTTL is how long an approval request waits for a colleague (default 30 minutes).
	ApprovalTTL time.Duration
	// Limits counts every code against the agent's codes for the user and the user's ceiling
	// (limits.CallerCodeKeys), and a code sent by text against the texts of whoever asked for
	// it (limits.TextKeys: the staff member's own and the help desk's budget), as every text
	// is. Nil means the default rules on the Verifier's store.
	Limits *limits.Limiter
	Now    func() time.Time
}

// Verifier keeps caller verifications, codes waiting to be checked and approval requests.
type Verifier struct {
	client AuthClient
	store  store.Store
	o      VerifierOptions
}

// NewVerifier returns a Verifier keeping its state in st.
func NewVerifier(client AuthClient, st store.Store, o VerifierOptions) *Verifier {
	if o.TTL <= 0 {
		o.TTL = 15 * time.Minute
	}
	if o.ApprovalTTL <= 0 {
		o.ApprovalTTL = 30 * time.Minute
	}
	if o.Limits == nil {
		o.Limits = limits.New(st, limits.DefaultRules())
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Verifier{client: client, store: st, o: o}
}

// pendingTTL bounds how long a sent code is kept waiting (PingOne's own expiry is shorter).
const pendingTTL = 15 * time.Minute

func verifiedKey(agent, user string) string { return "hd:verified:" + agent + ":" + user }
func pendingKey(agent, user string) string  { return "hd:pending:" + agent + ":" + user }
func approvalKey(id string) string          { return "hd:approval:" + id }
func askedKey(agent, user string) string    { return "hd:asked:" + agent + ":" + user }

const (
	approvalIndexKey = "hd:approvals"
	approvalLockKey  = "hd:approvals:lock"
)

// grant records a verification.
func (v *Verifier) grant(ctx context.Context, ver Verification) (Verification, error) {
	ver.At = v.o.Now()
	ver.Until = ver.At.Add(v.o.TTL)
	return ver, v.put(ctx, verifiedKey(ver.Agent, ver.User), ver, v.o.TTL)
}

// Current returns the agent's verification of the user while it holds, or nil. A verification
// made by another agent, or for another user, is never returned.
func (v *Verifier) Current(ctx context.Context, agent, user string) (*Verification, error) {
	var ver Verification
	ok, err := v.get(ctx, verifiedKey(agent, user), &ver)
	if !ok || err != nil {
		return nil, err
	}
	if ver.Agent != agent || ver.User != user || !v.o.Now().Before(ver.Until) {
		return nil, nil
	}
	return &ver, nil
}

func (v *Verifier) put(ctx context.Context, key string, val any, ttl time.Duration) error {
	b, err := json.Marshal(val)
	if err != nil {
		return fmt.Errorf("helpdesk: encode %s: %w", key, err)
	}
	if err := v.store.Set(ctx, key, b, ttl); err != nil {
		return fmt.Errorf("helpdesk: keep %s: %w", strings.SplitN(key, ":", 3)[1], err)
	}
	return nil
}

// get reads key into val and reports whether it was there.
func (v *Verifier) get(ctx context.Context, key string, val any) (bool, error) {
	b, err := v.store.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("helpdesk: read %s: %w", strings.SplitN(key, ":", 3)[1], err)
	}
	if err := json.Unmarshal(b, val); err != nil {
		return false, fmt.Errorf("helpdesk: decode %s: %w", strings.SplitN(key, ":", 3)[1], err)
	}
	return true, nil
}

func changedKey(user string) string { return "hd:changed:" + user }

// MarkChanged notes that the user's methods changed now (by the user or the help desk), for
// the recent-change signal; the note lasts RecentWindow.
func (v *Verifier) MarkChanged(ctx context.Context, user string) error {
	return v.put(ctx, changedKey(user), v.o.Now(), RecentWindow)
}

// LastChange returns when MarkChanged last noted a change to the user's methods within
// RecentWindow, or the zero time.
func (v *Verifier) LastChange(ctx context.Context, user string) (time.Time, error) {
	var at time.Time
	_, err := v.get(ctx, changedKey(user), &at)
	return at, err
}
