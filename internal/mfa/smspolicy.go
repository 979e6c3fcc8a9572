package mfa

import (
	"context"
	"errors"
	"time"

	"github.com/smsmfa/portal/pingone"
)

// ErrPairingOff is the company's device authentication policy letting no new SMS phone be
// paired: SMS off, or its pairing disabled (a method being phased out). Nothing is sent;
// phones already active keep working and stay removable.
var ErrPairingOff = errors.New("mfa: the MFA policy lets no new SMS phone be paired")

// CodeRules are the SMS code's rules in force, from the device authentication policy: what the
// pages tell people about the code they are sent.
type CodeRules struct {
	// Length is the code's number of digits (6 to 10).
	Length int
	// Lifetime is how long a code works; 0 when the policy could not be read.
	Lifetime time.Duration
	// Tries is how many wrong entries of one code PingOne takes before the person must wait
	// CoolDown; 0 when the policy could not be read.
	Tries    int
	CoolDown time.Duration
	// CanPair is whether a new SMS phone may be added (or a pending one finished).
	CanPair bool
	// Known is false when the policy could not be read: the rules are PingOne's defaults and
	// pairing is left for PingOne to decide.
	Known bool
}

// CodeRules reads the device authentication policy (kept a minute by the client). When it
// cannot be read the rules are PingOne's defaults, pairing is allowed (PingOne still refuses
// what its policy forbids, and that refusal is recognised), and a WARN line, once a minute,
// says why.
func (s *Service) CodeRules(ctx context.Context) CodeRules {
	p, err := s.client.DevicePolicy(ctx)
	if err != nil {
		if last := s.policyWarned.Load(); s.now().Unix()-last >= 60 && s.policyWarned.CompareAndSwap(last, s.now().Unix()) {
			s.log.WarnContext(ctx, "device authentication policy not readable; assuming SMS may be paired with PingOne's default code", "error", err.Error())
		}
		return CodeRules{Length: pingone.DefaultOTPLength, CanPair: true}
	}
	return CodeRules{Length: p.SMS.OTPLength, Lifetime: p.SMS.OTPLifetime, Tries: p.SMS.FailureCount, CoolDown: p.SMS.CoolDown,
		CanPair: p.SMS.CanPair(), Known: true}
}

// CanFinish answers ErrPairingOff when a phone waiting for its code may not be finished: the
// policy in force lets no SMS phone be paired any more. Verify and Resend refuse then too.
func (s *Service) CanFinish(ctx context.Context) error { return s.pairingAllowed(ctx) }

// pairingAllowed answers ErrPairingOff when the policy in force lets no new SMS phone be paired.
func (s *Service) pairingAllowed(ctx context.Context) error {
	if !s.CodeRules(ctx).CanPair {
		return ErrPairingOff
	}
	return nil
}
