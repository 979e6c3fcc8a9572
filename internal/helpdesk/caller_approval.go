package helpdesk

// A colleague's approval, the third way through the caller check (issue #16): another staff
// member vouches for the caller from their own signed-in help desk; never the requester, never
// the user. The requests are kept in the shared store (store.Approvals).

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/store"
)

// Approval is one agent's request that a colleague vouch for a caller.
type Approval = store.Approval

// ApprovalState is where an agent's request for one user stands.
type ApprovalState int

// The states of an agent's approval request.
const (
	// NoApproval: the agent asked for none (or it was approved: the caller check says so).
	NoApproval ApprovalState = iota
	// ApprovalWaiting: asked, not yet approved, not timed out.
	ApprovalWaiting
	// ApprovalTimedOut: asked, and nobody approved in time.
	ApprovalTimedOut
)

// RequestApproval asks the other staff to vouch for the caller. An open request of the same
// agent for the same user is returned as it is.
func (cs *Callers) RequestApproval(ctx context.Context, requester audit.Person, t Target, targetName string) (Approval, error) {
	if st, a, err := cs.ApprovalState(ctx, requester.ID, t.ID); err != nil || st == ApprovalWaiting {
		return a, err
	}
	now := cs.o.Now()
	a := Approval{ID: uuid.NewString(), Requester: store.Person(requester), Target: store.Person{ID: t.ID, Username: t.Username},
		TargetName: targetName, Signals: Strings(t.Signals), Created: now, Expires: now.Add(cs.o.ApprovalTTL)}
	if err := cs.approvals.Put(ctx, a, cs.o.TTL); err != nil {
		return Approval{}, err
	}
	return a, cs.approvals.ChangeIndex(ctx, func(ids []string) []string { return append(ids, a.ID) })
}

// ApprovalState says where the agent's request for the user stands.
func (cs *Callers) ApprovalState(ctx context.Context, agent, user string) (ApprovalState, Approval, error) {
	asked, err := cs.approvals.Asked(ctx, agent, user)
	if asked == nil || err != nil {
		return NoApproval, Approval{}, err
	}
	a, err := cs.approvals.Get(ctx, asked.ID)
	if err != nil {
		return NoApproval, Approval{}, err
	}
	if a == nil || !cs.o.Now().Before(a.Expires) {
		return ApprovalTimedOut, *asked, nil
	}
	return ApprovalWaiting, *a, nil
}

// Approvals lists the open requests viewer may approve: not their own, not about them, oldest
// first.
func (cs *Callers) Approvals(ctx context.Context, viewer string) ([]Approval, error) {
	ids, err := cs.approvals.Index(ctx)
	if err != nil {
		return nil, err
	}
	var out []Approval
	var gone []string
	for _, id := range ids {
		a, err := cs.approvals.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if a == nil || !cs.o.Now().Before(a.Expires) {
			gone = append(gone, id)
			continue
		}
		if a.Requester.ID != viewer && a.Target.ID != viewer {
			out = append(out, *a)
		}
	}
	if len(gone) > 0 {
		_ = cs.approvals.ChangeIndex(ctx, func(ids []string) []string {
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

// Approve vouches for the caller of request id: the requester passes the caller check for the
// target, by approval, with approver named. Nobody approves their own request or one about
// themselves; a request is approved at most once and not after it timed out.
func (cs *Callers) Approve(ctx context.Context, id string, approver audit.Person) (Approval, CallerCheck, error) {
	a, err := cs.approvals.Get(ctx, id)
	switch {
	case err != nil:
		return Approval{}, CallerCheck{}, err
	case a == nil:
		return Approval{}, CallerCheck{}, ErrApprovalGone
	case !cs.o.Now().Before(a.Expires):
		return *a, CallerCheck{}, ErrApprovalGone
	case approver.ID == a.Requester.ID:
		return *a, CallerCheck{}, ErrOwnRequest
	case approver.ID == a.Target.ID:
		return *a, CallerCheck{}, ErrTargetApproves
	}
	if took, err := cs.approvals.Take(ctx, id); err != nil {
		return *a, CallerCheck{}, fmt.Errorf("helpdesk: %w", err)
	} else if !took {
		return *a, CallerCheck{}, ErrApprovalGone
	}
	_ = cs.approvals.DeleteAsked(ctx, a.Requester.ID, a.Target.ID)
	_ = cs.approvals.ChangeIndex(ctx, func(ids []string) []string {
		return slices.DeleteFunc(ids, func(s string) bool { return s == id })
	})
	c, err := cs.grant(ctx, CallerCheck{Agent: a.Requester.ID, User: a.Target.ID, Kind: KindApproval,
		Approver: store.Person(approver), Signals: a.Signals})
	return *a, c, err
}
