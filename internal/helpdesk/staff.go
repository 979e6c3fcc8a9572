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
	// protected are the HELPDESK_PROTECTED_GROUP_IDS, for IsPrivileged.
	protected []string
	ttl       time.Duration
	now       func() time.Time

	mu    sync.Mutex
	cache map[string]entry
}

type entry struct {
	staff bool
	// privileged: staff, or in a protected group.
	privileged bool
	until      time.Time
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

// Protecting makes IsPrivileged count the members of the protected groups too; it returns c.
func (c *Checker) Protecting(groups []string) *Checker {
	c.protected = groups
	return c
}

// IsPrivileged reports whether the user is help-desk staff or in a protected group now (the
// same cache as IsStaff): people whose account the help desk cannot change, who register no
// first phone in the portal (issue #21).
func (c *Checker) IsPrivileged(ctx context.Context, userID string) (bool, error) {
	e, err := c.lookup(ctx, userID)
	return e.privileged, err
}

// Enabled reports whether any staff group is configured.
func (c *Checker) Enabled() bool { return len(c.groups) > 0 }

// IsStaff reports whether the user is in a staff group now.
func (c *Checker) IsStaff(ctx context.Context, userID string) (bool, error) {
	if !c.Enabled() {
		return false, nil
	}
	e, err := c.lookup(ctx, userID)
	return e.staff, err
}

// lookup answers from the cache, or reads the user's groups from PingOne.
func (c *Checker) lookup(ctx context.Context, userID string) (entry, error) {
	if (len(c.groups) == 0 && len(c.protected) == 0) || userID == "" {
		return entry{}, nil
	}
	now := c.now()
	c.mu.Lock()
	e, ok := c.cache[userID]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e, nil
	}
	u, err := c.users.GetUser(ctx, userID, true)
	if pingone.IsNotFound(err) {
		return entry{}, nil
	}
	if err != nil {
		return entry{}, err
	}
	e = c.entryFor(u, now)
	c.mu.Lock()
	c.cache[userID] = e
	if len(c.cache) > 10000 {
		for id, e := range c.cache {
			if now.After(e.until) {
				delete(c.cache, id)
			}
		}
	}
	c.mu.Unlock()
	return e, nil
}

// entryFor decides both answers for a user read with its groups.
func (c *Checker) entryFor(u *pingone.User, now time.Time) entry {
	staff := len(c.groups) > 0 && u.IsEnabled() && u.InGroup(c.groups...)
	return entry{staff: staff, privileged: staff || (len(c.protected) > 0 && u.InGroup(c.protected...)), until: now.Add(c.ttl)}
}

// Observe caches the answer for a user just read with memberOfGroupIDs (at sign-in), so the
// first check costs no call.
func (c *Checker) Observe(u *pingone.User) {
	if (len(c.groups) == 0 && len(c.protected) == 0) || u == nil {
		return
	}
	e := c.entryFor(u, c.now())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cache[u.ID] = e
}
