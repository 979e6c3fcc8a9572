package mfa

import (
	"context"
	"errors"
	"fmt"

	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// Started is the outcome of StartSMS.
type Started struct {
	Device Device
	// Resumed is set when the number was already waiting for a code: no second device was made.
	Resumed bool
	// CodeSent is false when a code was sent so recently that another was not.
	CodeSent bool
}

// StartSMS's refusals, besides *StepUpError and *DeviceLimitError.
var (
	// ErrAlreadyActive is a number the user has registered and active already.
	ErrAlreadyActive = errors.New("mfa: this number is already registered and active")
	// ErrNumberRefused is a number PingOne would not register; it wraps PingOne's error.
	ErrNumberRefused = errors.New("mfa: PingOne refused the number")
)

// StartSMS registers the number for the user and has PingOne text a code. The same number
// already waiting resumes that device (a new code, within the cool-down); already active is
// ErrAlreadyActive. A create whose answer is lost is looked up, never sent again.
//
// self is the proof of the person adding a phone for themselves, checked with StepUpFor on the
// same device list: a *StepUpError comes back when they must step up first. It is nil when
// staff act for the user: the step-up is about a person's own session.
func (s *Service) StartSMS(ctx context.Context, userID, input, region string, self *Proof) (Started, error) {
	num, err := s.policy.Parse(input, region)
	if err != nil {
		return Started{}, err
	}
	// The company's MFA policy first: with SMS off or its pairing disabled nothing is created
	// or texted, whatever PingOne would answer (its refusal is recognised below all the same).
	if err := s.pairingAllowed(ctx); err != nil {
		return Started{}, err
	}
	// PingOne's own list, never the cache: the step-up, the cap and "resume, don't duplicate"
	// decide on it, and a phone added outside the portal a moment ago must count.
	before, err := s.freshList(ctx, userID)
	if err != nil {
		return Started{}, err
	}
	return s.startOn(ctx, userID, before, num.E164, self)
}

// startOn is StartSMS past the number and the company's policy, deciding on before, the list
// just read from PingOne (StartReplace reads it once for both its checks and these).
func (s *Service) startOn(ctx context.Context, userID string, before *cachedList, e164 string, self *Proof) (Started, error) {
	existing, err := s.mayAdd(ctx, userID, before.Devices, e164, self)
	if err != nil {
		return Started{}, err
	}
	if existing != nil {
		return s.resume(ctx, userID, existing, e164)
	}
	return s.create(ctx, userID, before, e164)
}

// mayAdd decides, on PingOne's own list, whether the number may be added: the person's
// step-up and first-phone rules (self), the number already active, the device cap. It returns
// the device already waiting for a code with that number, if any.
func (s *Service) mayAdd(ctx context.Context, userID string, devs []pingone.Device, e164 string, self *Proof) (*pingone.Device, error) {
	if self != nil {
		if err := s.StepUpFor(list(devs), *self); err != nil {
			return nil, err
		}
		if err := s.FirstPhone(ctx, userID, list(devs), *self); err != nil {
			return nil, err
		}
	}
	// A number the person has active already is answered as such before the cap: "already
	// registered" is what they need to hear (issue #21). One waiting for its code is not: at
	// the cap PingOne would refuse its activation, so no code goes to it.
	existing := pickSMS(devs, e164)
	if existing == nil || existing.Status != pingone.StatusActive {
		if max := s.DeviceCap(ctx); !list(devs).CanAdd(max) {
			return nil, &DeviceLimitError{Max: max}
		}
	}
	if existing == nil {
		return nil, nil
	}
	switch existing.Status {
	case pingone.StatusActive:
		return nil, ErrAlreadyActive
	case pingone.StatusActivationRequired:
		return existing, nil
	}
	return nil, nil
}

// resume answers a number already waiting for its code: a new code, within the cool-down.
func (s *Service) resume(ctx context.Context, userID string, existing *pingone.Device, e164 string) (Started, error) {
	sent, err := s.resend(ctx, userID, existing.ID, e164)
	if err != nil && !errors.As(err, new(*limits.Error)) {
		s.forget(ctx, userID)
		return Started{}, err
	}
	// Within a limit the earlier code still works: resume without a new text.
	return Started{Device: view(*existing, false), Resumed: true, CodeSent: sent}, nil
}

// create has PingOne make the device and text its first code, within the limits.
func (s *Service) create(ctx context.Context, userID string, before *cachedList, e164 string) (Started, error) {
	// The cool-down is reserved with the rest, before PingOne texts: an instance that dies
	// after the create leaves it taken, so a retry elsewhere cannot send a second text.
	rs, err := s.reserve(ctx, append([]limits.Key{{Rule: s.rules().NewDevice, Subject: userID},
		{Rule: s.rules().TextsToNumber, Subject: e164}, s.coolDownKey(userID, e164)}, s.limits.TextKeys(ctx, userID)...))
	if err != nil {
		return Started{}, err
	}
	d, err := s.client.CreateSMSDevice(ctx, userID, pingone.NewSMSDevice{Phone: e164,
		Status: pingone.StatusActivationRequired, PolicyID: s.devicePolicyID})
	if err == nil {
		s.changed(ctx, userID, before, d)
		s.countText(e164)
		return Started{Device: view(*d, false), CodeSent: true}, nil
	}
	s.forget(ctx, userID)
	return s.createFailed(ctx, userID, e164, rs, err)
}

// createFailed answers a create PingOne refused or whose answer was lost, giving back the
// slots of a text PingOne did not send.
func (s *Service) createFailed(ctx context.Context, userID, e164 string, rs store.Reservations, err error) (Started, error) {
	switch {
	case pingone.IsDeviceLimit(err):
		s.giveBack(ctx, rs)
		// PingOne's own count decides (its settings may have changed since they were read).
		max, ok := pingone.MaximumAllowed(err)
		if !ok {
			max = s.DeviceCap(ctx)
		}
		return Started{}, &DeviceLimitError{Max: max}
	case pingone.IsInvalidValue(err):
		s.giveBack(ctx, rs)
		return Started{}, fmt.Errorf("%w: %w", ErrNumberRefused, err)
	case pingone.IsPairingRefused(err):
		// The policy changed since it was read: PingOne made nothing and texted nothing.
		s.giveBack(ctx, rs)
		return Started{}, fmt.Errorf("%w: %w", ErrPairingOff, err)
	case pingone.IsUnreachable(err) || pingone.IsUnavailable(err):
		// The device may have been made before the answer was lost: look, don't create again.
		found, ferr := s.findSMS(ctx, userID, e164)
		if ferr == nil && found != nil && found.Status == pingone.StatusActivationRequired {
			s.log.WarnContext(ctx, "device create answer lost; found the device it made", "device_id", found.ID, "error", err.Error())
			s.countText(e164)
			return Started{Device: view(*found, false), CodeSent: true}, nil
		}
		if ferr == nil {
			// PingOne holds no such device: nothing was made, so nothing was texted.
			s.giveBack(ctx, rs)
		}
	default:
		s.giveBack(ctx, rs)
	}
	return Started{}, err
}

func (s *Service) findSMS(ctx context.Context, userID, e164 string) (*pingone.Device, error) {
	// PingOne's own list, never the cache: this decides whether a device was made.
	devs, err := s.freshDevices(ctx, userID)
	if err != nil {
		return nil, err
	}
	return pickSMS(devs, e164), nil
}

// pickSMS finds the SMS device for the number in a device list, or nil.
func pickSMS(devs []pingone.Device, e164 string) *pingone.Device {
	// Prefer an active device, then a waiting one: PingOne may hold both for one number if
	// another tool made them.
	var waiting *pingone.Device
	for i := range devs {
		d := &devs[i]
		if d.Type != "SMS" || d.PhoneE164() != e164 {
			continue
		}
		if d.Status == pingone.StatusActive {
			return d
		}
		if waiting == nil && d.Status == pingone.StatusActivationRequired {
			waiting = d
		}
	}
	return waiting
}

// ErrDeviceLimit matches every *DeviceLimitError.
var ErrDeviceLimit = errors.New("mfa: the user has as many devices as PingOne allows")

// DeviceLimitError is PingOne's cap on a person's devices (mfaSettings.pairing.maxAllowedDevices)
// reached: Max is the cap. It matches errors.Is(err, ErrDeviceLimit).
type DeviceLimitError struct{ Max int }

func (e *DeviceLimitError) Error() string { return fmt.Sprintf("%v (%d)", ErrDeviceLimit, e.Max) }

// Is makes errors.Is(err, ErrDeviceLimit) true.
func (e *DeviceLimitError) Is(target error) bool { return target == ErrDeviceLimit }

// DeviceCap is how many active or blocked devices PingOne lets one person have
// (mfaSettings.pairing.maxAllowedDevices, cached by the client). When the settings cannot be
// read it is PingOne's default, and a WARN line says why: PingOne still enforces its own cap,
// and its refusal names the real figure.
func (s *Service) DeviceCap(ctx context.Context) int {
	m, err := s.client.MFASettings(ctx)
	if err != nil || m.MaxAllowedDevices <= 0 {
		reason := "no value"
		if err != nil {
			reason = err.Error()
		}
		// Once a minute is enough for the operator; every page that shows the cap asks.
		if last := s.capWarned.Load(); s.now().Unix()-last >= 60 && s.capWarned.CompareAndSwap(last, s.now().Unix()) {
			s.log.WarnContext(ctx, "MFA settings not readable; assuming PingOne's default device limit", "default", DefaultMaxDevices, "error", reason)
		}
		return DefaultMaxDevices
	}
	return m.MaxAllowedDevices
}
