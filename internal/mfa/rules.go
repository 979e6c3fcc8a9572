package mfa

import (
	"context"
	"slices"
	"time"
)

// MaxDevices is PingOne's default cap on a person's MFA devices.
const MaxDevices = 5

// List is a person's devices as read once in a request; the rules about the whole list answer
// from it, so a request never reads the list twice.
type List []Device

// Find returns the device with the ID, or ErrNotFound.
func (l List) Find(id string) (Device, error) {
	for _, d := range l {
		if d.ID == id {
			return d, nil
		}
	}
	return Device{}, ErrNotFound
}

// HasActive reports whether any device in the list is active.
func (l List) HasActive() bool {
	return slices.ContainsFunc(l, func(d Device) bool { return d.State == StateActive })
}

// CanAdd reports whether the person may add a device: fewer than MaxDevices.
func (l List) CanAdd() bool { return len(l) < MaxDevices }

// IsLastActive reports whether the device is the person's only active one: removing it leaves
// them without sign-in codes.
func (l List) IsLastActive(id string) bool {
	active := 0
	last := false
	for _, d := range l {
		if d.State == StateActive {
			active++
			last = d.ID == id
		}
	}
	return active == 1 && last
}

// StepUp is the MFA sign-in PingOne is asked for (the sign-on policy ACR, at most MaxAge old)
// before a person who already has an active phone adds or removes a method.
type StepUp struct {
	ACR    string
	MaxAge time.Duration
}

// Proof is what a person's session shows about their last proof of MFA.
type Proof struct {
	// ACR and AuthTime are the last sign-in's policy and time.
	ACR      string
	AuthTime time.Time
	// CodeTyped is when they last typed a code PingOne texted to one of their phones: as good
	// as an MFA sign-in for the step-up age.
	CodeTyped time.Time
}

// StepUpError asks for the step-up before a change; Masked is the phone PingOne will text.
type StepUpError struct{ Masked string }

func (e *StepUpError) Error() string { return ErrStepUp.Error() }

// Is makes errors.Is(err, ErrStepUp) true.
func (e *StepUpError) Is(target error) bool { return target == ErrStepUp }

// StepUpPolicy is the sign-in to ask PingOne for when a step-up is needed.
func (s *Service) StepUpPolicy() StepUp { return s.stepUp }

// Proven reports whether the proof is recent enough to change methods without a step-up.
func (s *Service) Proven(p Proof) bool {
	now := s.now()
	if p.ACR == s.stepUp.ACR && now.Sub(p.AuthTime) <= s.stepUp.MaxAge {
		return true
	}
	return !p.CodeTyped.IsZero() && now.Sub(p.CodeTyped) <= s.stepUp.MaxAge
}

// StepUpAccepted reports whether a sign-in started as a step-up proved it: the policy's ACR,
// signed in within the step-up age (with a minute for clocks).
func (s *Service) StepUpAccepted(acr string, authTime time.Time) bool {
	return acr == s.stepUp.ACR && s.now().Sub(authTime) <= s.stepUp.MaxAge+time.Minute
}

// StepUpFor is the step-up decision: a *StepUpError when the person has an active phone and
// no recent proof, else nil. A first phone needs only the normal sign-in: there is nothing
// yet to prove MFA with.
func (s *Service) StepUpFor(l List, p Proof) error {
	if s.Proven(p) || !l.HasActive() {
		return nil
	}
	masked := "" // the view words a phone without a masked number
	for _, d := range l {
		if d.State == StateActive && d.Masked != "" {
			masked = d.Masked
			break
		}
	}
	return &StepUpError{Masked: masked}
}

// StepUp is StepUpFor for a request that has not read the list: it reads it only when the
// proof is not recent, and returns what it read (nil otherwise) with the decision.
func (s *Service) StepUp(ctx context.Context, userID string, p Proof) (List, error) {
	if s.Proven(p) {
		return nil, nil
	}
	l, err := s.Devices(ctx, userID)
	if err != nil {
		return nil, err
	}
	return l, s.StepUpFor(l, p)
}
