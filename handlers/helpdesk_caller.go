package handlers

// The caller check before any help-desk change (issue #16): a code PingOne sends to one of the
// user's active phones or to their email in the directory, read back by the caller; or a
// colleague's approval. The rules and the records are internal/helpdesk's (Callers, Target).

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/views"
)

// caller is what a caller-check page needs: the staff member's view of the user, and the user
// as the help desk reads them (helpdesk.Target: their phones, the signals).
type caller struct {
	a      *actor
	target helpdesk.Target
}

// caller reads the user a caller check is about.
func (h *Handler) caller(c echo.Context) (*caller, error) {
	a := actorOf(c)
	target, err := h.target(c, a)
	if err != nil {
		return nil, err
	}
	return &caller{a: a, target: target}, nil
}

// target reads the user's devices and builds the user as the help desk reads them.
func (h *Handler) target(c echo.Context, a *actor) (helpdesk.Target, error) {
	devs, err := h.svc.MFA.Devices(c.Request().Context(), a.target.ID)
	if err != nil {
		return helpdesk.Target{}, err
	}
	return h.targetOf(c, a, devs)
}

// targetOf builds the user as the help desk reads them from devices already read.
func (h *Handler) targetOf(c echo.Context, a *actor, devs mfa.List) (helpdesk.Target, error) {
	return h.svc.Callers.Target(c.Request().Context(), a.user, devs, protection(c))
}

// hdCallerForm shows the ways to verify the caller, the code field when a code is waiting,
// and where a colleague's approval stands.
func (h *Handler) hdCallerForm(c echo.Context) error {
	cl, err := h.caller(c)
	if err != nil {
		return err
	}
	return h.renderCallerCheck(c, cl, http.StatusOK, "", "")
}

func (h *Handler) renderCallerCheck(c echo.Context, cl *caller, status int, errMsg, field string) error {
	ctx, a := c.Request().Context(), cl.a
	agent := sess(c).UserID()
	if v, err := h.svc.Callers.HoldingCheck(ctx, agent, a.target.ID); err != nil {
		return err
	} else if v != nil && errMsg == "" {
		// Checked already (a colleague approved while the agent waited): back to the user.
		return redirect(c, a.base)
	}
	props := callerProps(c, cl, errMsg, field)
	p, err := h.svc.Callers.Code(ctx, agent, a.target.ID)
	if err != nil {
		return err
	}
	if p != nil {
		props.CodeSent = t(c, messages.HdVerifySent, messages.Data{"Target": p.Masked})
	}
	st, ap, err := h.svc.Callers.ApprovalState(ctx, agent, a.target.ID)
	if err != nil {
		return err
	}
	switch st {
	case helpdesk.ApprovalWaiting:
		props.Waiting = t(c, messages.HdApprovalWaiting, messages.Data{"At": clock(ap.Created), "Until": clock(ap.Expires)}) +
			" " + t(c, messages.HdApprovalAsked, nil)
	case helpdesk.ApprovalTimedOut:
		props.TimedOut = t(c, messages.HdApprovalTimedOut, nil)
	}
	title := a.say(c, messages.HdVerifyTitle, nil)
	return h.render(c, status, views.HelpdeskCallerCheck(h.page(c, title, "helpdesk"), props))
}

// callerProps are the verify page's ways to verify, each with why it is not possible.
func callerProps(c echo.Context, cl *caller, errMsg, field string) views.HelpdeskCallerCheckProps {
	a := cl.a
	props := views.HelpdeskCallerCheckProps{Base: a.base, Name: a.name, Signals: signalTexts(c, cl.target.Signals, a.name, cl.target.Country),
		Error: errMsg, Field: field, Phone: cl.target.Phone, Email: phone.MaskEmail(cl.target.Email)}
	switch {
	case !cl.target.NewPhone.IsZero():
		props.NoPhone = a.say(c, messages.HdVerifySMSNew, messages.Data{"At": when(cl.target.NewPhone)})
	case props.Phone == "":
		props.NoPhone = a.say(c, messages.HdVerifySMSNone, nil)
	}
	if props.Email == "" {
		props.NoEmail = a.say(c, messages.HdVerifyEmailNone, nil)
	}
	if props.Phone == "" && props.Email == "" {
		props.NoMethod = a.say(c, messages.HdVerifyNoMethod, nil)
	}
	return props
}

