package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// signedOutState comes back from PingOne's sign-out as state (the return address registered in
// PingOne stays the start page): the start page then says the person signed out (issue #25).
const signedOutState = "signed_out"

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
	if end := h.svc.RP.EndSessionURL(c.Request().Context(), idToken, back, signedOutState); end != "" {
		return c.Redirect(http.StatusSeeOther, end)
	}
	return c.Redirect(http.StatusSeeOther, "/?state="+signedOutState)
}
