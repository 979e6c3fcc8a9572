package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/views"
)

// hdSearch finds users for help-desk staff (issue #21: at least 3 characters or an exact
// username, email or ID; at most 20 results; LIMIT_HELPDESK_SEARCH per agent; every search an
// audit record with the number found, never the term). Addresses are masked as on every staff
// page before a caller is verified.
func (h *Handler) hdSearch(c echo.Context) error {
	in := form.NewSearch(c.Request())
	q := in.Query
	props := views.SearchProps{Query: in.Shown(), Searched: q != ""}
	title := t(c, messages.HdTitle, nil)
	approvals, err := h.approvalItems(c)
	if err != nil {
		return err
	}
	props.Approvals = approvals
	refuse := func(status int, msg, detail string) error {
		props.Error = msg
		h.record(c, nil, audit.Event{Action: audit.ActionSearch, Helpdesk: true, Outcome: audit.OutcomeRefused, Detail: detail})
		return h.render(c, status, views.HelpdeskSearch(h.page(c, title, "helpdesk"), props))
	}
	if in.Empty() {
		return h.render(c, http.StatusOK, views.HelpdeskSearch(h.page(c, title, "helpdesk"), props))
	}
	ctx := c.Request().Context()
	if err := h.svc.Limits.Search(ctx, sess(c).UserID()); errors.As(err, new(*limits.Error)) {
		return refuse(refusalStatus(c, err), refusal(c, err), reasonOf(err))
	} else if err != nil {
		return err
	}
	page, err := h.svc.Directory.Search(ctx, q)
	switch {
	case errors.Is(err, helpdesk.ErrQueryTooLong):
		return refuse(http.StatusUnprocessableEntity, t(c, messages.HdQueryTooLong, nil), "query too long")
	case errors.Is(err, helpdesk.ErrQueryTooShort):
		return refuse(http.StatusUnprocessableEntity, t(c, messages.HdQueryTooShort, messages.Data{"Min": helpdesk.MinQuery}), "query too short")
	case err != nil:
		h.record(c, nil, audit.Event{Action: audit.ActionSearch, Helpdesk: true, Outcome: audit.OutcomeFailed, Detail: failure(err)})
		return err
	}
	ev := audit.Event{Action: audit.ActionSearch, Helpdesk: true, Outcome: audit.OutcomeSuccess, Results: page.Total}
	if page.More {
		ev.Detail = "more than shown"
		props.Refine = t(c, messages.HdRefine, messages.Data{"Max": helpdesk.PageSize})
	}
	h.record(c, nil, ev)
	props.Total = page.Total
	for _, r := range page.Results {
		props.Results = append(props.Results, views.UserResult{URL: hdBase(r.ID), Name: r.Name, Username: r.Username,
			Email: phone.MaskEmail(r.Email), MFAEnabled: r.MFAEnabled, Devices: r.Devices})
	}
	return h.render(c, http.StatusOK, views.HelpdeskSearch(h.page(c, title, "helpdesk"), props))
}
