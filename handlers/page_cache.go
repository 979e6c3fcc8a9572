package handlers

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
)

// pageCache keeps pages that are the same bytes for everyone who sees them (the signed-out
// start page: no session data, no flash, no CSRF token), rendered and compressed once per
// language instead of on every request.
type pageCache struct {
	mu    sync.RWMutex
	pages map[string]*sharedPage
}

// sharedPage is one page as sent: plain and gzipped.
type sharedPage struct {
	plain, gzipped []byte
}

// renderShared answers with the page comp renders for the request's language, rendering and
// compressing it only the first time. Only for pages that depend on nothing but the language.
func (h *Handler) renderShared(c echo.Context, name string, comp func() templ.Component) error {
	key := name + "\x00" + messages.From(c.Request().Context()).Lang()
	h.shared.mu.RLock()
	p := h.shared.pages[key]
	h.shared.mu.RUnlock()
	if p == nil {
		var err error
		if p, err = newSharedPage(c, comp()); err != nil {
			return err
		}
		h.shared.mu.Lock()
		if h.shared.pages == nil {
			h.shared.pages = map[string]*sharedPage{}
		}
		h.shared.pages[key] = p
		h.shared.mu.Unlock()
	}
	hd := c.Response().Header()
	hd.Set("Cache-Control", "no-store")
	hd.Add("Vary", "Accept-Encoding")
	body := p.plain
	// The compression middleware leaves an answer that already has a Content-Encoding alone.
	if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		hd.Set("Content-Encoding", "gzip")
		body = p.gzipped
	}
	return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, body)
}

// newSharedPage renders comp and compresses it as well as gzip can, once.
func newSharedPage(c echo.Context, comp templ.Component) (*sharedPage, error) {
	var plain, gz bytes.Buffer
	if err := comp.Render(c.Request().Context(), &plain); err != nil {
		return nil, err
	}
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // a valid level
	_, _ = zw.Write(plain.Bytes())                          // writes to memory
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &sharedPage{plain: plain.Bytes(), gzipped: gz.Bytes()}, nil
}
