package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
)

// record writes an audit record with the signed-in person as actor (and as target, for
// their own changes).
func (h *Handler) record(c echo.Context, e audit.Event) {
	s := h.sess(c)
	if s != nil {
		e.Actor = audit.Person{ID: s.userID(), Username: s.str(keyUsername)}
	}
	if e.Target.ID == "" {
		e.Target = e.Actor
	}
	h.audit.Record(c.Request().Context(), e)
}
