package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/views"
)

// hdUser shows a user's profile and devices to staff.
func (h *Handler) hdUser(c echo.Context) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	u := a.user
	devs, err := h.svc.MFA.Devices(c.Request().Context(), a.target.ID)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.HelpdeskUser(h.page(c, a.name, "helpdesk"), views.HelpdeskUserProps{
		Base: a.base, Name: a.name, Username: u.Username, Email: u.Email, MFAEnabled: u.MFAEnabled, Devices: rows(devs),
	}))
}
