package handlers

import (
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/notice"
	"github.com/smsmfa/portal/pingone"
)

// noticeKinds are the audited changes a person is told of by email: those PingOne does not
// announce itself (it tells of a phone the person adds; the help desk's is announced here).
var noticeKinds = map[string]notice.Kind{
	audit.ActionRemove: notice.PhoneRemoved, audit.ActionReplace: notice.PhoneReplaced,
	audit.ActionTemporaryAccess: notice.TemporarySet, audit.ActionEndTemporaryAccess: notice.TemporaryEnded,
}

// notify sends the notice an audited change calls for, after the change: in the background,
// so a mail server never fails or slows the change. It also drops the user's kept history.
func (h *Handler) notify(c echo.Context, e audit.Event) {
	if e.Outcome == audit.OutcomeSuccess && helpdesk.ChangesMethods(e.Action) && h.svc.MFA != nil {
		// The history kept for a minute would not show this change yet.
		h.svc.MFA.ForgetHistory(c.Request().Context(), e.Target.ID)
	}
	if h.svc.Notices == nil || e.Outcome != audit.OutcomeSuccess {
		return
	}
	kind, ok := noticeKinds[e.Action]
	switch {
	case e.Action == audit.ActionActivate && e.Helpdesk:
		kind, ok = notice.PhoneAdded, true
	case e.Action == audit.ActionSetMFA && e.Detail == "off":
		kind, ok = notice.MFATurnedOff, true
	}
	if !ok {
		return
	}
	n := notice.Notice{UserID: e.Target.ID, Kind: kind, ByHelpdesk: e.Helpdesk, Ticket: notice.Ticket(e.Reason),
		Phone: e.OldNumber, Device: e.NewNumber, At: h.now()}
	switch kind {
	case notice.PhoneAdded:
		n.Phone = e.NewNumber
	case notice.TemporarySet:
		// hdTemporary writes the end into the record's detail, in PingOne's format.
		n.Until, _ = time.Parse(pingone.BypassTimeFormat, strings.TrimPrefix(e.Detail, "until "))
	}
	h.svc.Notices.Notify(c.Request().Context(), n)
}
