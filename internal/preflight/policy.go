package preflight

import (
	"context"
	"fmt"
	"time"

	"github.com/smsmfa/portal/pingone"
)

// policyLines name the checks of the MFA policy (the device authentication policy), in order.
var policyLines = [...]string{"SMS in the MFA policy", "SMS pairing", "code lifetime", "wrong-code lockout", "device cap"}

// maxCodeLifetime is the longest an out-of-band code may live: NIST SP 800-63B-4 and OWASP
// ASVS 5.0 both say 10 minutes.
const maxCodeLifetime = 10 * time.Minute

// maxCodeTries is the most wrong entries of one code the check lets pass without a warning:
// each try is a guess, and PingOne's default is 3.
const maxCodeTries = 10

// PingOne's own ceiling on mfaSettings.pairing.maxAllowedDevices.
const pingOneDeviceCeiling = 15

// consolePath is where an administrator edits the policy in PingOne's console.
func consolePath(p *pingone.DevicePolicy) string {
	return fmt.Sprintf("Authentication → MFA → MFA Policies → %q → SMS", p.Name)
}

// devicePolicy checks the MFA policy the portal pairs phones under (PINGONE_DEVICE_POLICY_ID,
// else the environment's default): SMS on, SMS pairing allowed, the code's lifetime and
// lockout, and the device cap of the MFA settings. One line each, in words, with the fix.
func (c *Checker) devicePolicy(ctx context.Context, add func(Result)) {
	p, err := c.PingOne.DevicePolicy(ctx)
	if err != nil {
		policyUnread(err, add)
		c.deviceCap(ctx, add)
		return
	}
	which := fmt.Sprintf("the MFA policy %q", p.Name)
	if p.Default {
		which += " (the environment's default)"
	}
	add(smsEnabled(p, which))
	add(smsPairing(p, which))
	add(codeLifetime(p))
	add(codeLockout(p))
	c.deviceCap(ctx, add)
}

// policyUnread fails the policy's first line with the reason, and the lines that need the
// policy as not checked.
func policyUnread(err error, add func(Result)) {
	fix := fixFor(err)
	switch {
	case pingone.IsNotFound(err):
		fix = "PINGONE_DEVICE_POLICY_ID names no MFA policy in this environment: copy the policy's ID from Authentication → MFA → MFA Policies, or leave it empty to use the default policy"
	case pingone.IsForbidden(err):
		fix = "give the worker app a role that reads MFA policies (Configuration Read-Only Admin, beside Identity Data Admin); " +
			"until then the portal cannot tell people that SMS is off, and says PingOne's default code length"
	}
	add(Result{Name: policyLines[0], Detail: "cannot read the MFA policy: " + err.Error(), Fix: fix})
	for _, n := range policyLines[1:4] {
		add(Result{Name: n, Detail: "not checked: the MFA policy could not be read", Fix: "fix " + policyLines[0] + " first"})
	}
}

// smsEnabled: SMS is on in the policy.
func smsEnabled(p *pingone.DevicePolicy, which string) Result {
	r := Result{Name: policyLines[0]}
	if p.SMS.Enabled {
		r.OK, r.Detail = true, "SMS is enabled in "+which
	} else {
		r.Detail = "SMS is off in " + which + ": nobody can add a phone, and the portal says so on its add-phone page"
		r.Fix = "in " + consolePath(p) + ", enable SMS (new PingOne environments start with it off)"
	}
	return r
}

// smsPairing: new SMS phones may be paired.
func smsPairing(p *pingone.DevicePolicy, which string) Result {
	r := Result{Name: policyLines[1]}
	switch {
	case p.SMS.PairingDisabled:
		r.Detail = "new phones cannot be added: pairing is disabled for SMS in " + which + " (phones already added keep working)"
		r.Fix = "in " + consolePath(p) + ", allow pairing again (the API's sms.pairingDisabled false), unless SMS is being phased out on purpose"
	case !p.SMS.Enabled:
		r.Detail, r.Fix = "new phones cannot be added: SMS is off", "enable SMS first ("+policyLines[0]+")"
	default:
		r.OK, r.Detail = true, "new SMS phones may be added"
	}
	return r
}

// codeLifetime: a code lives 10 minutes or less (a warning otherwise).
func codeLifetime(p *pingone.DevicePolicy) Result {
	sms := p.SMS
	r := Result{Name: policyLines[2], OK: true}
	switch {
	case sms.OTPLifetime <= 0:
		r.Warn = true
		r.Detail = "the policy gives no lifetime for SMS codes"
		r.Fix = "in " + consolePath(p) + ", set the OTP lifetime to 10 minutes or less"
	case sms.OTPLifetime > maxCodeLifetime:
		r.Warn = true
		r.Detail = fmt.Sprintf("%d-digit codes live %s, longer than the 10 minutes NIST SP 800-63B-4 and OWASP ASVS 5.0 allow for a code sent by SMS",
			sms.OTPLength, words(sms.OTPLifetime))
		r.Fix = "in " + consolePath(p) + ", set the OTP lifetime to 10 minutes or less (PingOne's default is 30)"
	default:
		r.Detail = fmt.Sprintf("%d-digit codes live %s; the code page says so", sms.OTPLength, words(sms.OTPLifetime))
	}
	return r
}

// codeLockout: a code takes at most maxCodeTries wrong entries (a warning otherwise).
func codeLockout(p *pingone.DevicePolicy) Result {
	sms := p.SMS
	r := Result{Name: policyLines[3], OK: true}
	coolDown := "no wait"
	if sms.CoolDown > 0 {
		coolDown = "a wait of " + words(sms.CoolDown)
	}
	switch {
	case sms.FailureCount <= 0:
		r.Warn = true
		r.Detail = "the policy gives no limit of wrong codes"
		r.Fix = "in " + consolePath(p) + ", set the OTP failure count (PingOne's default is 3)"
	case sms.FailureCount > maxCodeTries:
		r.Warn = true
		r.Detail = fmt.Sprintf("%d wrong codes are taken before %s: each is a guess at the code", sms.FailureCount, coolDown)
		r.Fix = fmt.Sprintf("in %s, set the OTP failure count to %d or fewer (PingOne's default is 3)", consolePath(p), maxCodeTries)
	default:
		r.Detail = fmt.Sprintf("after %d wrong codes a new code is needed, with %s", sms.FailureCount, coolDown)
	}
	return r
}

// deviceCap words the MFA settings' cap on a person's devices (1 to 15 in PingOne).
func (c *Checker) deviceCap(ctx context.Context, add func(Result)) {
	r := Result{Name: policyLines[4]}
	s, err := c.PingOne.MFASettings(ctx)
	if err != nil {
		r.Detail, r.Fix = "not checked: the MFA settings could not be read", "fix MFA settings first"
		add(r)
		return
	}
	r.OK = true
	switch n := s.MaxAllowedDevices; {
	case n < 2:
		r.Warn = true
		r.Detail = "one device per person: nobody can add a new phone before removing the old one, so a lost phone needs the help desk"
		r.Fix = "in Authentication → MFA → Settings, allow at least 2 devices per person (PingOne allows up to 15)"
	default:
		r.Detail = fmt.Sprintf("at most %d devices per person (PingOne allows up to %d); waiting-for-code phones do not count", n, pingOneDeviceCeiling)
	}
	add(r)
}

// words says a duration as a person would: "30 minutes", "1 minute", "90 seconds".
func words(d time.Duration) string {
	n, unit := int(d/time.Second), "second"
	if d%time.Minute == 0 {
		n, unit = int(d/time.Minute), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}
