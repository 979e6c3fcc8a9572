// Package mfa holds the rules for a person's SMS devices: what adding, verifying, resending
// and removing mean, and how a PingOne failure is recovered without losing or duplicating a
// registration (mfa.go); and the rules about the whole list (rules.go): when a change needs a
// step-up MFA sign-in first, the device cap and the last active phone. Handlers call it; it
// calls PingOne.
package mfa

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// ErrNotFound is a device the user does not have: missing, or another user's.
var ErrNotFound = errors.New("mfa: no such device for this user")

// Client is the part of the PingOne client the rules use.
type Client interface {
	CreateSMSDevice(ctx context.Context, userID string, d pingone.NewSMSDevice) (*pingone.Device, error)
	ActivateDevice(ctx context.Context, userID, deviceID, otp string) (*pingone.Device, error)
	ResendActivationCode(ctx context.Context, userID, deviceID string) error
	ListDevices(ctx context.Context, userID string) ([]pingone.Device, error)
	GetDevice(ctx context.Context, userID, deviceID string) (*pingone.Device, error)
	DeleteDevice(ctx context.Context, userID, deviceID string) error
	GetUser(ctx context.Context, userID string, withGroups bool) (*pingone.User, error)
	SetMFAEnabled(ctx context.Context, userID string, enabled bool) error
	UnlockDevice(ctx context.Context, userID, deviceID string) error
	MFASettings(ctx context.Context) (*pingone.MFASettings, error)
	DevicePolicy(ctx context.Context) (*pingone.DevicePolicy, error)
	SetDeviceOrder(ctx context.Context, userID string, deviceIDs []string) error
	RenameDevice(ctx context.Context, userID, deviceID, nickname string) (*pingone.Device, error)
	GetBypassMFA(ctx context.Context, userID string) (*pingone.Bypass, error)
	SetBypassMFA(ctx context.Context, userID string, until time.Time) (*pingone.Bypass, error)
	EndBypassMFA(ctx context.Context, userID string) error
	UserActivities(ctx context.Context, userID string, from, to time.Time, limit int, cursor string) (*pingone.ActivityPage, error)
}

// Service applies the rules.
type Service struct {
	client         Client
	policy         *phone.Policy
	devicePolicyID string
	limits         *limits.Limiter
	now            func() time.Time
	log            *slog.Logger
	stepUp         StepUp
	// cache holds each person's device list for a minute (devcache.go); nil: none.
	cache store.Store
	// privileged and firstPhoneProof are the first-phone rules (Options).
	privileged      func(ctx context.Context, userID string) (bool, error)
	firstPhoneProof string
	// capWarned is when (Unix seconds) the unreadable MFA settings were last logged.
	capWarned atomic.Int64
	// policyWarned is when (Unix seconds) the unreadable device policy was last logged.
	policyWarned atomic.Int64
	// texted is told the country of each number a code was texted to (nil: nobody).
	texted func(country string)
}

// Options configures a Service.
type Options struct {
	DevicePolicyID string
	// Limits counts new devices, texts and wrong codes; nil means one in memory.
	Limits *limits.Limiter
	Now    func() time.Time
	Logger *slog.Logger
	// StepUp is the MFA sign-in asked for before a person with an active phone changes their
	// methods; a MaxAge of zero means 10 minutes.
	StepUp StepUp
	// Cache, when set, keeps each person's device list for a minute between the steps of a
	// journey (devcache.go); the portal's own changes update or drop it.
	Cache store.Store
	// Privileged, when set, reports whether a person is help-desk staff or in a protected
	// group: they register no first phone in the portal (issue #21), since a password alone
	// would then give their account a second factor of the thief's choosing. Asked only when
	// the person has no active phone.
	Privileged func(ctx context.Context, userID string) (bool, error)
	// FirstPhoneProof is FirstPhoneEmail when a person with no active phone must first type a
	// code PingOne emails to their directory address (Proof.MailboxProved); "" or "none" asks
	// for nothing more than the sign-in.
	FirstPhoneProof string
	// Texted, when set, is told the country or region (ISO 3166 code) of each number PingOne
	// texted a code to, never the number: the portal counts texts by country.
	Texted func(country string)
}

