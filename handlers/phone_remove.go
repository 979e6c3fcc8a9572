package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/views"
)

// removeForm asks before a phone is removed, warning a person about to remove their only
// active phone.
func (h *Handler) removeForm(c echo.Context) error {
	a := actorOf(c)
	devs, err := h.svc.MFA.Devices(c.Request().Context(), a.target.ID)
	if err != nil {
		return err
	}
	id := c.Param("id")
	if answered, err := h.stepUpIn(c, a, devs, a.devices+id+"/remove"); answered {
		return err
	}
	d, err := devs.Find(id)
	if err != nil {
		return err
	}
	return h.renderRemove(c, a, http.StatusOK, d, a.self && devs.IsLastActive(id), "", "")
}

// remove deletes the phone after confirmation.
func (h *Handler) remove(c echo.Context) error {
	a := actorOf(c)
	ctx, id := c.Request().Context(), c.Param("id")
	if answered, err := h.stepUpFirst(c, a, a.devices+id+"/remove"); answered {
		return err
	}
	d, err := h.svc.MFA.Device(ctx, a.target.ID, id)
	if err != nil {
		return err
	}
	reason, missing := h.reason(c, a)
	if missing != "" {
		return h.renderRemove(c, a, http.StatusUnprocessableEntity, d, false, reason, missing)
	}
	ev := audit.Event{Action: audit.ActionRemove, DeviceID: id, OldNumber: d.Masked, Reason: reason}
	if err := h.svc.MFA.Remove(ctx, a.target.ID, d); err != nil {
		ev.Outcome, ev.Detail = audit.OutcomeFailed, failure(err)
		h.record(c, a, ev)
		return err
	}
	ev.Outcome = audit.OutcomeSuccess
	h.record(c, a, ev)
	return a.flash(c, a.base, session.Success, messages.RemoveDone, maskedLabel(c, d))
}

// renderRemove shows the confirmation, with the reason field for staff.
func (h *Handler) renderRemove(c echo.Context, a *actor, status int, d mfa.Device, lastActive bool, reason, errMsg string) error {
	label := messages.Data{"Device": deviceLabel(c, d)}
	props := views.ConfirmProps{Heading: t(c, messages.RemoveHeading, label), Body: a.say(c, a.words.removeBody, nil),
		Action: a.devices + d.ID + "/remove", Button: t(c, messages.DeviceRemove, nil), Cancel: a.base, Danger: true,
		Reason: !a.self, ReasonRequired: !a.self && h.site.ReasonRequired, ReasonValue: reason, Error: errMsg}
	if lastActive {
		props.Body, props.Warning = t(c, messages.RemoveLastActive, nil), true
	}
	return h.render(c, status, views.Confirm(h.page(c, t(c, a.words.removeTitle, label), a.nav), props))
}
