package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/views"
)

// removeForm asks before a phone is removed, warning a person about to remove their only
// active phone. The question comes first (issue #25): when the person must step up, the page
// says so, and PingOne's password and code come after "Remove", not before the question.
func (h *Handler) removeForm(c echo.Context) error {
	a := actorOf(c)
	devs, err := h.svc.MFA.Devices(c.Request().Context(), a.target.ID)
	if err != nil {
		return err
	}
	id := c.Param("id")
	d, err := devs.Find(id)
	if err != nil {
		return err
	}
	next := ""
	if p := a.proof(c); p != nil {
		var su *mfa.StepUpError
		if err := h.svc.MFA.StepUpFor(devs, *p); errors.As(err, &su) {
			next = su.Masked
			if next == "" {
				next = t(c, messages.StepupYourPhone, nil)
			}
		} else if err != nil {
			return err
		}
	}
	return h.renderRemove(c, a, http.StatusOK, d, a.self && devs.IsLastActive(id), "", "", next)
}

// confirmedFor is how long a confirmed removal waits for its step-up.
const confirmedFor = 15 * time.Minute

// remove deletes the phone after confirmation. A person who must step up first (internal/mfa
// Remove says so) is shown the step-up's page, the confirmation kept in the session
// (CSRF-checked here), and the removal finishes when they come back from PingOne
// (removeConfirmed).
func (h *Handler) remove(c echo.Context) error {
	a := actorOf(c)
	id := c.Param("id")
	return h.removeNow(c, a, id, func(su *mfa.StepUpError) error {
		h.log().InfoContext(c.Request().Context(), "step-up required", "user_id", a.target.ID, "device_id", id)
		sess(c).SetConfirmed("remove:"+id, h.now())
		if err := save(c); err != nil {
			return err
		}
		// The step-up's own page ("Confirm it's you", Continue) as everywhere a step-up is
		// asked (docs/ui-contract.md), now after the question rather than before it.
		return h.stepUpPage(c, su, a.devices+id+"/remove/confirmed")
	})
}

// removeConfirmed finishes a removal the person confirmed before PingOne's step-up. Without
// a confirmation (an old link, another device, or one already used) it asks again, as it does
// when the step-up is still needed.
func (h *Handler) removeConfirmed(c echo.Context) error {
	a := actorOf(c)
	id := c.Param("id")
	ok := a.self && sess(c).TakeConfirmed("remove:"+id, h.now(), confirmedFor)
	if err := save(c); err != nil {
		return err
	}
	if !ok {
		return redirect(c, a.devices+id+"/remove")
	}
	return h.removeNow(c, a, id, func(su *mfa.StepUpError) error {
		return h.stepUpPage(c, su, a.devices+id+"/remove")
	})
}

// removeNow removes the phone, recorded, and goes back to the list. internal/mfa applies the
// step-up rule to a person's own phone; stepUp answers its *StepUpError.
func (h *Handler) removeNow(c echo.Context, a *actor, id string, stepUp func(*mfa.StepUpError) error) error {
	ctx := c.Request().Context()
	d, err := h.svc.MFA.Device(ctx, a.target.ID, id)
	if err != nil {
		return err
	}
	reason, missing := h.reason(c, a)
	if missing != "" {
		return h.renderRemove(c, a, http.StatusUnprocessableEntity, d, false, reason, missing, "")
	}
	ev := audit.Event{Action: audit.ActionRemove, DeviceID: id, OldNumber: d.Masked, Reason: reason}
	err = h.svc.MFA.Remove(ctx, a.target.ID, d, a.proof(c))
	var su *mfa.StepUpError
	switch {
	case errors.As(err, &su):
		return stepUp(su)
	case mfa.StepUpRefused(err):
		// Refused before PingOne was asked: nothing was removed, nothing to record.
		return err
	case err != nil:
		ev.Outcome, ev.Detail = audit.OutcomeFailed, failure(err)
		h.record(c, a, ev)
		return err
	}
	ev.Outcome = audit.OutcomeSuccess
	h.record(c, a, ev)
	return a.flash(c, a.base, session.Success, messages.RemoveDone, maskedLabel(c, d))
}

// renderRemove shows the confirmation, with the reason field for staff.
// stepUpPhone, when set, is the phone the step-up after "Remove" texts its code to.
func (h *Handler) renderRemove(c echo.Context, a *actor, status int, d mfa.Device, lastActive bool, reason, errMsg, stepUpPhone string) error {
	label := messages.Data{"Device": deviceLabel(c, d)}
	props := views.ConfirmProps{Heading: t(c, messages.RemoveHeading, label), Body: a.say(c, a.words.removeBody, nil),
		Action: a.devices + d.ID + "/remove", Button: t(c, messages.DeviceRemove, nil), Cancel: a.base, Danger: true,
		Reason: !a.self, ReasonRequired: h.reasons().Required(a.self, false), ReasonValue: reason, Error: errMsg}
	if lastActive {
		props.Body, props.Warning = t(c, messages.RemoveLastActive, nil), true
	}
	if stepUpPhone != "" {
		props.Next = t(c, messages.RemoveStepupNext, messages.Data{"Phone": stepUpPhone})
	}
	return h.render(c, status, views.Confirm(h.page(c, t(c, a.words.removeTitle, label), a.nav), props))
}
