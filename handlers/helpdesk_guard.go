package handlers

// The help desk's guards (issues #11 and #16): a fresh MFA sign-in for every /helpdesk page,
// no change to the staff member's own account, to other staff or to protected users, and no
// change to anyone without a verified caller.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/views"
)

const (
	hdTargetKey      = "portal.hd_target"
	hdProtectionKey  = "portal.hd_protection"
	hdCallerCheckKey = "portal.hd_caller_check"
)

// requireHelpdeskStepUp lets staff into the help desk only with an MFA sign-in (the step-up
// policy's ACR) no older than HELPDESK_STEP_UP_MAX_AGE: a phished password alone opens nothing.
// A page asks for the sign-in and comes back; a form posted without it changes nothing.
func (h *Handler) requireHelpdeskStepUp(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h.helpdeskProven(sess(c).Proof()) {
			if err := h.staffPhonesSettled(c); err != nil {
				return err
			}
			return next(c)
		}
		h.log().InfoContext(c.Request().Context(), "help-desk step-up required", "user_id", sess(c).UserID())
		if c.Request().Method != http.MethodGet {
			return fail(http.StatusForbidden, messages.HdStepupNeeded, messages.HdStepupNeededText, "/helpdesk", messages.HdTitle,
				errors.New("help desk: no recent MFA sign-in"))
		}
		return h.render(c, http.StatusOK, views.HelpdeskStepUp(h.page(c, t(c, messages.HdStepupTitle, nil), "helpdesk"),
			views.HelpdeskStepUpProps{Continue: "/auth/login?step_up=1&return_to=" + url.QueryEscape(c.Request().URL.RequestURI()),
				Minutes: int(h.helpdeskMaxAge().Minutes())}))
	}
}

// staffPhonesSettled refuses the help desk (pages, changes and approvals alike) when the staff
// member's sign-in does not settle the new-phone rule (helpdesk.StaffSettled, issue #21). The
// devices are read from PingOne once per MFA sign-in, after it (a device added later cannot
// have proved it), and the session remembers the answer for that sign-in only.
func (h *Handler) staffPhonesSettled(c echo.Context) error {
	ctx, s := c.Request().Context(), sess(c)
	uid, authTime := s.UserID(), s.Proof().AuthTime
	if s.StaffPhonesSettled(authTime) {
		return nil
	}
	devs, err := h.svc.MFA.Devices(ctx, uid)
	if err != nil {
		return err
	}
	newest, settled := h.svc.Callers.StaffSettled(devs, authTime)
	if settled {
		s.SetStaffPhonesSettled(authTime)
		return save(c)
	}
	wait := h.svc.Callers.NewPhoneWait()
	h.log().WarnContext(ctx, "help desk refused: a phone of the staff member is too new", "user_id", uid,
		"device_id", newest.ID, "changed", newest.Changed().UTC().Format(time.RFC3339), "wait", wait.String())
	if c.Request().Method != http.MethodGet {
		h.record(c, nil, audit.Event{Helpdesk: true, Action: routeAction(c), Outcome: audit.OutcomeRefused, Detail: "staff phone too new"})
	}
	return &Error{Status: http.StatusForbidden, Heading: messages.HdNewPhoneHeading, Text: messages.HdNewPhoneText,
		Data:      messages.Data{"At": when(newest.Changed()), "Until": when(newest.Changed().Add(wait))},
		ActionURL: "/devices", Action: messages.HdNewPhoneAction,
		Cause: fmt.Errorf("help desk: device %s changed %s, within HELPDESK_NEW_PHONE_WAIT", newest.ID, newest.Changed().UTC().Format(time.RFC3339))}
}

// when words a moment for staff, in the server's zone: the date and the time of day.
func when(at time.Time) string { return at.Local().Format("2006-01-02 15:04") }

// helpdeskMaxAge is HELPDESK_STEP_UP_MAX_AGE: how recent a staff member's MFA sign-in must be.
func (h *Handler) helpdeskMaxAge() time.Duration { return h.site.HelpdeskStepUpMaxAge }

// helpdeskProven reports whether the session's sign-in went through the step-up policy
// recently enough for the help desk. A code typed for the person's own phone does not count:
// only PingOne's MFA sign-in does.
func (h *Handler) helpdeskProven(p mfa.Proof) bool {
	return h.svc.MFA.SignedInWithMFA(p, h.helpdeskMaxAge())
}

