package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/views"
)

// verifyForm shows the code page for a device waiting for its code.
func (h *Handler) verifyForm(c echo.Context) error {
	a := actorOf(c)
	d, err := h.svc.MFA.Device(c.Request().Context(), a.target.ID, c.Param("id"))
	if err != nil {
		return err
	}
	if d.State != mfa.StateWaiting {
		return a.flash(c, a.base, session.Success, noCodeKeys[d.State], maskedLabel(c, d))
	}
	if err := h.svc.MFA.CanFinish(c.Request().Context()); err != nil {
		return a.flash(c, a.base, session.Error, messages.VerifyPairingOff, maskedLabel(c, d))
	}
	return h.renderVerify(c, a, http.StatusOK, d, "", "")
}

// verify activates the device with the code: typed by the person, or read out to staff.
func (h *Handler) verify(c echo.Context) error {
	a := actorOf(c)
	ctx, id := c.Request().Context(), c.Param("id")
	verify := h.svc.MFA.Verify
	if a.self && sess(c).MFAOff() {
		// The person's sign-in read mfaEnabled off: no second read of the user is needed.
		verify = h.svc.MFA.VerifyMFAOff
	}
	in := form.NewCode(c.Request())
	d, err := mfa.Device{}, in.Problem()
	if err == nil {
		d, err = verify(ctx, a.target.ID, id, in.Code, a.proof(c))
	}
	if errors.Is(err, mfa.ErrFirstPhoneElsewhere) {
		return h.staffFirstPhone(c, a, d)
	}
	if msg := codeRefusal(c, a, err, h.svc.MFA.CodeRules(ctx).Length); msg != "" {
		return h.refuseCode(c, a, d, id, msg, err)
	}
	switch {
	case errors.Is(err, mfa.ErrPairingOff):
		return h.pairingOffFlash(c, a, id, err)
	case errors.Is(err, mfa.ErrNotPending):
		if replaced, rerr := h.replaceDone(c, a, id); replaced {
			return rerr
		}
		return a.flash(c, a.base, session.Success, messages.VerifyNotPending, "")
	case err != nil && d.ID != "":
		// Registered, but MFA could not be turned on: the person's own list of phones retries.
		h.log().ErrorContext(ctx, "mfaEnabled not set after activation", "user_id", a.target.ID, "device_id", id, "error", err.Error())
		if a.self {
			sess(c).SetMFAPending(true)
		}
	case err != nil:
		h.record(c, a, audit.Event{Action: audit.ActionActivate, DeviceID: id, Outcome: audit.OutcomeFailed, Detail: failure(err)})
		return err
	}
	if replaced, rerr := h.replaceDone(c, a, id); replaced {
		// A replacement's one audit record is "replaced", written when it is finished.
		return rerr
	}
	h.log().InfoContext(ctx, "sms device activated", "user_id", a.target.ID, "device_id", d.ID, "phone", d.Masked)
	h.record(c, a, audit.Event{Action: audit.ActionActivate, DeviceID: d.ID, NewNumber: d.Masked, Outcome: audit.OutcomeSuccess})
	if a.self {
		// Typing a code texted to their phone proves the person holds it (the step-up rule).
		sess(c).CodeTyped(h.now())
		if err == nil {
			sess(c).SetMFAOn()
		}
	}
	if a.self {
		// The person typed this number a moment ago and the list below shows it in full: the
		// banner does not name it again, masked (issue #25).
		return done(c, a.base, session.Success, messages.VerifyDoneSelfNew, nil)
	}
	return a.flash(c, a.base, session.Success, a.words.verified, maskedLabel(c, d))
}

// staffFirstPhone answers internal/mfa's refusal to activate a staff member's own first
// phone (issue #21: it comes from an administrator), d being that phone: logged, audited, and
// the code page again with the words.
func (h *Handler) staffFirstPhone(c echo.Context, a *actor, d mfa.Device) error {
	id := c.Param("id")
	h.log().InfoContext(c.Request().Context(), "first phone refused", "user_id", a.target.ID, "device_id", id, "reason", "staff")
	h.record(c, a, audit.Event{Action: audit.ActionActivate, DeviceID: id, Outcome: audit.OutcomeRefused, Detail: mfa.ErrFirstPhoneElsewhere.Error()})
	return h.renderVerify(c, a, http.StatusForbidden, d, refusal(c, mfa.ErrFirstPhoneElsewhere), "")
}

