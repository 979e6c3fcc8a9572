package mfa

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// Resend has PingOne text a new code, within the limits: one per 30 s per device, five an
// hour per person, three per 5 minutes to any one number.
//
// It returns the device it read (for the page that answers a refusal), even with an error
// once the device is known.
func (s *Service) Resend(ctx context.Context, userID, deviceID string) (Device, error) {
	d, err := s.client.GetDevice(ctx, userID, deviceID)
	if pingone.IsNotFound(err) {
		return Device{}, ErrNotFound
	}
	if err != nil {
		return Device{}, err
	}
	if d.Status != pingone.StatusActivationRequired {
		return view(*d, false), ErrNotPending
	}
	if err := s.pairingAllowed(ctx); err != nil {
		return view(*d, false), err
	}
	_, err = s.resend(ctx, userID, deviceID, d.PhoneE164())
	return view(*d, false), err
}

func (s *Service) resend(ctx context.Context, userID, deviceID, e164 string) (bool, error) {
	rs, err := s.reserve(ctx, append([]limits.Key{s.coolDownKey(userID, e164),
		{Rule: s.rules().ResendHour, Subject: userID}, {Rule: s.rules().TextsToNumber, Subject: e164}},
		s.limits.TextKeys(ctx, userID)...))
	if err != nil {
		return false, err
	}
	err = s.client.ResendActivationCode(ctx, userID, deviceID)
	if err == nil {
		s.countText(e164)
		return true, nil
	}
	// PingOne answered with a refusal, so nothing was texted: the slots go back. A lost answer
	// may hide a sent text; its slots stay taken, erring towards refusing.
	if !pingone.IsUnreachable(err) && !errors.Is(err, context.DeadlineExceeded) {
		s.giveBack(ctx, rs)
	}
	switch {
	case pingone.IsNotFound(err):
		return false, ErrNotFound
	case pingone.IsPairingRefused(err):
		return false, fmt.Errorf("%w: %w", ErrPairingOff, err)
	case isLocked(err):
		return false, s.lockedError(ctx, userID, deviceID)
	}
	if isBadRequest(err) {
		return false, ErrNotPending
	}
	return false, err
}

func (s *Service) rules() limits.Rules { return s.limits.Rules() }

// countText tells Texted the country of a number a code was just texted to.
func (s *Service) countText(e164 string) {
	if s.texted != nil {
		s.texted(phone.RegionOf(e164))
	}
}

// reserve takes the slots of every limit a text or a new device counts against, before PingOne
// is asked: parallel requests cannot all pass the same free slot. Only a refusal (*limits.Error)
// or a store outage (store.ErrUnavailable: no text while limits cannot be checked) stops it.
func (s *Service) reserve(ctx context.Context, keys []limits.Key) (store.Reservations, error) {
	rs, err := s.limits.Reserve(ctx, keys...)
	if err != nil && !errors.As(err, new(*limits.Error)) {
		s.log.ErrorContext(ctx, "limits cannot be checked; nothing sent", "error", err.Error())
	}
	return rs, err
}

// giveBack returns slots taken for a text PingOne did not send. The request's own deadline
// may be what failed, so the give-back gets a moment of its own.
func (s *Service) giveBack(ctx context.Context, rs store.Reservations) {
	if err := rs.GiveBack(ctx); err != nil {
		s.log.WarnContext(ctx, "could not give back limit slots", "error", err.Error())
	}
}

// coolDownKey is the resend cool-down of one person's number. It is keyed by the number, not
// the device, so that it can be reserved before PingOne makes the device and texts its first
// code (issue #21): the device's ID is known only after.
func (s *Service) coolDownKey(userID, e164 string) limits.Key {
	return limits.Key{Rule: s.rules().ResendShort, Subject: userID + " " + e164}
}

// CoolDownLeft returns how long until a new code may be sent to the person's number (as a
// device shows it: Device.Number).
func (s *Service) CoolDownLeft(ctx context.Context, userID, number string) time.Duration {
	w, err := s.limits.Wait(ctx, s.coolDownKey(userID, pingone.NormalizePhone(number)))
	if err != nil {
		return 0
	}
	return w
}
