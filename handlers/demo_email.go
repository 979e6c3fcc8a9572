package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/demo"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/views"
)

// demoEmail shows the emails the emulator sent, newest first: a page, or JSON for tools
// ([{"to","subject","text","sentAt"}]). In demo mode that is where the help desk's caller
// verification by email shows its codes.
func (h *Handler) demoEmail(c echo.Context) error {
	var mails []demo.Email
	if mb, ok := h.site.Demo.(demo.Mailbox); ok {
		mails = mb.Emails()
	}
	if strings.Contains(c.Request().Header.Get("Accept"), "application/json") {
		c.Response().Header().Set("Cache-Control", "no-store")
		if mails == nil {
			mails = []demo.Email{}
		}
		return c.JSON(http.StatusOK, mails)
	}
	rows := make([]views.EmailRow, 0, len(mails))
	for _, m := range mails {
		rows = append(rows, views.EmailRow{To: m.To, Subject: m.Subject, Text: m.Text, SentAt: m.SentAt.Format(time.TimeOnly + " UTC")})
	}
	return h.render(c, http.StatusOK, views.DemoEmail(h.page(c, t(c, messages.DemoEmailTitle, nil), ""), rows))
}
