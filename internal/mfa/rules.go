package mfa

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/smsmfa/portal/pingone"
)

// DefaultMaxDevices is PingOne's default cap on a person's MFA devices
// (mfaSettings.pairing.maxAllowedDevices), used when the settings cannot be read.
const DefaultMaxDevices = 5

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

// HasActive reports whether any device in the list is active in PingOne, whatever its lock or
// block: a locked or blocked phone is still the person's second factor.
func (l List) HasActive() bool {
	return slices.ContainsFunc(l, func(d Device) bool { return d.Status == pingone.StatusActive })
}

// Counted is how many devices count toward PingOne's cap: active and blocked ones (a phone
// waiting for its code does not count).
func (l List) Counted() int {
	n := 0
	for _, d := range l {
		if d.Status == pingone.StatusActive || d.Blocked {
			n++
		}
	}
	return n
}

// CanAdd reports whether the person may add a device under PingOne's cap max.
func (l List) CanAdd(max int) bool { return l.Counted() < max }

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
	// ACR, AuthTime and AMR are the last sign-in's policy, time and methods (AMR as PingOne
	// sent it; empty when it sent none).
	ACR      string
	AuthTime time.Time
	AMR      []string
	// CodeTyped is when they last typed a code PingOne texted to one of their phones: as good
	// as an MFA sign-in for the step-up age.
	CodeTyped time.Time
	// TemporaryUntil is the end of the temporary access (PingOne's MFA bypass) the person had
	// when they signed in; zero when none.
	TemporaryUntil time.Time
	// MailboxProved is when they last typed a code PingOne emailed to their directory address
	// (FIRST_PHONE_PROOF=email).
	MailboxProved time.Time
	// Staff is set when the person is help-desk staff: their own first phone comes from an
	// administrator (issue #21), never activated in the portal on a password alone
	// (ErrFirstPhoneElsewhere).
	Staff bool
}

// ErrStepUp matches every *StepUpError.
var ErrStepUp = errors.New("mfa: adding a method next to an active one needs a recent MFA sign-in")

// StepUpError asks for the step-up before a change; Masked is the phone PingOne will text.
type StepUpError struct{ Masked string }

func (e *StepUpError) Error() string { return ErrStepUp.Error() }

// Is makes errors.Is(err, ErrStepUp) true.
func (e *StepUpError) Is(target error) bool { return target == ErrStepUp }

// ErrNoUsablePhone matches every *NoUsablePhoneError.
var ErrNoUsablePhone = errors.New("mfa: a change needs a step-up, and no phone can receive its code")

// NoUsablePhoneError is a change that needs a step-up while every active phone of the person
// is locked or blocked: nobody can pass the step-up, so only the help desk can help. Blocked
// tells which; LockedUntil is when the first lock ends (zero if unknown or blocked).
type NoUsablePhoneError struct {
	Blocked     bool
	LockedUntil time.Time
	// Wait is how long until the first lock ends (zero when unknown or blocked).
	Wait time.Duration
}

func (e *NoUsablePhoneError) Error() string {
	if e.Blocked {
		return ErrNoUsablePhone.Error() + " (blocked)"
	}
	return ErrNoUsablePhone.Error() + " (locked)"
}

// Is makes errors.Is(err, ErrNoUsablePhone) true.
func (e *NoUsablePhoneError) Is(target error) bool { return target == ErrNoUsablePhone }

// StepUpPolicy is the sign-in to ask PingOne for when a step-up is needed.
func (s *Service) StepUpPolicy() StepUp { return s.stepUp }

// SecondFactor reports whether a sign-in's amr (RFC 8176 method references) shows more than a
// password. PingOne's acr names the sign-on policy that ran, not what the person did: a policy
// can let someone through on the password alone, and amr then says so. An empty amr (PingOne
// did not send one) leaves the decision to acr.
func SecondFactor(amr []string) bool {
	if len(amr) == 0 {
		return true
	}
	for _, m := range amr {
		switch m {
		case "pwd", "pin", "kba", "user":
		default:
			return true
		}
	}
	return false
}

// Proven reports whether the proof is recent enough to change methods without a step-up.
func (s *Service) Proven(p Proof) bool {
	if s.SignedInWithMFA(p, s.stepUp.MaxAge) {
		return true
	}
	return !p.CodeTyped.IsZero() && s.now().Sub(p.CodeTyped) <= s.stepUp.MaxAge
}

// SignedInWithMFA reports whether the proof's sign-in went through the step-up policy within
// maxAge: its ACR, an auth_time, and a second factor where PingOne reported the methods. A code
// typed in the session does not count (the help desk wants PingOne's own MFA sign-in).
func (s *Service) SignedInWithMFA(p Proof, maxAge time.Duration) bool {
	return s.stepUp.ACR != "" && p.ACR == s.stepUp.ACR && !p.AuthTime.IsZero() &&
		s.now().Sub(p.AuthTime) <= maxAge && SecondFactor(p.AMR)
}

// CheckStepUp decides whether a sign-in started as a step-up proved it: the policy's ACR, an
// auth_time within the step-up age (with a minute for clocks; a token without auth_time proves
// nothing, since its iat is always fresh), and, where PingOne sent amr, a second factor. The
// error says which part failed, for the operator's log.
func (s *Service) CheckStepUp(acr string, authTime time.Time, amr []string) error {
	switch {
	case acr != s.stepUp.ACR:
		return fmt.Errorf("step-up: acr %q, want %q", acr, s.stepUp.ACR)
	case authTime.IsZero():
		return errors.New("step-up: the ID token has no auth_time")
	case s.now().Sub(authTime) > s.stepUp.MaxAge+time.Minute:
		return fmt.Errorf("step-up: auth_time %s is older than %s", authTime.UTC().Format(time.RFC3339), s.stepUp.MaxAge)
	case !SecondFactor(amr):
		return fmt.Errorf("step-up: amr %v shows no second factor (the sign-on policy let the person through without one)", amr)
	}
	return nil
}

