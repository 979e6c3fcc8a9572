package handlers

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/views"
)

// render writes a component after rendering it fully into a buffer, so a failure half-way
// still gets a proper error page instead of half a page.
func (h *Handler) render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// page builds the layout's props for the current request; it consumes the flash message.
func (h *Handler) page(c echo.Context, title, nav string) views.Page {
	p := views.Page{Title: title, Demo: h.demo != nil, Nav: nav, Assets: views.Assets{
		CSS: h.assets.URL("style.css"), EnrollJS: h.assets.URL("enroll.js"), VerifyJS: h.assets.URL("verify.js"),
		PhoneJS: h.assets.URL("phone.js"),
	}}
	s := h.sess(c)
	if s == nil {
		return p
	}
	p.CSRF = s.csrfToken()
	if s.userID() != "" {
		p.User = &views.User{Name: s.str(keyName), Username: s.str(keyUsername)}
		p.Staff = s.bool(keyStaff)
	}
	if text := s.str(keyFlash); text != "" {
		p.Flash = views.Flash{Text: text, Kind: s.str(keyFlashKind)}
		delete(s.s.Values, keyFlash)
		delete(s.s.Values, keyFlashKind)
		_ = h.save(c)
	}
	return p
}

// redirect answers a POST with 303 See Other (post/redirect/get), a GET with 302.
func redirect(c echo.Context, to string) error {
	if c.Request().Method == http.MethodPost {
		return c.Redirect(http.StatusSeeOther, to)
	}
	return c.Redirect(http.StatusFound, to)
}
