package handlers

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/views"
)

// eventKeys word each kind of history event.
var eventKeys = map[mfa.EventKind]messages.Key{
	mfa.EventSignInMFA: messages.HistSignInMFA, mfa.EventSignInPassword: messages.HistSignInPassword,
	mfa.EventWrongCode: messages.HistWrongCode, mfa.EventLocked: messages.HistLocked, mfa.EventPhoneAdded: messages.HistPhoneAdded,
	mfa.EventPhoneActivated: messages.HistPhoneActivated, mfa.EventPhoneRemoved: messages.HistPhoneRemoved,
	mfa.EventTemporary: messages.HistTemporary,
}

// recentOnPhones is how many of the person's latest events their phones page shows; the 14
// days' list is a link away (recentOnPage).
const (
	recentOnPhones = 5
	recentOnPage   = mfa.HistoryMax
)

// history is a person's recent MFA events for a page, worded; a PingOne that cannot say (rate
// limited, down) leaves the page up with a sentence saying so, and a line for the operator.
func (h *Handler) history(c echo.Context, userID string, max int) views.History {
	evs, err := h.svc.MFA.History(c.Request().Context(), userID, max)
	return h.wordHistory(c, userID, evs, err)
}

// historyRead is a history read in the background (startHistory).
type historyRead struct {
	events []mfa.Event
	err    error
}

// startHistory reads a person's history beside the page's other PingOne calls, so the page
// waits for the slower answer rather than both in turn. The read gets the request's context
// only: the echo.Context is not the goroutine's to touch.
func (h *Handler) startHistory(ctx context.Context, userID string, max int) <-chan historyRead {
	out := make(chan historyRead, 1)
	go func() {
		evs, err := h.svc.MFA.History(ctx, userID, max)
		out <- historyRead{evs, err}
	}()
	return out
}

// wordHistory words a history read for the page.
func (h *Handler) wordHistory(c echo.Context, userID string, evs []mfa.Event, err error) views.History {
	if err != nil {
		h.log().WarnContext(c.Request().Context(), "history not available", "user_id", userID, "error", err.Error())
		return views.History{Unavailable: true}
	}
	p := messages.From(c.Request().Context())
	out := views.History{Rows: make([]views.HistoryRow, 0, len(evs))}
	for _, e := range evs {
		out.Rows = append(out.Rows, views.HistoryRow{When: p.DateTime(e.At), What: t(c, eventKeys[e.Kind], nil)})
	}
	return out
}

// recentActivity is the person's own history of 14 days, linked from the latest events on
// their phones page (read from the same history, kept a minute).
func (h *Handler) recentActivity(c echo.Context) error {
	hist := h.history(c, sess(c).UserID(), recentOnPage)
	return h.render(c, http.StatusOK, views.RecentActivity(h.page(c, t(c, messages.HistRecent, nil), "devices"), hist))
}
