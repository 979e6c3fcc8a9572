package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/store"
)

// Approval is one agent's request that a colleague vouch for a caller.
type Approval struct {
	ID         string       `json:"id"`
	Requester  audit.Person `json:"requester"`
	Target     audit.Person `json:"target"`
	TargetName string       `json:"target_name"`
	Signals    []string     `json:"signals,omitempty"`
	Created    time.Time    `json:"created"`
	Expires    time.Time    `json:"expires"`
}

// ApprovalState is where an agent's request for one user stands.
type ApprovalState int

// The states of an agent's approval request.
const (
	// NoApproval: the agent asked for none (or it was approved: the verification says so).
	NoApproval ApprovalState = iota
	// ApprovalWaiting: asked, not yet approved, not timed out.
	ApprovalWaiting
	// ApprovalTimedOut: asked, and nobody approved in time.
	ApprovalTimedOut
)

// RequestApproval asks the other staff to vouch for the caller. An open request of the same
// agent for the same user is returned as it is.
func (v *Verifier) RequestApproval(ctx context.Context, requester audit.Person, t Target, targetName string) (Approval, error) {
	if st, a, err := v.ApprovalState(ctx, requester.ID, t.ID); err != nil || st == ApprovalWaiting {
		return a, err
	}
	now := v.o.Now()
	a := Approval{ID: uuid.NewString(), Requester: requester, Target: audit.Person{ID: t.ID, Username: t.Username},
		TargetName: targetName, Signals: t.Signals, Created: now, Expires: now.Add(v.o.ApprovalTTL)}
	if err := v.put(ctx, approvalKey(a.ID), a, v.o.ApprovalTTL); err != nil {
		return Approval{}, err
	}
	// The pointer outlives the request, so that the agent can be told it timed out.
	if err := v.put(ctx, askedKey(requester.ID, t.ID), a, v.o.ApprovalTTL+v.o.TTL); err != nil {
		return Approval{}, err
	}
	return a, v.index(ctx, func(ids []string) []string { return append(ids, a.ID) })
}

// ApprovalState says where the agent's request for the user stands.
func (v *Verifier) ApprovalState(ctx context.Context, agent, user string) (ApprovalState, Approval, error) {
	var asked Approval
	ok, err := v.get(ctx, askedKey(agent, user), &asked)
	if !ok || err != nil {
		return NoApproval, Approval{}, err
	}
	var a Approval
	ok, err = v.get(ctx, approvalKey(asked.ID), &a)
	if err != nil {
		return NoApproval, Approval{}, err
	}
	if !ok || !v.o.Now().Before(a.Expires) {
		return ApprovalTimedOut, asked, nil
	}
	return ApprovalWaiting, a, nil
}

// Approvals lists the open requests viewer may approve: not their own, not about them, oldest
// first.
func (v *Verifier) Approvals(ctx context.Context, viewer string) ([]Approval, error) {
	var ids []string
	if _, err := v.get(ctx, approvalIndexKey, &ids); err != nil {
		return nil, err
	}
	var out []Approval
	var gone []string
	for _, id := range ids {
		var a Approval
		ok, err := v.get(ctx, approvalKey(id), &a)
		if err != nil {
			return nil, err
		}
		if !ok || !v.o.Now().Before(a.Expires) {
			gone = append(gone, id)
			continue
		}
		if a.Requester.ID != viewer && a.Target.ID != viewer {
			out = append(out, a)
		}
	}
	if len(gone) > 0 {
		_ = v.index(ctx, func(ids []string) []string {
			return slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(gone, id) })
		})
	}
	return out, nil
}

// Approve's refusals.
var (
	// ErrApprovalGone means the approval request timed out, or was already answered.
	ErrApprovalGone = errors.New("helpdesk: the approval request timed out")
	// ErrOwnRequest means the requester tried to approve their own request.
	ErrOwnRequest = errors.New("helpdesk: nobody approves their own request")
	// ErrTargetApproves means the user the request is about tried to approve it.
	ErrTargetApproves = errors.New("helpdesk: the user a request is about cannot approve it")
)

// Approve vouches for the caller of request id: the requester is verified for the target, by
// approval, with approver named. Nobody approves their own request or one about themselves;
// a request is approved at most once and not after it timed out.
func (v *Verifier) Approve(ctx context.Context, id string, approver audit.Person) (Approval, Verification, error) {
	var a Approval
	ok, err := v.get(ctx, approvalKey(id), &a)
	switch {
	case err != nil:
		return Approval{}, Verification{}, err
	case !ok || !v.o.Now().Before(a.Expires):
		return a, Verification{}, ErrApprovalGone
	case approver.ID == a.Requester.ID:
		return a, Verification{}, ErrOwnRequest
	case approver.ID == a.Target.ID:
		return a, Verification{}, ErrTargetApproves
	}
	if _, err := v.store.Take(ctx, approvalKey(id)); errors.Is(err, store.ErrNotFound) {
		return a, Verification{}, ErrApprovalGone
	} else if err != nil {
		return a, Verification{}, fmt.Errorf("helpdesk: %w", err)
	}
	_ = v.store.Delete(ctx, askedKey(a.Requester.ID, a.Target.ID))
	_ = v.index(ctx, func(ids []string) []string { return slices.DeleteFunc(ids, func(s string) bool { return s == id }) })
	ver, err := v.grant(ctx, Verification{Agent: a.Requester.ID, User: a.Target.ID, Kind: KindApproval, Approver: approver, Signals: a.Signals})
	return a, ver, err
}

// index changes the list of open approval requests under a short lock, so that two instances
// adding at once do not lose one. The list only serves to show requests; an entry lost anyway
// (a lock that timed out) hides a request, never grants one.
func (v *Verifier) index(ctx context.Context, change func([]string) []string) error {
	locked := false
	for range 50 {
		ok, err := v.store.SetNX(ctx, approvalLockKey, []byte("1"), 2*time.Second)
		if err != nil {
			return fmt.Errorf("helpdesk: lock approvals: %w", err)
		}
		if locked = ok; locked {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("helpdesk: lock approvals: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if locked {
		// Only the lock this call took is let go: one held by another instance stays theirs.
		defer func() { _ = v.store.Delete(context.WithoutCancel(ctx), approvalLockKey) }()
	}
	var ids []string
	if _, err := v.get(ctx, approvalIndexKey, &ids); err != nil {
		return err
	}
	ids = change(ids)
	return v.put(ctx, approvalIndexKey, ids, v.o.ApprovalTTL+time.Minute)
}
