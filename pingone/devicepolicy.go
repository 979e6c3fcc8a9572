package pingone

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The defaults PingOne documents for a device authentication policy's SMS settings, used where
// an answer leaves a field out.
const (
	// DefaultOTPLength is sms.otp.otpLength's default (mfa.yaml: 6, from 6 to 10).
	DefaultOTPLength = 6
	// MinOTPLength and MaxOTPLength bound sms.otp.otpLength.
	MinOTPLength, MaxOTPLength = 6, 10
)

// policyTTL is how long the device authentication policy is reused, as the MFA settings are:
// an administrator's edit shows within a minute, and a page that reads it costs no call.
const policyTTL = time.Minute

// SMSPolicy is the SMS part (sms) of a device authentication policy: whether SMS may be used
// and paired, and the code's length, lifetime and tries.
type SMSPolicy struct {
	// Enabled is sms.enabled: whether SMS may be used for MFA at all.
	Enabled bool
	// PairingDisabled is sms.pairingDisabled: existing phones keep working, no new phone may
	// be paired (a method being phased out).
	PairingDisabled bool
	// OTPLength is sms.otp.otpLength, 6 to 10 (DefaultOTPLength when left out).
	OTPLength int
	// OTPLifetime is sms.otp.lifeTime: how long a texted code can be used.
	OTPLifetime time.Duration
	// FailureCount is sms.otp.failure.count: wrong entries of one code before the user is
	// blocked for CoolDown (sms.otp.failure.coolDown).
	FailureCount int
	CoolDown     time.Duration
	// PromptForNickname is sms.promptForNicknameOnPairing.
	PromptForNickname bool
}

// CanPair reports whether the policy lets a new SMS device be paired: SMS enabled, pairing not
// disabled.
func (p SMSPolicy) CanPair() bool { return p.Enabled && !p.PairingDisabled }

// DevicePolicy is a device authentication policy ("MFA Policies" in PingOne's console), as far
// as the portal needs it.
type DevicePolicy struct {
	ID      string
	Name    string
	Default bool
	SMS     SMSPolicy
	// DeviceSelection is authentication.deviceSelection (DEFAULT_TO_FIRST, ...).
	DeviceSelection string
}

// wirePolicy is a device authentication policy as mfa.yaml's DeviceAuthenticationPolicy
// writes it, the parts the portal reads.
type wirePolicy struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Default        bool   `json:"default"`
	Authentication *struct {
		DeviceSelection string `json:"deviceSelection"`
	} `json:"authentication"`
	SMS *struct {
		Enabled                    bool `json:"enabled"`
		PairingDisabled            bool `json:"pairingDisabled"`
		PromptForNicknameOnPairing bool `json:"promptForNicknameOnPairing"`
		OTP                        *struct {
			OTPLength int       `json:"otpLength"`
			LifeTime  *wireSpan `json:"lifeTime"`
			Failure   *struct {
				Count    int       `json:"count"`
				CoolDown *wireSpan `json:"coolDown"`
			} `json:"failure"`
		} `json:"otp"`
	} `json:"sms"`
}

// wireSpan is a duration as the policy writes it: a number of MINUTES or SECONDS.
type wireSpan struct {
	Duration int    `json:"duration"`
	TimeUnit string `json:"timeUnit"`
}

func (w *wireSpan) value() time.Duration {
	if w == nil || w.Duration <= 0 {
		return 0
	}
	if strings.EqualFold(w.TimeUnit, "SECONDS") {
		return time.Duration(w.Duration) * time.Second
	}
	return time.Duration(w.Duration) * time.Minute
}

func (w wirePolicy) policy() DevicePolicy {
	p := DevicePolicy{ID: w.ID, Name: w.Name, Default: w.Default, SMS: SMSPolicy{OTPLength: DefaultOTPLength}}
	if a := w.Authentication; a != nil {
		p.DeviceSelection = a.DeviceSelection
	}
	sms := w.SMS
	if sms == nil {
		// mfa.yaml requires sms; a policy without it is read as SMS off, the safe side.
		return p
	}
	p.SMS.Enabled, p.SMS.PairingDisabled, p.SMS.PromptForNickname = sms.Enabled, sms.PairingDisabled, sms.PromptForNicknameOnPairing
	if o := sms.OTP; o != nil {
		if o.OTPLength >= MinOTPLength && o.OTPLength <= MaxOTPLength {
			p.SMS.OTPLength = o.OTPLength
		}
		p.SMS.OTPLifetime = o.LifeTime.value()
		if f := o.Failure; f != nil {
			p.SMS.FailureCount, p.SMS.CoolDown = f.Count, f.CoolDown.value()
		}
	}
	return p
}

// DevicePolicy reads the device authentication policy new SMS devices are paired under: the
// one Config.DevicePolicyID names (GET .../deviceAuthenticationPolicies/{id}), else the
// environment's default (the one of GET .../deviceAuthenticationPolicies with default: true).
// It keeps the answer for a minute, as MFASettings keeps its own; a refused read is kept for
// settingsRetry. A list with no default policy is an error naming the environment.
//
// The worker app's role must read the environment's MFA configuration, as for MFASettings
// (the same UNVERIFIED note applies: Identity Data Admin may not include it).
func (c *Client) DevicePolicy(ctx context.Context) (*DevicePolicy, error) {
	return c.policy.get(ctx, c.now, policyTTL, settingsRetry, c.fetchDevicePolicy)
}

func (c *Client) fetchDevicePolicy(ctx context.Context) (*DevicePolicy, error) {
	if c.policyID != "" {
		w, err := doInto[wirePolicy](ctx, c, request{method: http.MethodGet,
			path: "/deviceAuthenticationPolicies/" + url.PathEscape(c.policyID), idempotent: true})
		if err != nil {
			return nil, err
		}
		p := w.policy()
		return &p, nil
	}
	var page struct {
		Embedded struct {
			Policies []wirePolicy `json:"deviceAuthenticationPolicies"`
		} `json:"_embedded"`
	}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/deviceAuthenticationPolicies", idempotent: true}, &page); err != nil {
		return nil, err
	}
	for _, w := range page.Embedded.Policies {
		if w.Default {
			p := w.policy()
			return &p, nil
		}
	}
	return nil, &DecodeError{Method: http.MethodGet, Path: "/deviceAuthenticationPolicies",
		Err: fmt.Errorf("none of the %d device authentication policies is the default", len(page.Embedded.Policies))}
}

// The answer to creating, activating or resending the code of an SMS device while the device
// authentication policy has SMS off or pairing disabled. UNVERIFIED: PingOne's descriptions
// do not say what it answers; this is the one place that guesses (the emulator answers with
// these values, IsPairingRefused recognises them). The portal reads the policy first
// (DevicePolicy, SMSPolicy.CanPair) and never relies on this refusal alone.
const (
	PairingRefusedStatus  = http.StatusBadRequest
	PairingRefusedCode    = "REQUEST_FAILED"
	PairingRefusedDetail  = "METHOD_DISABLED"
	PairingRefusedMessage = "The SMS method is disabled, or its pairing is disabled, in the device authentication policy."
)

// IsPairingRefused reports whether PingOne refused an SMS device because the device
// authentication policy has SMS off or pairing disabled (the UNVERIFIED answer above).
func IsPairingRefused(err error) bool {
	pe, ok := asError(err)
	return ok && pe.StatusCode == PairingRefusedStatus && pe.Code == PairingRefusedCode && pe.hasDetail(PairingRefusedDetail)
}
