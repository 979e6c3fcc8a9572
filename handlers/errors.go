package handlers

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/views"
)

// Error is a failure with a page for the person (catalog keys) and a cause for the
// operator's log.
type Error struct {
	Status int
	// Heading and Text are the page's heading and what happened, worded with Data.
	Heading, Text messages.Key
	Data          messages.Data
	// ActionURL and Action offer a way forward (such as signing in again).
	ActionURL  string
	Action     messages.Key
	RetryAfter int
	Cause      error
	// Hint tells the operator what to check (logged, never shown).
	Hint string
	// Quiet skips the "request failed" line: for refusals the portal chose and logs itself,
	// at most every few seconds (the in-flight cap, a dependency known down), which a surge would
	// otherwise turn into thousands of error lines. The access log still has each request.
	Quiet bool
}

// Error words the failure in English, for logs.
func (e *Error) Error() string {
	heading := messages.English().T(e.Heading, e.Data)
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, heading, e.Cause)
	}
	return fmt.Sprintf("%d %s", e.Status, heading)
}

func (e *Error) Unwrap() error { return e.Cause }

// failure is the English heading of the page an error gets, for audit records of failed
// changes.
func failure(err error) string {
	e := classify(err)
	return messages.English().T(e.Heading, e.Data)
}

// handleError is Echo's one error handler: it logs the cause and renders the error page.
func (h *Handler) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := classify(err)
	ctx := c.Request().Context()
	level := slog.LevelInfo
	if e.Status >= 500 {
		level = slog.LevelError
	}
	cause := ""
	if e.Cause != nil {
		cause = e.Cause.Error()
	}
	english := messages.English().T(e.Heading, e.Data)
	attrs := []any{"status", e.Status, "route", c.Path(), "error", english, "cause", cause}
	if e.Hint != "" {
		attrs = append(attrs, "fix", e.Hint)
	}
	if !e.Quiet {
		h.log().Log(ctx, level, "request failed", attrs...)
	}
	if e.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	heading := t(c, e.Heading, e.Data)
	props := views.ErrorProps{Status: e.Status, Heading: heading, Message: t(c, e.Text, e.Data), RequestID: requestID(c),
		ActionURL: e.ActionURL}
	if e.Action != "" {
		props.Action = t(c, e.Action, nil)
	}
	if rerr := h.render(c, e.Status, views.Error(h.page(c, heading, ""), props)); rerr != nil {
		h.log().ErrorContext(ctx, "error page failed", "error", rerr.Error())
		_ = c.String(e.Status, t(c, messages.ErrorPlain, messages.Data{"Heading": heading, "RequestID": requestID(c)}))
	}
}