// New returns a Service.
func New(client Client, policy *phone.Policy, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Limits == nil {
		o.Limits = limits.NewMemory(o.Now)
	}
	if o.StepUp.MaxAge <= 0 {
		o.StepUp.MaxAge = 10 * time.Minute
	}
	return &Service{client: client, policy: policy, devicePolicyID: o.DevicePolicyID, limits: o.Limits, now: o.Now,
		log: o.Logger, stepUp: o.StepUp, cache: o.Cache, privileged: o.Privileged, firstPhoneProof: o.FirstPhoneProof, texted: o.Texted}
}

// Policy returns the phone policy in force.
func (s *Service) Policy() *phone.Policy { return s.policy }

// State is how a device reads to a person.
type State string

// Device states.
const (
	StateActive  State = "Active"
	StateWaiting State = "Waiting for code"
	StateBlocked State = "Blocked"
	StateLocked  State = "Locked"
	StateOther   State = "Not active"
)

// Device is a device as the portal shows it.
type Device struct {
	ID       string
	Type     string // SMS, EMAIL, TOTP, ...
	Number   string // international format, for SMS devices
	Masked   string // for logs, audit records and the code page
	Nickname string
	State    State
	Default  bool
	Created  time.Time
	// Updated is PingOne's updatedAt: when the device last changed (activation among others).
	Updated time.Time
	// Status is PingOne's status (ACTIVE, ACTIVATION_REQUIRED, ...), whatever the lock or block:
	// the step-up and the device cap decide on it.
	Status string
	// Blocked is set when an administrator blocked the device; Locked after too many wrong
	// codes, until LockedUntil (zero when PingOne did not say).
	Blocked     bool
	Locked      bool
	LockedUntil time.Time
}

// Usable reports whether PingOne would text a sign-in code to the device now: active, neither
// locked nor blocked.
func (d Device) Usable() bool {
	return d.Status == pingone.StatusActive && !d.Locked && !d.Blocked
}

// Changed is when the device was added or last changed in PingOne, whichever is later. PingOne
// does not say when a device was activated; its updatedAt moves then (and on a rename, unlock
// or block too, which errs towards calling a phone new).
func (d Device) Changed() time.Time {
	if d.Updated.After(d.Created) {
		return d.Updated
	}
	return d.Created
}

// IsSMS reports whether the device is an SMS device.
func (d Device) IsSMS() bool { return d.Type == "SMS" }

func view(d pingone.Device, isDefault bool) Device {
	v := Device{ID: d.ID, Type: d.Type, Nickname: d.Nickname, Default: isDefault, Created: d.CreatedAt, Updated: d.UpdatedAt,
		Status: d.Status, Blocked: d.Blocked(), Locked: d.Locked(), LockedUntil: d.LockedUntil()}
	if d.Phone != "" {
		v.Number, v.Masked = phone.Shown(d.Phone)
	}
	switch {
	case d.Locked():
		v.State = StateLocked
	case d.Blocked():
		v.State = StateBlocked
	case d.Status == pingone.StatusActive:
		v.State = StateActive
	case d.Status == pingone.StatusActivationRequired:
		v.State = StateWaiting
	default:
		v.State = StateOther
	}
	return v
}

// Devices lists the user's devices, default first (PingOne's order), as PingOne has them now
// (or as the portal's change of a moment ago left them: devcache.go).
func (s *Service) Devices(ctx context.Context, userID string) (List, error) {
	devs, err := s.shownDevices(ctx, userID)
	if err != nil {
		return nil, err
	}
	return list(devs), nil
}

// list turns PingOne's devices into the portal's, marking the first usable one the default: a
// blocked or locked phone is never shown as the one codes go to.
func list(devs []pingone.Device) List {
	out := make(List, 0, len(devs))
	firstActive := true
	for _, d := range devs {
		isDefault := firstActive && d.Usable()
		if isDefault {
			firstActive = false
		}
		out = append(out, view(d, isDefault))
	}
	return out
}

