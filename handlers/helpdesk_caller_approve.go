package handlers

// A colleague's approval, the third way to verify a caller (issue #16): another staff member
// approves from their own signed-in help desk; never the requester, never the user.

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/views"
)

// hdApprove approves a colleague's request: the requester is verified for that user. The
// approver has passed the help desk's own step-up (every /helpdesk route needs it).
func (h *Handler) hdApprove(c echo.Context) error {
	u := sess(c).User()
	approver := audit.Person{ID: u.ID, Username: u.Username}
	id := c.Param("aid") // a UUID: validIDs
	ap, v, err := h.svc.Callers.Approve(c.Request().Context(), id, approver)
	ev := audit.Event{Action: audit.ActionApproveCaller, Target: audit.Person(ap.Target), Helpdesk: true, Approver: approver,
		VerifiedBy: helpdesk.KindApproval, Signals: ap.Signals, Detail: "request " + id + " by " + ap.Requester.Username}
	var key messages.Key
	switch {
	case err == nil:
		ev.Outcome = audit.OutcomeSuccess
		h.record(c, nil, ev)
		h.log().InfoContext(c.Request().Context(), "caller approved", "requester", ap.Requester.ID, "user_id", ap.Target.ID,
			"until", v.Until)
		return done(c, "/helpdesk", session.Success, messages.HdApproveDone, map[string]string{"Requester": ap.Requester.Username, "Name": ap.TargetName})
	case errors.Is(err, helpdesk.ErrApprovalGone):
		key = messages.HdApproveGone
	case errors.Is(err, helpdesk.ErrOwnRequest):
		key = messages.HdApproveOwn
	case errors.Is(err, helpdesk.ErrTargetApproves):
		key = messages.HdApproveTarget
	default:
		return err
	}
	ev.Outcome, ev.Detail = audit.OutcomeRefused, err.Error()
	h.record(c, nil, ev) // with no target (an unknown approval), the record names the approver
	return done(c, "/helpdesk", session.Error, key, nil)
}

// approvalItems are the requests the signed-in staff member may approve, in words.
func (h *Handler) approvalItems(c echo.Context) ([]views.ApprovalItem, error) {
	aps, err := h.svc.Callers.Approvals(c.Request().Context(), sess(c).UserID())
	if err != nil {
		return nil, err
	}
	out := make([]views.ApprovalItem, 0, len(aps))
	for _, ap := range aps {
		sig := make([]helpdesk.Signal, len(ap.Signals))
		for i, s := range ap.Signals {
			sig[i] = helpdesk.Signal(s)
		}
		out = append(out, views.ApprovalItem{Action: "/helpdesk/approvals/" + ap.ID,
			Text: t(c, messages.HdApprovalsItem, messages.Data{"Requester": ap.Requester.Username, "Name": ap.TargetName,
				"Username": ap.Target.Username, "At": clock(ap.Created)}),
			Signals: signalTexts(c, sig, ap.TargetName, "")})
	}
	return out, nil
}
