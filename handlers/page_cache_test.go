package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
)

// TestRenderSharedRendersOncePerLanguage: a shared page is rendered the first time a language
// asks for it and served from the cache after that, gzipped when asked.
func TestRenderSharedRendersOncePerLanguage(t *testing.T) {
	h := &Handler{}
	e := echo.New()
	renders := 0
	page := func() templ.Component {
		renders++
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			_, err := io.WriteString(w, "<p>"+messages.From(ctx).Lang()+"</p>"+strings.Repeat("<p>words</p>", 50))
			return err
		})
	}
	for i, tc := range []struct {
		lang, encoding string
		renders        int
	}{
		{"en", "", 1}, {"en", "gzip", 1}, {"de", "", 2}, {"de", "gzip", 2}, {"en", "", 2},
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", tc.encoding)
		req = req.WithContext(messages.WithPrinter(req.Context(), messages.NewPrinter(tc.lang)))
		rec := httptest.NewRecorder()
		if err := h.renderShared(e.NewContext(req, rec), "test", page); err != nil {
			t.Fatal(err)
		}
		if renders != tc.renders {
			t.Errorf("request %d (%s): %d renders, want %d", i, tc.lang, renders, tc.renders)
		}
		gz := rec.Header().Get("Content-Encoding") == "gzip"
		if gz != (tc.encoding == "gzip") || (!gz && !strings.HasPrefix(rec.Body.String(), "<p>"+tc.lang+"</p>")) {
			t.Errorf("request %d: gzip %v, body %q", i, gz, rec.Body.String())
		}
	}
}
