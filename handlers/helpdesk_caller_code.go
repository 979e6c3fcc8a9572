package handlers

// Checking the code the caller reads out (issue #16): PingOne sent it to one of the user's
// phones or to their email in the directory.

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/session"
)

// hdCallerCode checks the code the caller read out. The audit record takes the signals shown
// when the code was sent (the pending code keeps them); the user's devices and signals are read
// again only to show the verify page once more after a refusal.
func (h *Handler) hdCallerCode(c echo.Context) error {
	ctx, a, agent := c.Request().Context(), actorOf(c), sess(c).UserID()
	p, err := h.svc.Callers.Code(ctx, agent, a.target.ID)
	if err != nil {
		return err
	}
	ev := audit.Event{Action: audit.ActionVerifyCaller}
	if p != nil {
		ev.VerifiedBy, ev.Signals = p.Kind, p.Signals
	}
	f := form.NewCallerCode(c.Request())
	var v helpdesk.CallerCheck
	if err = f.Problem(); err == nil {
		v, err = h.svc.Callers.CheckCode(ctx, agent, a.target.ID, f.Code)
	}
	if err == nil {
		ev.Outcome = audit.OutcomeSuccess
		h.record(c, a, ev)
		return done(c, a.base, session.Success, messages.HdVerifyDone,
			map[string]string{"Name": a.name, "How": checkedHow(c, &v), "Until": clock(v.Until)})
	}
	msg, field, detail := codeCheckRefusal(c, err)
	if msg == "" {
		ev.Outcome, ev.Detail = audit.OutcomeFailed, failure(err)
		h.record(c, a, ev)
		return err
	}
	if detail != "" {
		ev.Outcome, ev.Detail = audit.OutcomeRefused, detail
		h.record(c, a, ev)
	}
	cl, err := h.caller(c)
	if err != nil {
		return err
	}
	return h.renderCallerCheck(c, cl, http.StatusUnprocessableEntity, msg, field)
}

// codeCheckRefusal words why the caller's code was refused and which field to point at; detail
// is the audit record's, "" when the refusal is not worth one (a typo); msg is "" for failures
// that are not refusals.
func codeCheckRefusal(c echo.Context, err error) (msg, field, detail string) {
	var wrong *helpdesk.WrongCodeError
	switch {
	case errors.Is(err, helpdesk.ErrBadCode):
		return t(c, messages.HdVerifyBadCode, nil), "code", ""
	case errors.Is(err, helpdesk.ErrNoCodeSent):
		return t(c, messages.HdVerifyNoCode, nil), "method", ""
	case errors.As(err, &wrong):
		if wrong.Known {
			return t(c, messages.HdVerifyWrong, messages.Data{"Left": wrong.Left}), "code", "wrong code"
		}
		return t(c, messages.HdVerifyWrongUnknown, nil), "code", "wrong code"
	case errors.Is(err, helpdesk.ErrCodeOver):
		return t(c, messages.HdVerifyOver, nil), "method", "code no longer valid"
	}
	return "", "", ""
}
