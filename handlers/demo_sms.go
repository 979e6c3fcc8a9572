package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/views"
)

// demoSMS shows the demo outbox, newest first: a page with the texts and the emails, or the
// texts as JSON for tools.
func (h *Handler) demoSMS(c echo.Context) error {
	texts := h.site.Demo.Texts()
	if wantsJSON(c) {
		return outboxJSON(c, texts)
	}
	rows := make([]views.SMSRow, 0, len(texts))
	for _, m := range texts {
		rows = append(rows, views.SMSRow{To: m.To, Text: m.Text, Code: m.Code, SentAt: messages.From(c.Request().Context()).Time(m.SentAt)})
	}
	emails := h.site.Demo.Emails()
	mails := make([]views.EmailRow, 0, len(emails))
	for _, m := range emails {
		mails = append(mails, views.EmailRow{To: m.To, Subject: m.Subject, Text: m.Text, Code: m.Code, SentAt: messages.From(c.Request().Context()).Time(m.SentAt)})
	}
	return h.render(c, http.StatusOK, views.DemoSMS(h.page(c, t(c, messages.DemoTitle, nil), ""), rows, mails))
}

// demoEmail answers the emails PingOne "sent" (its notices of new methods, one-time codes),
// newest first, as JSON; a browser gets the outbox page, where they are listed too.
func (h *Handler) demoEmail(c echo.Context) error {
	if !wantsJSON(c) {
		return c.Redirect(http.StatusFound, "/demo/sms#emails")
	}
	return outboxJSON(c, h.site.Demo.Emails())
}

func wantsJSON(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get("Accept"), "application/json")
}

// outboxJSON writes a list, [] rather than null when it is empty.
func outboxJSON[T any](c echo.Context, list []T) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if list == nil {
		list = []T{}
	}
	return c.JSON(http.StatusOK, list)
}
