package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// logout ends the portal session and then PingOne's.
func (h *Handler) logout(c echo.Context) error {
	s := sess(c)
	uid := s.UserID()
	idToken := s.SignOut(h.now())
	if err := save(c); err != nil {
		return err
	}
	h.log().InfoContext(c.Request().Context(), "signed out", "user_id", uid)
	back := h.site.PublicURL.String() + "/"
	if end := h.svc.RP.EndSessionURL(c.Request().Context(), idToken, back, ""); end != "" {
		return c.Redirect(http.StatusSeeOther, end)
	}
	return c.Redirect(http.StatusSeeOther, "/")
}
