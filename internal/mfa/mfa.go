// Package mfa holds the rules for a person's SMS devices: what adding (add.go, with the device
// cap), verifying (verify.go), resending (resend.go) and removing (remove.go) mean, and how a
// PingOne failure is recovered without losing or duplicating a registration; the devices as
// the portal shows them and the small changes to one (mfa.go); and the rules about the whole
// list (rules.go): when a change needs a step-up MFA sign-in first, the device cap and the
// last active phone. Handlers call it; it calls PingOne.
package mfa

import (
	"context"
	"errors"
	"log/slog"
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
	// replacing keeps started replacements (replace.go): the cache when there is one, else a
	// store in this process made for this Service.
	replacing store.Store
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
	replacing := o.Cache
	if replacing == nil {
		replacing = store.NewMemory(store.MemoryOptions{Now: o.Now})
	}
	return &Service{client: client, policy: policy, devicePolicyID: o.DevicePolicyID, limits: o.Limits, now: o.Now,
		log: o.Logger, stepUp: o.StepUp, cache: o.Cache, replacing: replacing, privileged: o.Privileged, firstPhoneProof: o.FirstPhoneProof, texted: o.Texted}
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
