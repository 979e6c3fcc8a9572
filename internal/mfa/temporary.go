package mfa

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/smsmfa/portal/pingone"
)

// ErrTemporaryAccess matches every *TemporaryAccessError.
var ErrTemporaryAccess = errors.New("mfa: on temporary access, an existing phone cannot be changed")

// TemporaryAccessError refuses a change to a person's phones while they are signed in on
// temporary access (PingOne's MFA bypass): their sign-in proved the password alone, so they
// may add a first phone, but not change one they have or add one beside it; the help desk can
// replace a lost phone.
type TemporaryAccessError struct{ Until time.Time }

func (e *TemporaryAccessError) Error() string {
	return fmt.Sprintf("%s (until %s)", ErrTemporaryAccess, e.Until.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrTemporaryAccess) true.
func (e *TemporaryAccessError) Is(target error) bool { return target == ErrTemporaryAccess }

// ErrDuration is a temporary access length the help desk may not give.
var ErrDuration = errors.New("mfa: temporary access length not offered")

// OnTemporaryAccess reports whether the proof's sign-in came while the person had temporary
// access that has not ended yet.
func (s *Service) OnTemporaryAccess(p Proof) bool {
	return !p.TemporaryUntil.IsZero() && s.now().Before(p.TemporaryUntil)
}

// temporaryRule is the step-up rule's part for temporary access: with an active phone, no
// change at all, whatever else the session shows (a code typed for a phone added on temporary
// access proves that phone, not the person's older ones).
func (s *Service) temporaryRule(l List, p Proof) error {
	if s.OnTemporaryAccess(p) && l.HasActive() {
		return &TemporaryAccessError{Until: p.TemporaryUntil}
	}
	return nil
}

// TemporaryAccess reads the user's temporary access from PingOne.
func (s *Service) TemporaryAccess(ctx context.Context, userID string) (*pingone.Bypass, error) {
	return s.client.GetBypassMFA(ctx, userID)
}

// GrantTemporaryAccess lets the user sign in without a second factor for d, one of the
// offered lengths (allowed) and at most max; it returns the end PingOne keeps.
func (s *Service) GrantTemporaryAccess(ctx context.Context, userID string, d time.Duration, allowed []time.Duration, max time.Duration) (time.Time, error) {
	if !slices.Contains(allowed, d) || d > max {
		return time.Time{}, fmt.Errorf("%w: %s (at most %s)", ErrDuration, d, max)
	}
	b, err := s.client.SetBypassMFA(ctx, userID, s.now().Add(d))
	if err != nil {
		return time.Time{}, err
	}
	return b.Until, nil
}

// EndTemporaryAccess ends the user's temporary access now.
func (s *Service) EndTemporaryAccess(ctx context.Context, userID string) error {
	return s.client.EndBypassMFA(ctx, userID)
}
