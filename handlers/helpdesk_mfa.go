package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/views"
)

// mfaWords are the sentences for turning MFA on and off.
var mfaWords = map[bool]struct{ heading, body, button, done messages.Key }{
	true:  {messages.HdMfaOnHeading, messages.HdMfaOnBody, messages.HdMfaOnButton, messages.HdMfaOnDone},
	false: {messages.HdMfaOffHeading, messages.HdMfaOffBody, messages.HdMfaOffButton, messages.HdMfaOffDone},
}

// hdMFAConfirm asks staff before turning a user's MFA on or off.
func (h *Handler) hdMFAConfirm(c echo.Context) error {
	a := actorOf(c)
	in := form.NewMFASwitch(c.Request())
	on := in.On
	if !on && !h.mfaOffAllowed() {
		return h.refuseMFAOff(c, a)
	}
	w := mfaWords[on]
	props := views.ConfirmProps{Heading: a.say(c, w.heading, nil), Body: a.say(c, w.body, nil), Button: t(c, w.button, nil),
		Danger: !on, Reason: true, ReasonRequired: in.ReasonRequired(h.reasons()), Action: a.base + "/mfa", Cancel: a.base,
		Hidden: map[string]string{"enabled": onOff(on, "true", "false")}}
	return h.render(c, http.StatusOK, views.Confirm(h.page(c, props.Heading, a.nav), props))
}

// hdMFA sets the user's mfaEnabled.
func (h *Handler) hdMFA(c echo.Context) error {
	a := actorOf(c)
	in := form.NewMFASwitch(c.Request())
	on := in.On
	if !on && !h.mfaOffAllowed() {
		return h.refuseMFAOff(c, a)
	}
	reason := in.Reason.Text
	if in.Problem(h.reasons()) != nil {
		key := messages.HdReasonMissing
		if !on {
			key = messages.HdMfaOffReason
		}
		h.record(c, a, audit.Event{Action: audit.ActionSetMFA, Detail: "no reason", Outcome: audit.OutcomeRefused})
		return done(c, a.base+"/mfa?enabled="+onOff(on, "true", "false"), session.Error, key, nil)
	}
	ev := audit.Event{Action: audit.ActionSetMFA, Reason: reason, Detail: onOff(on, "on", "off")}
	if err := h.svc.MFA.SetMFA(c.Request().Context(), a.target.ID, on); err != nil {
		ev.Outcome = audit.OutcomeFailed
		h.record(c, a, ev)
		return err
	}
	ev.Outcome = audit.OutcomeSuccess
	h.record(c, a, ev)
	return a.flash(c, a.base, session.Success, mfaWords[on].done, "")
}

func onOff(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}