// hdCallerStart sends a code to the user's phone or email, or asks a colleague's approval.
func (h *Handler) hdCallerStart(c echo.Context) error {
	cl, err := h.caller(c)
	if err != nil {
		return err
	}
	ctx, a, agent := c.Request().Context(), cl.a, sess(c).UserID()
	way := form.NewCallerWay(c.Request())
	kind := way.Way
	ev := audit.Event{Action: audit.ActionVerifyCaller, VerifiedBy: kind, Signals: helpdesk.Strings(cl.target.Signals)}
	if err := way.Problem(); err != nil {
		return h.renderCallerCheck(c, cl, http.StatusUnprocessableEntity, t(c, messages.HdVerifyChoose, nil), "method")
	}
	if way.Approval() {
		return h.askApproval(c, cl, ev)
	}
	_, err = h.svc.Callers.SendCode(ctx, agent, cl.target, kind)
	var tm *helpdesk.TooManyError
	switch {
	case err == nil:
		if kind == helpdesk.KindSMS {
			h.ops.Metrics.TextSent(cl.target.PhoneCountry)
		}
		ev.Outcome, ev.Detail = audit.OutcomeSuccess, "code sent"
		h.record(c, a, ev)
		return redirect(c, a.base+"/verify")
	case errors.Is(err, helpdesk.ErrKind):
		return h.renderCallerCheck(c, cl, http.StatusUnprocessableEntity, t(c, messages.HdVerifyChoose, nil), "method")
	case errors.Is(err, helpdesk.ErrNoPhone):
		ev.Outcome, ev.Detail = audit.OutcomeRefused, "no phone a code may go to"
		h.record(c, a, ev)
		return h.renderCallerCheck(c, cl, http.StatusUnprocessableEntity, callerProps(c, cl, "", "").NoPhone, "method")
	case errors.Is(err, helpdesk.ErrNoEmail):
		return h.renderCallerCheck(c, cl, http.StatusUnprocessableEntity, a.say(c, messages.HdVerifyEmailNone, nil), "method")
	case errors.As(err, &tm):
		ev.Outcome, ev.Detail = audit.OutcomeRefused, "too many codes"
		h.record(c, a, ev)
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(tm.RetryAfter.Seconds())))
		return h.renderCallerCheck(c, cl, http.StatusTooManyRequests,
			a.say(c, messages.HdVerifyTooMany, messages.Data{"Wait": waitPhrase(tm.RetryAfter)}), "method")
	case errors.As(err, new(*limits.Error)):
		// The staff member's texts, or the help desk's, are used up for now.
		ev.Outcome, ev.Detail = audit.OutcomeRefused, reasonOf(err)
		h.record(c, a, ev)
		h.countRefusal(err)
		return h.renderCallerCheck(c, cl, refusalStatus(c, err), refusal(c, err), "method")
	}
	ev.Outcome, ev.Detail = audit.OutcomeFailed, failure(err)
	h.record(c, a, ev)
	return err
}

// askApproval asks the other staff members to approve the change for this caller.
func (h *Handler) askApproval(c echo.Context, cl *caller, ev audit.Event) error {
	u := sess(c).User()
	ap, err := h.svc.Callers.RequestApproval(c.Request().Context(), audit.Person{ID: u.ID, Username: u.Username}, cl.target, cl.a.name)
	if err != nil {
		return err
	}
	ev.Action, ev.Outcome, ev.Detail = audit.ActionRequestApproval, audit.OutcomeSuccess, "request "+ap.ID
	h.record(c, cl.a, ev)
	return redirect(c, cl.a.base+"/verify")
}
