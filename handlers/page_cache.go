package handlers

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/static"
)

// pageCache keeps pages that are the same bytes for everyone who sees them (the signed-out
// start page: no session data, no flash, no CSRF token), rendered and compressed once per
// language instead of on every request.
type pageCache struct {
	mu    sync.RWMutex
	pages map[string]*static.Asset
}

// renderShared answers with the page comp renders for the request's language, rendering and
// compressing it only the first time. Only for pages that depend on nothing but the language.
func (h *Handler) renderShared(c echo.Context, name string, comp func() templ.Component) error {
	key := name + "\x00" + messages.From(c.Request().Context()).Lang()
	h.shared.mu.RLock()
	p := h.shared.pages[key]
	h.shared.mu.RUnlock()
	if p == nil {
		var buf bytes.Buffer
		if err := comp().Render(c.Request().Context(), &buf); err != nil {
			return err
		}
		p = static.NewPage(echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
		h.shared.mu.Lock()
		if h.shared.pages == nil {
			h.shared.pages = map[string]*static.Asset{}
		}
		h.shared.pages[key] = p
		h.shared.mu.Unlock()
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	p.Write(c.Response(), c.Request(), http.StatusOK)
	return nil
}