// Device returns one of the user's devices; another user's device is ErrNotFound.
func (s *Service) Device(ctx context.Context, userID, deviceID string) (Device, error) {
	if c := s.cachedDevices(ctx, userID); c != nil {
		// The cached list is the user's own: a device in it is theirs.
		for _, d := range c.Devices {
			if d.ID == deviceID {
				return view(d, false), nil
			}
		}
	}
	d, err := s.client.GetDevice(ctx, userID, deviceID)
	if pingone.IsNotFound(err) {
		return Device{}, ErrNotFound
	}
	if err != nil {
		return Device{}, err
	}
	return view(*d, false), nil
}

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
	devs := before.Devices
	if self != nil {
		if err := s.StepUpFor(list(devs), *self); err != nil {
			return Started{}, err
		}
		if err := s.FirstPhone(ctx, userID, list(devs), *self); err != nil {
			return Started{}, err
		}
	}
	// A number the person has active already is answered as such before the cap: "already
	// registered" is what they need to hear (issue #21). One waiting for its code is not: at
	// the cap PingOne would refuse its activation, so no code goes to it.
	existing := pickSMS(devs, num.E164)
	if existing == nil || existing.Status != pingone.StatusActive {
		if max := s.DeviceCap(ctx); !list(devs).CanAdd(max) {
			return Started{}, &DeviceLimitError{Max: max}
		}
	}
	if existing != nil {
		switch existing.Status {
		case pingone.StatusActive:
			return Started{}, ErrAlreadyActive
		case pingone.StatusActivationRequired:
			sent, err := s.resend(ctx, userID, existing.ID, num.E164)
			if err != nil && !errors.As(err, new(*limits.Error)) {
				s.forget(ctx, userID)
				return Started{}, err
			}
			// Within a limit the earlier code still works: resume without a new text.
			return Started{Device: view(*existing, false), Resumed: true, CodeSent: sent}, nil
		}
	}
	// The cool-down is reserved with the rest, before PingOne texts: an instance that dies
	// after the create leaves it taken, so a retry elsewhere cannot send a second text.
	rs, err := s.reserve(ctx, append([]limits.Key{{Rule: s.rules().NewDevice, Subject: userID},
		{Rule: s.rules().TextsToNumber, Subject: num.E164}, s.coolDownKey(userID, num.E164)}, s.limits.TextKeys(ctx, userID)...))
	if err != nil {
		return Started{}, err
	}
	d, err := s.client.CreateSMSDevice(ctx, userID, pingone.NewSMSDevice{Phone: num.E164,
		Status: pingone.StatusActivationRequired, PolicyID: s.devicePolicyID})
	if err == nil {
		s.changed(ctx, userID, before, d)
	} else {
		s.forget(ctx, userID)
	}
	switch {
	case err == nil:
		s.countText(num.E164)
		return Started{Device: view(*d, false), CodeSent: true}, nil
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
		found, ferr := s.findSMS(ctx, userID, num.E164)
		if ferr == nil && found != nil && found.Status == pingone.StatusActivationRequired {
			s.log.WarnContext(ctx, "device create answer lost; found the device it made", "device_id", found.ID, "error", err.Error())
			s.countText(num.E164)
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
func (s *Service) Verify(ctx context.Context, userID, deviceID, code string) (Device, error) {
	return s.verify(ctx, userID, deviceID, code, false)
}

// VerifyMFAOff is Verify for a caller who knows the user's mfaEnabled was off (the person's
// own sign-in read it, and nothing in the portal has turned it on since): MFA is turned on
// without reading the user again. Should it have been turned on elsewhere meanwhile, setting
// it again changes nothing.
func (s *Service) VerifyMFAOff(ctx context.Context, userID, deviceID, code string) (Device, error) {
	return s.verify(ctx, userID, deviceID, code, true)
}

func (s *Service) verify(ctx context.Context, userID, deviceID, code string, mfaOff bool) (Device, error) {
	code, ok := CleanCode(code)
	if !ok {
		return Device{}, ErrBadCode
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
	switch {
	case err == nil:
	case pingone.IsWrongCode(err):
		// Each wrong code uses up one of the device's tries; the portal's lock adds to PingOne's.
		// PingOne may answer a locked device with the same error as a wrong code: read the
		// device, so a locked phone is never "wrong code" forever.
		cur, gerr := s.client.GetDevice(ctx, userID, deviceID)
		if gerr != nil {
			return Device{}, ErrWrongCode
		}
		if cur.Locked() {
			return view(*cur, false), s.locked(cur)
		}
		return view(*cur, false), ErrWrongCode
	case pingone.IsNotFound(err):
		return Device{}, ErrNotFound
	case pingone.IsPairingRefused(err):
		return Device{}, fmt.Errorf("%w: %w", ErrPairingOff, err)
	case isLocked(err):
		cur, gerr := s.client.GetDevice(ctx, userID, deviceID)
		if gerr != nil {
			return Device{}, &LockedError{}
		}
		return view(*cur, false), s.locked(cur)
	default:
		// A lost answer or a refusal because it is already active: read the device to know.
		cur, gerr := s.client.GetDevice(ctx, userID, deviceID)
		if gerr != nil || cur.Status != pingone.StatusActive {
			if isBadRequest(err) && gerr == nil {
				if cur.Locked() {
					return Device{}, s.locked(cur)
				}
				return Device{}, ErrNotPending
			}
			return Device{}, err
		}
		s.log.WarnContext(ctx, "activate answer lost; the device is active", "device_id", deviceID, "error", err.Error())
		d = cur
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

// Remove deletes one of the user's devices, which the caller has just read (with Device).
func (s *Service) Remove(ctx context.Context, userID string, d Device) error {
	defer s.forget(ctx, userID)
	return s.client.DeleteDevice(ctx, userID, d.ID)
}

// Unlock unlocks a device locked after too many wrong codes.
func (s *Service) Unlock(ctx context.Context, userID, deviceID string) error {
	defer s.forget(ctx, userID)
	err := s.client.UnlockDevice(ctx, userID, deviceID)
	if pingone.IsNotFound(err) {
		return ErrNotFound
	}
	if err == nil {
		// The portal's own wrong-code lockout goes with PingOne's: staff unlocked it on purpose.
		if uerr := s.limits.Unlock(ctx, deviceID); uerr != nil {
			s.log.WarnContext(ctx, "portal's wrong-code lockout not cleared", "device_id", deviceID, "error", uerr.Error())
		}
	}
	return err
}

// ErrNotActive means only an active device can become the default.
var ErrNotActive = errors.New("mfa: only an active device can be the default")

// MakeDefault puts the device first in the user's order; it must be active.
func (s *Service) MakeDefault(ctx context.Context, userID, deviceID string) (Device, error) {
	defer s.forget(ctx, userID)
	// PingOne's own list: the new order must name every active device.
	fresh, err := s.client.ListDevices(ctx, userID)
	if err != nil {
		return Device{}, err
	}
	devs := list(fresh)
	var target *Device
	order := []string{deviceID}
	for i := range devs {
		if devs[i].ID == deviceID {
			target = &devs[i]
			continue
		}
		if devs[i].State == StateActive {
			order = append(order, devs[i].ID)
		}
	}
	if target == nil {
		return Device{}, ErrNotFound
	}
	if target.State != StateActive {
		return Device{}, ErrNotActive
	}
	if err := s.client.SetDeviceOrder(ctx, userID, order); err != nil {
		return Device{}, err
	}
	return *target, nil
}

// SetMFA turns the user's mfaEnabled on or off.
func (s *Service) SetMFA(ctx context.Context, userID string, enabled bool) error {
	return s.client.SetMFAEnabled(ctx, userID, enabled)
}

// MaxNickname bounds a device's name.
const MaxNickname = 40

// ErrNickname is a name that is empty or too long once cleaned.
var ErrNickname = errors.New("mfa: a phone's name is 1 to 40 characters")

// Rename sets the name a person gives one of their devices ("Work phone").
func (s *Service) Rename(ctx context.Context, userID, deviceID, nickname string) (Device, error) {
	nickname = strings.Join(strings.FieldsFunc(nickname, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if nickname == "" || utf8.RuneCountInString(nickname) > MaxNickname {
		return Device{}, ErrNickname
	}
	defer s.forget(ctx, userID)
	d, err := s.client.RenameDevice(ctx, userID, deviceID, nickname)
	if pingone.IsNotFound(err) {
		return Device{}, ErrNotFound
	}
	if err != nil {
		return Device{}, err
	}
	return view(*d, false), nil
}
