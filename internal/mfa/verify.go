package mfa

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode"

	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// codeRe is PingOne's SMS code: otpLength of the device authentication policy, 6 to 10 digits.
var codeRe = regexp.MustCompile(`^[0-9]{6,10}$`)

// CleanCode is the one rule for a typed code, the person's own and the one a caller reads to
// the help desk alike: the spaces and hyphens people group digits with ("123 456", "123-456")
// are dropped; anything else that is not a digit refuses the code ("12a3456" is a typo, not
// 123456), as does a length other than PingOne's 6 to 10 digits. ok is false when refused.
func CleanCode(in string) (code string, ok bool) {
	out := make([]byte, 0, 10)
	for _, r := range in {
		switch {
		case r >= '0' && r <= '9':
			out = append(out, byte(r))
		case r == '-' || unicode.IsSpace(r):
		default:
			return "", false
		}
		if len(out) > 10 {
			return "", false
		}
	}
	return string(out), codeRe.Match(out)
}

// Verify's refusals, besides *LockedError and ErrNotFound.
var (
	// ErrBadCode is a code that is not 6 to 10 digits.
	ErrBadCode = errors.New("mfa: a code is 6 to 10 digits")
	// ErrWrongCode is a code PingOne did not accept: wrong, or expired.
	ErrWrongCode = errors.New("mfa: wrong or expired code")
	// ErrNotPending is a device not waiting for a code (Resend refuses it too).
	ErrNotPending = errors.New("mfa: the device is not waiting for a code")
)

// Verify activates the device with the code and turns MFA on for the user if it was off. With
// ErrWrongCode or a *LockedError it returns the device as it read it to tell the two apart
// (empty when that read failed), so that the code page needs no read of its own.
//
// self is the proof of the person activating a phone of their own, nil when staff act for the
// user: a staff member's own first phone is refused (StaffFirstPhone, ErrFirstPhoneElsewhere,
// with the device as listed) before the code is checked.
func (s *Service) Verify(ctx context.Context, userID, deviceID, code string, self *Proof) (Device, error) {
	return s.verify(ctx, userID, deviceID, code, self, false)
}

// VerifyMFAOff is Verify for a caller who knows the user's mfaEnabled was off (the person's
// own sign-in read it, and nothing in the portal has turned it on since): MFA is turned on
// without reading the user again. Should it have been turned on elsewhere meanwhile, setting
// it again changes nothing.
func (s *Service) VerifyMFAOff(ctx context.Context, userID, deviceID, code string, self *Proof) (Device, error) {
	return s.verify(ctx, userID, deviceID, code, self, true)
}

func (s *Service) verify(ctx context.Context, userID, deviceID, code string, self *Proof, mfaOff bool) (Device, error) {
	code, ok := CleanCode(code)
	if !ok {
		return Device{}, ErrBadCode
	}
	if d, err := s.staffFirstPhone(ctx, userID, deviceID, self); err != nil {
		return d, err
	}
	// Finishing a pairing is pairing: with the policy against it, PingOne is not asked.
	if err := s.pairingAllowed(ctx); err != nil {
		return Device{}, err
	}
	// The guess is taken before the code is checked, so parallel guesses cannot pass one free
	// try together; it counts as wrong unless given back below.
	guess, err := s.limits.Guess(ctx, deviceID)
	if err != nil {
		return Device{}, err
	}
	before := s.cachedDevices(ctx, userID)
	d, err := s.client.ActivateDevice(ctx, userID, deviceID, code)
	if err == nil {
		s.changed(ctx, userID, before, d)
	} else {
		s.forget(ctx, userID)
	}
	if !pingone.IsWrongCode(err) {
		// A right code, or one never checked (PingOne failed), is no wrong guess.
		s.giveBack(ctx, store.Reservations{guess})
	}
	if err != nil {
		if d, err = s.activateFailed(ctx, userID, deviceID, err); err != nil {
			if d == nil {
				return Device{}, err
			}
			return view(*d, false), err
		}
	}
	ensure := s.EnsureMFAEnabled
	if mfaOff {
		ensure = func(ctx context.Context, userID string) error { return s.client.SetMFAEnabled(ctx, userID, true) }
	}
	if err := ensure(ctx, userID); err != nil {
		// The phone is registered; MFA being off is fixed on the next success or by the help
		// desk. Still an error: the person must not believe MFA is on when it is not.
		return view(*d, false), fmt.Errorf("mfa: set mfaEnabled: %w", err)
	}
	return view(*d, false), nil
}

