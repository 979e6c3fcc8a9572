package emulator

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Options configures a Server; the zero value is PingOne's defaults.
type Options struct {
	// EnvironmentID is the environment's ID; empty means a new UUID.
	EnvironmentID string
	// Addr is the listen address; empty means 127.0.0.1 on a free port.
	Addr string
	// DeviceLimit is mfaSettings.pairing.maxAllowedDevices: how many ACTIVE or BLOCKED
	// devices a user may have; default 5, 1 to 15.
	DeviceLimit int
	// OTPLength is the SMS code's length, sms.otp.otpLength of the device authentication
	// policy: default 6, 6 to 10.
	OTPLength int
	// OTPLifetime is how long a pairing code can be used, sms.otp.lifeTime: default 30 minutes.
	OTPLifetime time.Duration
	// OTPMaxFailures is sms.otp.failure.count: wrong entries of one code before it is void
	// (a new one must be sent): default 3.
	OTPMaxFailures int
	// OTPCoolDown is sms.otp.failure.coolDown: how long after OTPMaxFailures wrong entries no
	// new code may be sent or tried: default 0.
	OTPCoolDown time.Duration
	// SMSDisabled and SMSPairingDisabled start the default device authentication policy with
	// SMS off (sms.enabled false) or its pairing disabled (sms.pairingDisabled); SetSMSPolicy
	// changes them later.
	SMSDisabled, SMSPairingDisabled bool
	// LockoutFailureCount is mfaSettings.lockout.failureCount: wrong codes, in a row, that
	// lock the device. 0 means OTPMaxFailures. UNVERIFIED: PingOne's default is not in its
	// published descriptions; locking with the code's own failure count is the behaviour the
	// portal has been tested against.
	LockoutFailureCount int
	// LockDuration is mfaSettings.lockout.durationSeconds: how long a device stays locked:
	// default 30 minutes (UNVERIFIED, as LockoutFailureCount).
	LockDuration time.Duration
	// NewDeviceNotification is the device policy's newDeviceNotification: NONE,
	// EMAIL_THEN_SMS (the default) or SMS_THEN_EMAIL. When a device becomes ACTIVE the user is
	// told, by email if they have an address and SMS otherwise (or the other way round).
	NewDeviceNotification string
	// LockedAnswersWrongCode makes a locked device answer a code with the generic wrong-code
	// error (400 INVALID_DATA / INVALID_OTP) instead of REQUEST_FAILED / DEVICE_LOCKED, as
	// PingOne may (its answer is UNVERIFIED): the caller learns of the lock only by reading
	// the device.
	LockedAnswersWrongCode bool
	// DeviceSelection is the device authentication policy's authentication.deviceSelection:
	// DEFAULT_TO_FIRST (PingOne's default: a device authentication texts the user's default
	// device at once), PROMPT_TO_SELECT (the caller selects when there is more than one) or
	// ALWAYS_DISPLAY_DEVICES (the caller always selects).
	DeviceSelection string
	// TokenLifetime is the lifetime of access tokens: default 1 hour.
	TokenLifetime time.Duration
	// MFAPolicies are the sign-on policies (acr_values) that ask for a code texted to the
	// user's default active SMS device after the password: default Multi_Factor.
	MFAPolicies []string
	// SkipSecondFactor makes the MFA policies let people through after the password alone, as
	// a PingOne policy with a skip condition (or one that lets users without a device through)
	// does: acr still names the MFA policy, amr says ["pwd"]. Tests of the portal's amr check.
	SkipSecondFactor bool
	// OmitAuthTime leaves auth_time out of ID tokens, as a provider that does not send it
	// (tests of the portal's refusal to take iat, always fresh, as the time of sign-in).
	OmitAuthTime bool
	// ForceACR, when set, is the acr of every sign-in whatever was asked: a tenant whose
	// sign-on policy is not what the portal was told (tests of the portal's acr check).
	ForceACR string
	// Logger receives a line per request; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// The values of Options.NewDeviceNotification, as PingOne's device policy writes them.
const (
	NotifyNone         = "NONE"
	NotifyEmailThenSMS = "EMAIL_THEN_SMS"
	NotifySMSThenEmail = "SMS_THEN_EMAIL"
)

// defaultOrOneOf sets an empty *v to def, and answers an error naming the setting name when
// *v is none of allowed.
func defaultOrOneOf(v *string, name, def string, allowed ...string) error {
	switch {
	case *v == "":
		*v = def
	case !slices.Contains(allowed, *v):
		last := len(allowed) - 1
		return fmt.Errorf("emulator: %s %q is not %s or %s", name, *v, strings.Join(allowed[:last], ", "), allowed[last])
	}
	return nil
}

// withDefaults fills in PingOne's defaults for the settings left at zero and checks the rest;
// it also returns the default device authentication policy's SMS settings.
func (opts Options) withDefaults() (Options, SMSPolicy, error) {
	if opts.EnvironmentID == "" {
		opts.EnvironmentID = uuid.NewString()
	}
	if opts.DeviceLimit <= 0 {
		opts.DeviceLimit = 5
	}
	opts.DeviceLimit = min(opts.DeviceLimit, 15)
	sms, err := SMSPolicy{Disabled: opts.SMSDisabled, PairingDisabled: opts.SMSPairingDisabled, OTPLength: opts.OTPLength,
		OTPLifetime: opts.OTPLifetime, OTPMaxFailures: opts.OTPMaxFailures, OTPCoolDown: opts.OTPCoolDown}.normalized()
	if err != nil {
		return opts, SMSPolicy{}, err
	}
	opts.OTPLength, opts.OTPLifetime, opts.OTPMaxFailures, opts.OTPCoolDown = sms.OTPLength, sms.OTPLifetime, sms.OTPMaxFailures, sms.OTPCoolDown
	if opts.LockoutFailureCount <= 0 {
		opts.LockoutFailureCount = opts.OTPMaxFailures
	}
	if opts.LockDuration <= 0 {
		opts.LockDuration = 30 * time.Minute
	}
	if err := defaultOrOneOf(&opts.NewDeviceNotification, "newDeviceNotification", NotifyEmailThenSMS, NotifyNone, NotifyEmailThenSMS, NotifySMSThenEmail); err != nil {
		return opts, SMSPolicy{}, err
	}
	if err := defaultOrOneOf(&opts.DeviceSelection, "deviceSelection", SelectDefaultToFirst, SelectDefaultToFirst, SelectPromptToSelect, SelectAlwaysDisplayDevices); err != nil {
		return opts, SMSPolicy{}, err
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MFAPolicies == nil {
		opts.MFAPolicies = []string{"Multi_Factor"}
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	return opts, sms, nil
}
