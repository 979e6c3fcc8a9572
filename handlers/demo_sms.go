package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/views"
)

// demoSMS shows the demo outbox, newest first: a page, or JSON for tools.
func (h *Handler) demoSMS(c echo.Context) error {
	texts := h.site.Demo.Texts()
	if strings.Contains(c.Request().Header.Get("Accept"), "application/json") {
		c.Response().Header().Set("Cache-Control", "no-store")
		if texts == nil {
			return c.JSON(http.StatusOK, []any{})
		}
		return c.JSON(http.StatusOK, texts)
	}
	rows := make([]views.SMSRow, 0, len(texts))
	for _, m := range texts {
		rows = append(rows, views.SMSRow{To: m.To, Text: m.Text, Code: m.Code, SentAt: messages.From(c.Request().Context()).Time(m.SentAt)})
	}
	return h.render(c, http.StatusOK, views.DemoSMS(h.page(c, t(c, messages.DemoTitle, nil), ""), rows))
}