// hdTarget reads the user a /helpdesk/users/:uid page is about, with their groups, and decides
// whether the staff member may change them.
func (h *Handler) hdTarget(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, err := h.svc.PingOne.GetUser(c.Request().Context(), c.Param("uid"), true)
		if pingone.IsNotFound(err) {
			return fail(http.StatusNotFound, messages.ErrorNoUser, messages.ErrorNoUserText, "/helpdesk", messages.HdBackSearch, err)
		}
		if err != nil {
			return err
		}
		c.Set(hdTargetKey, u)
		c.Set(hdProtectionKey, h.svc.Protector.Check(sess(c).UserID(), u))
		return next(c)
	}
}

// protection is the decision hdTarget made.
func protection(c echo.Context) helpdesk.Protection {
	p, _ := c.Get(hdProtectionKey).(helpdesk.Protection)
	return p
}

// protectionKeys word why a user cannot be changed from the help desk.
var protectionKeys = map[helpdesk.Protection]messages.Key{
	helpdesk.ProtectedSelf:  messages.HdProtectedSelf,
	helpdesk.ProtectedStaff: messages.HdProtectedStaff,
	helpdesk.ProtectedGroup: messages.HdProtectedGroup,
}

// hdChangeable refuses, in words that say why, any change to the staff member's own account,
// to other staff and to members of the protected groups. It runs after hdTarget.
func (h *Handler) hdChangeable(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := protection(c)
		if p == helpdesk.Changeable {
			return next(c)
		}
		u := c.Get(hdTargetKey).(*pingone.User)
		if c.Request().Method != http.MethodGet {
			h.record(c, nil, refusedEvent(c, u, "protected: "+string(p)))
		}
		return &Error{Status: http.StatusForbidden, Heading: messages.HdProtectedHeading, Text: protectionKeys[p],
			Data: messages.Data{"Name": u.DisplayName()}, ActionURL: hdBase(u.ID), Action: messages.HdBackUser,
			Cause: fmt.Errorf("help desk: %s is protected (%s)", u.ID, p)}
	}
}

// requireCallerChecked lets a change through only while the staff member has checked the
// caller for this user (helpdesk.Callers.HoldingCheck: the same agent, the same user, not
// expired). Forms send the agent to the caller check; a post without it changes nothing. The
// check is kept for the audit records that follow.
func (h *Handler) requireCallerChecked(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		agent, uid := sess(c).UserID(), c.Param("uid")
		v, err := h.svc.Callers.HoldingCheck(c.Request().Context(), agent, uid)
		if err != nil {
			return err
		}
		if v != nil {
			c.Set(hdCallerCheckKey, v)
			return next(c)
		}
		u := c.Get(hdTargetKey).(*pingone.User)
		if c.Request().Method == http.MethodGet {
			return done(c, hdBase(uid)+"/verify", session.Error, messages.HdVerifyFirst, map[string]string{"Name": u.DisplayName()})
		}
		h.record(c, nil, refusedEvent(c, u, "caller not verified"))
		return fail(http.StatusForbidden, messages.HdVerifyRequired, messages.HdVerifyRequiredText, hdBase(uid), messages.HdBackUser,
			errors.New("help desk: caller not verified"))
	}
}

// callerCheck is the caller check requireCallerChecked found, or nil.
func callerCheck(c echo.Context) *helpdesk.CallerCheck {
	v, _ := c.Get(hdCallerCheckKey).(*helpdesk.CallerCheck)
	return v
}

// refusedEvent is the audit record of a help-desk change refused before it was tried.
func refusedEvent(c echo.Context, u *pingone.User, detail string) audit.Event {
	return audit.Event{Target: audit.Person{ID: u.ID, Username: u.Username}, Helpdesk: true, Action: routeAction(c),
		Outcome: audit.OutcomeRefused, Detail: detail, Reason: form.NewReason(c.Request()).Text}
}

// routeAction names the change a help-desk route makes, for audit records.
func routeAction(c echo.Context) string {
	p := c.Path()
	switch {
	case strings.HasSuffix(p, "/phone"):
		return audit.ActionAddPhone
	case strings.HasSuffix(p, "/mfa"):
		return audit.ActionSetMFA
	case strings.HasSuffix(p, "/:id/verify"):
		return audit.ActionActivate
	case strings.HasSuffix(p, "/resend"):
		return audit.ActionResendCode
	case strings.HasSuffix(p, "/remove"):
		return audit.ActionRemove
	case strings.HasSuffix(p, "/:action"):
		if a, ok := deviceActions[c.Param("action")]; ok {
			return a.audit
		}
	case strings.Contains(p, "/verify"):
		return audit.ActionVerifyCaller
	}
	return p
}
