package handlers

import (
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

// history is a person's recent MFA events for a page, worded; a PingOne that cannot say (rate
// limited, down) leaves the page up with a sentence saying so, and a line for the operator.
func (h *Handler) history(c echo.Context, userID string, max int) views.History {
	evs, err := h.svc.MFA.History(c.Request().Context(), userID, max)
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

// recentActivity is the person's own short history, a page of its own (linked from their
// phones) so that the list of phones costs PingOne no extra call.
func (h *Handler) recentActivity(c echo.Context) error {
	hist := h.history(c, sess(c).UserID(), 10)
	return h.render(c, http.StatusOK, views.RecentActivity(h.page(c, t(c, messages.HistRecent, nil), "devices"), hist))
}