// StepUpFor is the step-up decision: a *StepUpError when the person has a phone that is active
// in PingOne (whatever its lock or block) and no recent proof, else nil. A first phone needs only
// the normal sign-in: there is nothing yet to prove MFA with. When every active phone is locked
// or blocked nobody can pass the step-up: a *NoUsablePhoneError sends the person to the help
// desk, so locking a victim's phone never opens a way around it.
func (s *Service) StepUpFor(l List, p Proof) error {
	if err := s.temporaryRule(l, p); err != nil {
		return err
	}
	if s.Proven(p) || !l.HasActive() {
		return nil
	}
	none := &NoUsablePhoneError{Blocked: true}
	for _, d := range l {
		if d.Status != pingone.StatusActive {
			continue
		}
		if d.Usable() {
			return &StepUpError{Masked: d.Masked}
		}
		if !d.Blocked {
			none.Blocked = false
			if none.LockedUntil.IsZero() || (!d.LockedUntil.IsZero() && d.LockedUntil.Before(none.LockedUntil)) {
				none.LockedUntil = d.LockedUntil
			}
		}
	}
	if !none.LockedUntil.IsZero() {
		none.Wait = max(none.LockedUntil.Sub(s.now()), time.Second)
	}
	return none
}

// StepUp is StepUpFor for a request that has not read the list: it reads it only when the
// proof is not recent, and returns what it read (nil otherwise) with the decision.
func (s *Service) StepUp(ctx context.Context, userID string, p Proof) (List, error) {
	if s.Proven(p) && !s.OnTemporaryAccess(p) {
		return nil, nil
	}
	l, err := s.Devices(ctx, userID)
	if err != nil {
		return nil, err
	}
	return l, s.StepUpFor(l, p)
}

// FirstPhoneEmail is Options.FirstPhoneProof asking for a code emailed to the person's
// directory address before a first phone.
const FirstPhoneEmail = "email"

// First-phone refusals (issue #21).
var (
	// ErrFirstPhoneElsewhere: help-desk staff and members of protected groups do not register
	// their own first phone in the portal; an administrator adds it in PingOne after checking
	// who they are.
	ErrFirstPhoneElsewhere = errors.New("mfa: staff and protected people get their first phone from an administrator")
	// ErrMailboxProof: a first phone needs a code emailed to the person's directory address
	// first (FIRST_PHONE_PROOF=email), typed within the step-up age.
	ErrMailboxProof = errors.New("mfa: a first phone needs the code emailed to the directory address first")
)

// ActiveChangedSince returns the active devices (whatever their lock or block: PingOne may
// still let them through) added or changed in PingOne after since (Device.Changed).
func (l List) ActiveChangedSince(since time.Time) List {
	var out List
	for _, d := range l {
		if d.Status == pingone.StatusActive && d.Changed().After(since) {
			out = append(out, d)
		}
	}
	return out
}

// NewAtSignIn returns the active devices that may have proved an MFA sign-in at signIn and
// were then added or changed within wait (issue #21): those added before it (a minute allowed
// for clocks; one added later cannot have proved it) whose createdAt or updatedAt falls within
// wait before it, or after it (a rename, unlock or block restarts the wait: erring towards
// refusing). It judges the sign-in, not the moment of asking: a sign-in 23 hours after a phone
// was added does not pass an hour later.
func (l List) NewAtSignIn(signIn time.Time, wait time.Duration) List {
	var out List
	for _, d := range l {
		if d.Status == pingone.StatusActive && !d.Created.After(signIn.Add(time.Minute)) && d.Changed().After(signIn.Add(-wait)) {
			out = append(out, d)
		}
	}
	return out
}

// ActivatesFirstPhone reports whether activating the device would give the person their first
// active phone: no other device of theirs is active.
func (l List) ActivatesFirstPhone(deviceID string) bool {
	return !slices.ContainsFunc(l, func(d Device) bool { return d.ID != deviceID && d.Status == pingone.StatusActive })
}

// FirstPhone is the rule for a person adding a phone while they have no active one (a first
// phone needs no step-up: there is nothing yet to prove MFA with). Help-desk staff and members
// of protected groups are refused (ErrFirstPhoneElsewhere): their password alone must never
// give their account a second factor. With FIRST_PHONE_PROOF=email, a person who has not typed
// the code emailed to their directory address within the step-up age is asked to
// (ErrMailboxProof). A person with an active phone passes: the step-up covers them.
func (s *Service) FirstPhone(ctx context.Context, userID string, l List, p Proof) error {
	if l.HasActive() {
		return nil
	}
	if s.privileged != nil {
		priv, err := s.privileged(ctx, userID)
		if err != nil {
			return err
		}
		if priv {
			return ErrFirstPhoneElsewhere
		}
	}
	if s.firstPhoneProof == FirstPhoneEmail && (p.MailboxProved.IsZero() || s.now().Sub(p.MailboxProved) > s.stepUp.MaxAge) {
		return ErrMailboxProof
	}
	return nil
}

// StaffFirstPhone is the rule for activating a phone of one's own (self: the person's proof,
// nil when staff act for the user) whose devices are l: help-desk staff do not activate their
// own first phone (ErrFirstPhoneElsewhere), even one already waiting for its code (made before
// this rule, or by mistake); it comes from an administrator after checking who they are.
func StaffFirstPhone(l List, deviceID string, self *Proof) error {
	if self != nil && self.Staff && l.ActivatesFirstPhone(deviceID) {
		return ErrFirstPhoneElsewhere
	}
	return nil
}
