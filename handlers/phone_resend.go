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
)

// resend asks PingOne to text a new code, within the cool-down and the limits.
func (h *Handler) resend(c echo.Context) error {
	a := actorOf(c)
	id := c.Param("id")
	d, err := h.svc.MFA.Resend(c.Request().Context(), a.target.ID, id)
	switch {
	case errors.As(err, new(*limits.Error)):
		h.countRefusal(err)
		return h.renderVerify(c, a, refusalStatus(c, err), d, "", refusal(c, err))
	case errors.Is(err, mfa.ErrLocked):
		h.countRefusal(err)
		return h.renderVerify(c, a, http.StatusUnprocessableEntity, d, a.say(c, a.words.locked, nil), "")
	case errors.Is(err, mfa.ErrPairingOff):
		return h.pairingOffFlash(c, a, id, err)
	case errors.Is(err, mfa.ErrNotPending):
		return a.flash(c, a.base, session.Success, messages.VerifyNotPending, "")
	case err != nil:
		return err
	}
	h.record(c, a, audit.Event{Action: audit.ActionResendCode, DeviceID: id, Outcome: audit.OutcomeSuccess})
	return a.flash(c, a.devices+id+"/verify", session.Success, a.words.resent, "")
}
