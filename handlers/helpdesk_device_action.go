package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/views"
)

// deviceAction is a help-desk action on one of a user's devices that only staff have:
// unlocking it and making it the default, each confirmed with a reason. (Removing is
// phone_remove.go, the same for staff and the person.)
type deviceAction struct {
	heading, body, button, done messages.Key
	audit                       string
	run                         func(h *Handler, c echo.Context, userID string, d mfa.Device) error
}

var deviceActions = map[string]deviceAction{
	"unlock": {messages.HdUnlockHeading, messages.HdUnlockBody, messages.HdUnlock, messages.HdUnlockDone, audit.ActionUnlock,
		func(h *Handler, c echo.Context, userID string, d mfa.Device) error {
			return h.svc.MFA.Unlock(c.Request().Context(), userID, d.ID)
		}},
	"default": {messages.HdDefaultHeading, messages.HdDefaultBody, messages.DeviceMakeDefault, messages.HdDefaultDone, audit.ActionSetDefault,
		func(h *Handler, c echo.Context, userID string, d mfa.Device) error {
			_, err := h.svc.MFA.MakeDefault(c.Request().Context(), userID, d.ID)
			return err
		}},
}

// hdConfirm asks staff to confirm a device action, with the reason field.
func (h *Handler) hdConfirm(c echo.Context) error {
	a, act, d, err := h.deviceAction(c)
	if err != nil {
		return err
	}
	return h.renderAction(c, a, act, d, http.StatusOK, "")
}

// hdAct carries out a confirmed device action.
func (h *Handler) hdAct(c echo.Context) error {
	a, act, d, err := h.deviceAction(c)
	if err != nil {
		return err
	}
	reason, missing := h.reason(c, a)
	if missing != "" {
		return h.renderAction(c, a, act, d, http.StatusUnprocessableEntity, missing)
	}
	ev := audit.Event{Action: act.audit, DeviceID: d.ID, NewNumber: d.Masked, Reason: reason}
	err = act.run(h, c, a.target.ID, d)
	switch {
	case errors.Is(err, mfa.ErrNotActive):
		ev.Outcome, ev.Detail = audit.OutcomeRefused, "not active"
		h.record(c, a, ev)
		return a.flash(c, a.base, session.Error, messages.HdDefaultNotActive, "")
	case err != nil:
		ev.Outcome, ev.Detail = audit.OutcomeFailed, failure(err)
		h.record(c, a, ev)
		return err
	}
	ev.Outcome = audit.OutcomeSuccess
	h.record(c, a, ev)
	return a.flash(c, a.base, session.Success, act.done, maskedLabel(c, d))
}

// deviceAction reads the user, the action and the device a help-desk action is about.
func (h *Handler) deviceAction(c echo.Context) (*actor, deviceAction, mfa.Device, error) {
	act, ok := deviceActions[c.Param("action")]
	if !ok {
		return nil, act, mfa.Device{}, echo.ErrNotFound
	}
	a := actorOf(c)
	d, err := h.svc.MFA.Device(c.Request().Context(), a.target.ID, c.Param("id"))
	return a, act, d, err
}

func (h *Handler) renderAction(c echo.Context, a *actor, act deviceAction, d mfa.Device, status int, errMsg string) error {
	heading := a.say(c, act.heading, messages.Data{"Device": deviceLabel(c, d)})
	return h.render(c, status, views.Confirm(h.page(c, heading, a.nav), views.ConfirmProps{
		Heading: heading, Body: a.say(c, act.body, nil), Button: t(c, act.button, nil), Reason: true,
		ReasonRequired: h.reasons().Required(a.self, false), Error: errMsg, Action: c.Request().URL.Path, Cancel: a.base,
	}))
}