// activateFailed answers an activation PingOne did not confirm: a wrong code, a locked or
// missing device, pairing refused, or a lost answer after which the device is active anyway
// (then it returns the device and no error). With an error, the device returned is the one it
// read to tell the refusals apart, or nil.
func (s *Service) activateFailed(ctx context.Context, userID, deviceID string, err error) (*pingone.Device, error) {
	switch {
	case pingone.IsWrongCode(err):
		// Each wrong code uses up one of the device's tries; the portal's lock adds to PingOne's.
		// PingOne may answer a locked device with the same error as a wrong code: read the
		// device, so a locked phone is never "wrong code" forever.
		cur, gerr := s.client.GetDevice(ctx, userID, deviceID)
		if gerr != nil {
			return nil, ErrWrongCode
		}
		if cur.Locked() {
			return cur, s.locked(cur)
		}
		return cur, ErrWrongCode
	case pingone.IsNotFound(err):
		return nil, ErrNotFound
	case pingone.IsPairingRefused(err):
		return nil, fmt.Errorf("%w: %w", ErrPairingOff, err)
	case isLocked(err):
		cur, gerr := s.client.GetDevice(ctx, userID, deviceID)
		if gerr != nil {
			return nil, &LockedError{}
		}
		return cur, s.locked(cur)
	}
	// A lost answer or a refusal because it is already active: read the device to know.
	cur, gerr := s.client.GetDevice(ctx, userID, deviceID)
	if gerr != nil || cur.Status != pingone.StatusActive {
		if isBadRequest(err) && gerr == nil {
			if cur.Locked() {
				return nil, s.locked(cur)
			}
			return nil, ErrNotPending
		}
		return nil, err
	}
	s.log.WarnContext(ctx, "activate answer lost; the device is active", "device_id", deviceID, "error", err.Error())
	return cur, nil
}

// isBadRequest reports whether PingOne refused the request itself (400), wrapped or not.
func isBadRequest(err error) bool {
	var pe *pingone.Error
	return errors.As(err, &pe) && pe.StatusCode == 400
}

func isLocked(err error) bool {
	var pe *pingone.Error
	if !errors.As(err, &pe) {
		return false
	}
	for _, d := range pe.Details {
		if d.Code == "DEVICE_LOCKED" || d.Code == "LOCKED" {
			return true
		}
	}
	return false
}

// lockedError reads the device to say until when it is locked (zero when PingOne does not say).
func (s *Service) lockedError(ctx context.Context, userID, deviceID string) error {
	if cur, err := s.client.GetDevice(ctx, userID, deviceID); err == nil {
		return s.locked(cur)
	}
	return &LockedError{}
}

func (s *Service) locked(d *pingone.Device) *LockedError {
	e := &LockedError{Until: d.LockedUntil()}
	if !e.Until.IsZero() {
		e.Wait = max(e.Until.Sub(s.now()), time.Second)
	}
	return e
}

// ErrLocked matches every *LockedError.
var ErrLocked = errors.New("mfa: too many wrong codes; the device is locked")

// LockedError is a device locked after too many wrong codes; Until is when PingOne lifts the
// lock (zero when it does not say). It matches errors.Is(err, ErrLocked).
type LockedError struct {
	Until time.Time
	// Wait is how long until then (zero when unknown).
	Wait time.Duration
}

func (e *LockedError) Error() string {
	if e.Until.IsZero() {
		return ErrLocked.Error()
	}
	return ErrLocked.Error() + " until " + e.Until.UTC().Format(time.RFC3339)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// EnsureMFAEnabled turns MFA on for the user if it is off.
func (s *Service) EnsureMFAEnabled(ctx context.Context, userID string) error {
	u, err := s.client.GetUser(ctx, userID, false)
	if err != nil {
		return err
	}
	if u.MFAEnabled {
		return nil
	}
	return s.client.SetMFAEnabled(ctx, userID, true)
}

// staffFirstPhone applies StaffFirstPhone to the person's devices as shown; the list is read
// only for staff acting for themselves. With ErrFirstPhoneElsewhere it returns the device.
func (s *Service) staffFirstPhone(ctx context.Context, userID, deviceID string, self *Proof) (Device, error) {
	if self == nil || !self.Staff {
		return Device{}, nil
	}
	l, err := s.Devices(ctx, userID)
	if err != nil {
		return Device{}, err
	}
	if err := StaffFirstPhone(l, deviceID, self); err != nil {
		d, _ := l.Find(deviceID)
		return d, err
	}
	return Device{}, nil
}
