package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/views"
)

// durationKeys word the temporary-access lengths the help desk may choose.
var durationKeys = map[time.Duration]messages.Key{
	time.Hour: messages.HdTempHour, 4 * time.Hour: messages.HdTempFourHours, 24 * time.Hour: messages.HdTempDay,
}

// bypassMax is the longest temporary access the help desk may give (HELPDESK_BYPASS_MAX).
func (h *Handler) bypassMax() time.Duration { return h.site.BypassMax }

// durationOptions are the choices of the "Duration" select, up to HELPDESK_BYPASS_MAX.
func (h *Handler) durationOptions(c echo.Context) []views.DurationOption {
	var out []views.DurationOption
	for _, d := range config.BypassDurations {
		if d <= h.bypassMax() {
			out = append(out, views.DurationOption{Value: d.String(), Label: t(c, durationKeys[d], nil)})
		}
	}
	return out
}

// untilText words the end of a temporary access for a page: date and time (in UTC, which the
// catalog's time format says).
func untilText(c echo.Context, until time.Time) string {
	return messages.From(c.Request().Context()).DateTime(until)
}

// temporaryStatus is the temporary-access part of a help-desk user page: its status as data
// (so a layout can make it a chip) and the controls once the caller is verified. A PingOne
// that cannot say leaves the page up, saying so.
func (h *Handler) temporaryStatus(c echo.Context, a *actor) views.TemporaryAccess {
	ta := views.TemporaryAccess{Durations: h.durationOptions(c), AllowMFAOff: h.site.AllowMFAOff}
	b, err := h.svc.MFA.TemporaryAccess(c.Request().Context(), a.target.ID)
	switch {
	case err != nil:
		h.log().WarnContext(c.Request().Context(), "temporary access unreadable", "user_id", a.target.ID, "error", err.Error())
		ta.Unknown = true
	case b.Active:
		ta.Active, ta.Until = true, b.Until
		ta.UntilText = untilText(c, b.Until)
	}
	return ta
}

// hdTemporary gives the user temporary access: sign-in with the password alone for the chosen
// length, with a reason (always required: it is a weaker sign-in for a while).
func (h *Handler) hdTemporary(c echo.Context) error {
	a := actorOf(c)
	ctx := c.Request().Context()
	in := form.NewTemporaryAccess(c.Request())
	ev := audit.Event{Action: audit.ActionTemporaryAccess, Reason: in.Reason.Text}
	if in.Problem() != nil {
		ev.Outcome, ev.Detail = audit.OutcomeRefused, "no reason"
		h.record(c, a, ev)
		return done(c, a.base, session.Error, messages.HdTempReasonMissing, nil)
	}
	until, err := h.svc.MFA.GrantTemporaryAccess(ctx, a.target.ID, in.Duration, config.BypassDurations, h.bypassMax())
	if errors.Is(err, mfa.ErrDuration) {
		h.log().WarnContext(ctx, "temporary access refused", "user_id", a.target.ID, "reason", err.Error())
		ev.Outcome, ev.Detail = audit.OutcomeRefused, "duration "+in.DurationText
		h.record(c, a, ev)
		return done(c, a.base, session.Error, messages.HdTempBadDuration, nil)
	}
	if err != nil {
		ev.Outcome, ev.Detail = audit.OutcomeFailed, err.Error()
		h.record(c, a, ev)
		return err
	}
	ev.Outcome, ev.Detail = audit.OutcomeSuccess, "until "+until.UTC().Format(pingone.BypassTimeFormat)
	h.record(c, a, ev)
	return done(c, a.base, session.Success, messages.HdTempDone, map[string]string{"Name": a.name, "Until": untilText(c, until)})
}

// hdTemporaryEnd ends the user's temporary access now.
func (h *Handler) hdTemporaryEnd(c echo.Context) error {
	a := actorOf(c)
	ev := audit.Event{Action: audit.ActionEndTemporaryAccess, Reason: form.NewReason(c.Request()).Text}
	if err := h.svc.MFA.EndTemporaryAccess(c.Request().Context(), a.target.ID); err != nil {
		ev.Outcome, ev.Detail = audit.OutcomeFailed, err.Error()
		h.record(c, a, ev)
		return err
	}
	ev.Outcome = audit.OutcomeSuccess
	h.record(c, a, ev)
	return a.flash(c, a.base, session.Success, messages.HdTempEnded, "")
}

// mfaOffAllowed reports whether turning MFA off (with no end) is still offered: only with
// HELPDESK_ALLOW_MFA_OFF; temporary access is the way otherwise.
func (h *Handler) mfaOffAllowed() bool { return h.site.AllowMFAOff }

// refuseMFAOff answers a request to turn MFA off that the configuration does not allow.
func (h *Handler) refuseMFAOff(c echo.Context, a *actor) error {
	h.record(c, a, audit.Event{Action: audit.ActionSetMFA, Detail: "off not allowed (HELPDESK_ALLOW_MFA_OFF)", Outcome: audit.OutcomeRefused})
	return fail(http.StatusForbidden, messages.HdMfaOffNotAllowed, messages.HdMfaOffNotAllowedText, a.base, messages.ActionBackToUser,
		errors.New("turning MFA off is not allowed (HELPDESK_ALLOW_MFA_OFF is false)"))
}
