package handlers

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
)

// makeDefault puts one of the person's active phones first: PingOne uses it first at sign-in.
// (Staff do it for a user from helpdesk_device_action.go, with a confirmation and a reason.)
func (h *Handler) makeDefault(c echo.Context) error {
	d, err := h.svc.MFA.MakeDefault(c.Request().Context(), sess(c).UserID(), c.Param("id"))
	switch {
	case errors.Is(err, mfa.ErrNotActive):
		return done(c, "/devices", session.Error, messages.DefaultNotActiveSelf, nil)
	case err != nil:
		return err
	}
	h.record(c, nil, audit.Event{Action: audit.ActionSetDefault, DeviceID: d.ID, NewNumber: d.Masked, Outcome: audit.OutcomeSuccess})
	return done(c, "/devices", session.Success, messages.DefaultDoneSelf, map[string]string{"Device": maskedLabel(c, d)})
}
