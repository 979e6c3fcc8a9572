package store

// The help desk's approval requests (issue #16), as they are saved: a staff member asks the
// others to vouch for a caller; the request, the requester's pointer to it, and the list of
// open requests that every instance shows. Every key name and TTL of those records is here.

import (
	"context"
	"fmt"
	"time"
)

// The approval records' keys. A rolling upgrade reads the keys older instances wrote, so the
// names on the wire never change.
const (
	// ApprovalPrefix + id holds an open Approval until it is approved or its Expires
	// (HELPDESK approval wait, ApprovalTTL by default).
	ApprovalPrefix = "hd:approval:"
	// ApprovalAskedPrefix + agent + ":" + user holds the agent's last Approval for the user;
	// it outlives the request (the request's wait plus a caller check's TTL), so that the agent
	// can be told it timed out.
	ApprovalAskedPrefix = "hd:asked:"
	// ApprovalIndexKey holds the IDs of the open requests (JSON list), for the list every
	// instance shows; it lasts a request's wait (given to Approvals) plus ApprovalIndexSlack
	// after its last change.
	ApprovalIndexKey = "hd:approvals"
	// ApprovalLockKey is held for ApprovalLockTTL at most while one instance changes the index.
	ApprovalLockKey = "hd:approvals:lock"
)

// The approval records' TTLs.
const (
	// ApprovalTTL is how long a request waits for a colleague unless configured otherwise.
	ApprovalTTL = 30 * time.Minute
	// ApprovalIndexSlack is how much longer than a request's wait the index is kept.
	ApprovalIndexSlack = time.Minute
	// ApprovalLockTTL bounds how long the index's lock is held, should its holder die.
	ApprovalLockTTL = 2 * time.Second
)

// Approval is one agent's request that a colleague vouch for a caller.
type Approval struct {
	ID         string    `json:"id"`
	Requester  Person    `json:"requester"`
	Target     Person    `json:"target"`
	TargetName string    `json:"target_name"`
	Signals    []string  `json:"signals,omitempty"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires"`
}

// ApprovalRecords reads and writes the approval records in a Store.
type ApprovalRecords struct {
	s    Store
	wait time.Duration
}

// Approvals returns the approval records kept in s, whose requests wait for a colleague for
// wait (ApprovalTTL when not positive): the index of open requests is kept that long after its
// last change, plus ApprovalIndexSlack.
func Approvals(s Store, wait time.Duration) ApprovalRecords {
	if wait <= 0 {
		wait = ApprovalTTL
	}
	return ApprovalRecords{s: s, wait: wait}
}

// Put keeps an open request until it expires, and the requester's pointer to it for as long
// again as a passed caller check holds (checkTTL), so that the requester can be told that the
// request timed out.
func (r ApprovalRecords) Put(ctx context.Context, a Approval, checkTTL time.Duration) error {
	wait := a.Expires.Sub(a.Created)
	if err := putJSON(ctx, r.s, "approval", ApprovalPrefix+a.ID, a, wait); err != nil {
		return err
	}
	return putJSON(ctx, r.s, "approval", callerKey(ApprovalAskedPrefix, a.Requester.ID, a.Target.ID), a, wait+checkTTL)
}

// Get returns the open request id, or nil when there is none (never made, approved, or gone
// with its TTL). Whether it still holds is the caller's to decide (Expires).
func (r ApprovalRecords) Get(ctx context.Context, id string) (*Approval, error) {
	return getRecord[Approval](ctx, r.s, "approval", ApprovalPrefix+id)
}

// Take removes the open request id in one step and reports whether this call took it: of two
// colleagues approving at once, one only gets true.
func (r ApprovalRecords) Take(ctx context.Context, id string) (bool, error) {
	return takeOnce(ctx, r.s, "approval", ApprovalPrefix+id)
}

// Asked returns the agent's last request for the user (open or not), or nil.
func (r ApprovalRecords) Asked(ctx context.Context, agent, user string) (*Approval, error) {
	return getRecord[Approval](ctx, r.s, "approval", callerKey(ApprovalAskedPrefix, agent, user))
}

// DeleteAsked forgets the agent's pointer to their request for the user.
func (r ApprovalRecords) DeleteAsked(ctx context.Context, agent, user string) error {
	return r.s.Delete(ctx, callerKey(ApprovalAskedPrefix, agent, user))
}

// Index returns the IDs of the open requests, oldest first (some may have expired since).
func (r ApprovalRecords) Index(ctx context.Context) ([]string, error) {
	var ids []string
	_, err := getJSON(ctx, r.s, "approvals", ApprovalIndexKey, &ids)
	return ids, err
}

// ChangeIndex changes the list of open requests under a short lock, so that two instances
// adding at once do not lose one; the list is kept for the requests' wait plus
// ApprovalIndexSlack. The list only serves to show requests: an entry lost anyway (a lock that
// timed out) hides a request, never grants one.
func (r ApprovalRecords) ChangeIndex(ctx context.Context, change func([]string) []string) error {
	locked, err := r.lockIndex(ctx)
	if err != nil {
		return err
	}
	if locked {
		// Only the lock this call took is let go: one held by another instance stays theirs.
		defer func() { _ = r.s.Delete(context.WithoutCancel(ctx), ApprovalLockKey) }()
	}
	ids, err := r.Index(ctx)
	if err != nil {
		return err
	}
	return putJSON(ctx, r.s, "approvals", ApprovalIndexKey, change(ids), r.wait+ApprovalIndexSlack)
}

// lockIndex tries for about half a second to take the index's lock; false means it went on
// without it.
func (r ApprovalRecords) lockIndex(ctx context.Context) (bool, error) {
	for range 50 {
		ok, err := r.s.SetNX(ctx, ApprovalLockKey, []byte("1"), ApprovalLockTTL)
		if err != nil {
			return false, fmt.Errorf("store: lock approvals: %w", err)
		}
		if ok {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("store: lock approvals: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return false, nil
}
