package helpdesk

// Who is help-desk staff: members of the configured PingOne groups, checked live with a short
// cache, so that someone removed from the group loses access within the cache's lifetime even
// in the middle of a session.

import (
	"context"
	"sync"
	"time"

	"github.com/smsmfa/portal/pingone"
)

// Users is the part of the PingOne client the check needs.
type Users interface {
	GetUser(ctx context.Context, userID string, withGroups bool) (*pingone.User, error)
}

// Checker answers "is this person staff now?".
type Checker struct {
	users  Users
	groups []string
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]entry
}

type entry struct {
	staff bool
	until time.Time
}

// NewChecker returns a Checker for the groups; ttl bounds how stale an answer may be (default 30 s).
func NewChecker(users Users, groups []string, ttl time.Duration, now func() time.Time) *Checker {
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	if now == nil {
		now = time.Now
	}
	return &Checker{users: users, groups: groups, ttl: ttl, now: now, cache: map[string]entry{}}
}

// Enabled reports whether any staff group is configured.
func (c *Checker) Enabled() bool { return len(c.groups) > 0 }

// IsStaff reports whether the user is in a staff group now.
func (c *Checker) IsStaff(ctx context.Context, userID string) (bool, error) {
	if !c.Enabled() || userID == "" {
		return false, nil
	}
	now := c.now()
	c.mu.Lock()
	e, ok := c.cache[userID]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.staff, nil
	}
	u, err := c.users.GetUser(ctx, userID, true)
	if pingone.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	isStaff := u.IsEnabled() && u.InGroup(c.groups...)
	c.mu.Lock()
	c.cache[userID] = entry{staff: isStaff, until: now.Add(c.ttl)}
	if len(c.cache) > 10000 {
		for id, e := range c.cache {
			if now.After(e.until) {
				delete(c.cache, id)
			}
		}
	}
	c.mu.Unlock()
	return isStaff, nil
}

// Observe caches the answer for a user just read with memberOfGroupIDs (at sign-in), so the
// first check costs no call.
func (c *Checker) Observe(u *pingone.User) {
	if !c.Enabled() || u == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cache[u.ID] = entry{staff: u.IsEnabled() && u.InGroup(c.groups...), until: c.now().Add(c.ttl)}
}
