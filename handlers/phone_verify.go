package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
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
	return h.renderVerify(c, a, http.StatusOK, d.ID, d.Number, "", "")
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
	d, err := verify(ctx, a.target.ID, id, c.FormValue("code"))
	if msg := codeRefusal(c, a, err); msg != "" {
		return h.refuseCode(c, a, d, id, msg, err)
	}
	switch {
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
	return a.flash(c, a.base, session.Success, a.words.verified, maskedLabel(c, d))
}

// refuseCode answers a refused code: logged, audited, and the code page again with the words.
func (h *Handler) refuseCode(c echo.Context, a *actor, cur mfa.Device, id, msg string, err error) error {
	ctx := c.Request().Context()
	h.log().InfoContext(ctx, "code refused", "user_id", a.target.ID, "device_id", id, "reason", reasonOf(err))
	h.record(c, a, audit.Event{Action: audit.ActionActivate, DeviceID: id, Outcome: audit.OutcomeRefused, Detail: reasonOf(err)})
	if cur.ID == "" {
		// Refused before PingOne was asked (a malformed code, a limit): read the device.
		var gerr error
		if cur, gerr = h.svc.MFA.Device(ctx, a.target.ID, id); gerr != nil {
			return gerr
		}
	}
	return h.renderVerify(c, a, refusalStatus(c, err), id, cur.Number, msg, "")
}

// codeRefusal words why a code was not accepted, or "" when it was not refused.
func codeRefusal(c echo.Context, a *actor, err error) string {
	switch {
	case errors.Is(err, mfa.ErrBadCode):
		return a.say(c, a.words.badCode, nil)
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

// renderVerify shows the code page, with a refusal (errMsg) or a note (info).
func (h *Handler) renderVerify(c echo.Context, a *actor, status int, id, number, errMsg, info string) error {
	v := views.VerifyForm{DeviceID: id, Number: number, Error: errMsg, Info: info,
		VerifyAction: a.devices + id + "/verify", ResendAction: a.devices + id + "/resend",
		CoolDown: int(h.svc.MFA.CoolDownLeft(c.Request().Context(), id).Seconds()), Cancel: a.base}
	return h.render(c, status, views.Verify(h.page(c, t(c, messages.VerifyTitle, nil), a.nav), v))
}
