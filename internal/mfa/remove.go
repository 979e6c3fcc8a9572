package mfa

import (
	"context"
	"errors"
)

// Remove deletes one of the user's devices, which the caller has just read (with Device).
//
// self is the proof of the person removing a phone of their own, checked with the step-up rule
// (StepUp) before PingOne is asked: a *StepUpError comes back when they must step up first, a
// *NoUsablePhoneError or *TemporaryAccessError when they cannot. It is nil when staff act for
// the user: the step-up is about a person's own session (as for StartSMS).
func (s *Service) Remove(ctx context.Context, userID string, d Device, self *Proof) error {
	if self != nil {
		if _, err := s.StepUp(ctx, userID, *self); err != nil {
			return err
		}
	}
	defer s.forget(ctx, userID)
	return s.client.DeleteDevice(ctx, userID, d.ID)
}

// StepUpRefused reports whether err is the step-up rule's refusal of a change (a
// *StepUpError, *NoUsablePhoneError or *TemporaryAccessError): decided before PingOne was
// asked to change anything.
func StepUpRefused(err error) bool {
	return errors.Is(err, ErrStepUp) || errors.Is(err, ErrNoUsablePhone) || errors.Is(err, ErrTemporaryAccess)
}
