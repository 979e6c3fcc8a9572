package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/views"
)

// hdSearch finds users for help-desk staff.
func (h *Handler) hdSearch(c echo.Context) error {
	q := c.QueryParam("q")
	props := views.SearchProps{Query: helpdesk.ShownQuery(q), Searched: q != ""}
	title := t(c, messages.HdTitle, nil)
	approvals, err := h.approvalItems(c)
	if err != nil {
		return err
	}
	props.Approvals = approvals
	page, err := h.svc.Directory.Search(c.Request().Context(), q, c.QueryParam("cursor"))
	switch {
	case errors.Is(err, helpdesk.ErrQueryTooLong):
		props.Error = t(c, messages.HdQueryTooLong, nil)
		return h.render(c, http.StatusUnprocessableEntity, views.HelpdeskSearch(h.page(c, title, "helpdesk"), props))
	case err != nil:
		return err
	}
	props.Total = page.Total
	for _, r := range page.Results {
		props.Results = append(props.Results, views.UserResult{URL: hdBase(r.ID), Name: r.Name, Username: r.Username,
			Email: r.Email, MFAEnabled: r.MFAEnabled, Devices: r.Devices})
	}
	if page.Next != "" {
		props.NextURL = "/helpdesk?" + url.Values{"q": {props.Query}, "cursor": {page.Next}}.Encode()
	}
	return h.render(c, http.StatusOK, views.HelpdeskSearch(h.page(c, title, "helpdesk"), props))
}
