package handlers

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/views"
)

// t words a message in the request's language.
func t(c echo.Context, key messages.Key, data messages.Data) string {
	return messages.From(c.Request().Context()).T(key, data)
}

// render writes a component after rendering it fully into a buffer, so a failure half-way
// still gets a proper error page instead of half a page.
func (h *Handler) render(c echo.Context, status int, comp templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// renderBuffers are render's buffers, used again from page to page: a page grown into a fresh
// buffer each time was the largest share of the portal's allocations.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putRenderBuffer returns buf to the pool once the answer is written (HTMLBlob has copied it
// out), unless an unusually large page grew it: that one is left to the collector.
func putRenderBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 256<<10 {
		return
	}
	buf.Reset()
	renderBuffers.Put(buf)
}

// page builds the layout's props for the current request; it consumes the flash message.
func (h *Handler) page(c echo.Context, title, nav string) views.Page {
	p := views.Page{Title: title, Demo: h.site.Demo != nil, Nav: nav, Assets: views.Assets{
		CSS: h.assets.URL("style.css"), EnrollJS: h.assets.URL("enroll.js"), VerifyJS: h.assets.URL("verify.js"),
		PhoneJS: h.assets.URL("phone.js"), LocalTimeJS: h.assets.URL("localtime.js"),
	}}
	s := sess(c)
	if s == nil {
		return p
	}
	p.CSRF = s.CSRFToken()
	if u := s.User(); u.ID != "" {
		p.User = &views.User{Name: u.Name, Username: u.Username}
		p.Staff = s.Staff()
		if until := s.TemporaryUntil(); h.now().Before(until) {
			p.Temporary, p.TemporaryAt = untilText(c, until), until
		}
	}
	if f, ok := s.TakeFlash(); ok {
		// Numbers in right-to-left sentences are isolated by the printer (internal/messages).
		data := messages.Data{}
		for k, v := range f.Data {
			data[k] = v
		}
		for _, k := range regionFields {
			if code, ok := data[k].(string); ok && len(code) == 2 {
				data[k] = isolate(regionName(c, code))
			}
		}
		p.Flash = views.Flash{Text: t(c, f.Key, data), Kind: f.Kind}
		_ = save(c)
	}
	return p
}

// done keeps a flash message for the next page and sends the person there (post/redirect/get).
func done(c echo.Context, to, kind string, key messages.Key, data map[string]string) error {
	sess(c).SetFlash(kind, key, data)
	if err := save(c); err != nil {
		return err
	}
	return redirect(c, to)
}

// redirect answers a POST with 303 See Other (post/redirect/get), a GET with 302.
func redirect(c echo.Context, to string) error {
	if c.Request().Method == http.MethodPost {
		return c.Redirect(http.StatusSeeOther, to)
	}
	return c.Redirect(http.StatusFound, to)
}

const sessCtxKey = "portal.session"

// sess returns the request's session (loaded by loadSession), or nil.
func sess(c echo.Context) *session.Session {
	s, _ := c.Get(sessCtxKey).(*session.Session)
	return s
}

// save writes the request's session cookie.
func save(c echo.Context) error {
	s := sess(c)
	if s == nil {
		return nil
	}
	return s.Save(c.Request(), c.Response())
}