// refuseCode answers a refused code: logged, audited, and the code page again with the words.
func (h *Handler) refuseCode(c echo.Context, a *actor, cur mfa.Device, id, msg string, err error) error {
	ctx := c.Request().Context()
	h.log().InfoContext(ctx, "code refused", "user_id", a.target.ID, "device_id", id, "reason", reasonOf(err))
	h.countRefusal(err)
	h.record(c, a, audit.Event{Action: audit.ActionActivate, DeviceID: id, Outcome: audit.OutcomeRefused, Detail: reasonOf(err)})
	if cur.ID == "" {
		// Refused before PingOne was asked (a malformed code, a limit): read the device.
		var gerr error
		if cur, gerr = h.svc.MFA.Device(ctx, a.target.ID, id); gerr != nil {
			return gerr
		}
	}
	return h.renderVerify(c, a, refusalStatus(c, err), cur, msg, "")
}

// codeRefusal words why a code was not accepted, or "" when it was not refused; length is
// the code's number of digits in the MFA policy.
func codeRefusal(c echo.Context, a *actor, err error, length int) string {
	switch {
	case errors.Is(err, mfa.ErrBadCode):
		return a.say(c, a.words.badCode, messages.Data{"Count": length})
	case errors.Is(err, mfa.ErrWrongCode):
		return a.say(c, a.words.wrongCode, nil)
	case errors.Is(err, mfa.ErrLocked):
		var le *mfa.LockedError
		if errors.As(err, &le) && le.Wait > 0 {
			return a.say(c, a.words.lockedFor, messages.Data{"Wait": waitPhrase(le.Wait)})
		}
		return a.say(c, a.words.locked, nil)
	case errors.As(err, new(*limits.Error)):
		return refusal(c, err)
	}
	return ""
}

// pairingOffFlash answers a verify or resend of a pending phone that the MFA policy no longer
// lets be paired: back to the list, where the phone stays and can be removed, with the words.
func (h *Handler) pairingOffFlash(c echo.Context, a *actor, id string, err error) error {
	h.log().InfoContext(c.Request().Context(), "pending phone not finished", "user_id", a.target.ID, "device_id", id,
		"reason", "sms pairing off in the MFA policy", "error", err.Error())
	label := ""
	if d, gerr := h.svc.MFA.Device(c.Request().Context(), a.target.ID, id); gerr == nil {
		label = maskedLabel(c, d)
	}
	return a.flash(c, a.base, session.Error, messages.VerifyPairingOff, label)
}

// renderVerify shows the code page, with a refusal (errMsg) or a note (info), and the code's
// length, lifetime and tries from the MFA policy. The page shows the phone's masked number
// once, in the sentence that asks for the code; the resend cool-down is looked up by the
// phone's own number (it is kept per person and number).
func (h *Handler) renderVerify(c echo.Context, a *actor, status int, d mfa.Device, errMsg, info string) error {
	rules := h.svc.MFA.CodeRules(c.Request().Context())
	id := d.ID
	v := views.VerifyForm{DeviceID: id, Number: d.Masked, Error: errMsg, Info: info,
		VerifyAction: a.devices + id + "/verify", ResendAction: a.devices + id + "/resend",
		CoolDown: int(h.svc.MFA.CoolDownLeft(c.Request().Context(), a.target.ID, d.Number).Seconds()), Cancel: a.base,
		CodeLength: rules.Length, Rules: codeRules(c, rules)}
	return h.render(c, status, views.Verify(h.page(c, t(c, messages.VerifyTitle, nil), a.nav), v))
}

// codeRules words the code's lifetime and tries from the MFA policy, or "" when the policy
// could not be read (the page then promises nothing it does not know).
func codeRules(c echo.Context, r mfa.CodeRules) string {
	if !r.Known || r.Lifetime <= 0 || r.Tries <= 0 {
		return ""
	}
	return t(c, messages.VerifyCodeRules, messages.Data{"Wait": waitPhrase(r.Lifetime), "Count": r.Tries})
}
