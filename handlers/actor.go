package handlers

import (
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/pingone"
)

// actor is who acts and for whom: the signed-in person on their own phones (/devices/...),
// or help-desk staff for a user (/helpdesk/users/:uid/...). Adding, verifying, resending and
// removing run the same code for both; an actor supplies the words, the links and the audit
// fields.
type actor struct {
	// self is set when the person acts on their own phones.
	self bool
	// target is the person whose phones change; name is their display name.
	target audit.Person
	name   string
	// user is the target as PingOne holds them, read for staff (nil for self).
	user *pingone.User
	// base is the page the flow returns to; devices prefixes a device's pages; addForm and
	// addAction are the add-phone form and where it posts.
	base, devices      string
	addForm, addAction string
	nav                string
	words              *wording
}

// wording is the sentences that differ between the two actors.
type wording struct {
	addTitle, sent, resumedSent, resumed messages.Key
	badCode, wrongCode, locked, verified messages.Key
	lockedFor                            messages.Key
	resent, removeTitle, removeBody      messages.Key
}

var (
	selfWords = &wording{addTitle: messages.AddTitleSelf, sent: messages.AddSentSelf, resumedSent: messages.AddResumedSent,
		resumed: messages.AddResumed, badCode: messages.VerifyBadCodeSelf, wrongCode: messages.VerifyWrongCodeSelf,
		locked: messages.VerifyLockedSelf, lockedFor: messages.VerifyLockedWaitSelf, verified: messages.VerifyDoneSelf, resent: messages.ResendSentSelf,
		removeTitle: messages.RemoveTitle, removeBody: messages.RemoveBodySelf}
	// Staff hear of a resumed number as of any other: the code went to the user either way.
	staffWords = &wording{addTitle: messages.AddTitleFor, sent: messages.AddSentFor, resumedSent: messages.AddSentFor,
		resumed: messages.AddSentFor, badCode: messages.VerifyBadCodeFor, wrongCode: messages.VerifyWrongCodeFor,
		locked: messages.VerifyLockedFor, lockedFor: messages.VerifyLockedWaitFor, verified: messages.VerifyDoneFor, resent: messages.ResendSentFor,
		removeTitle: messages.RemoveHeading, removeBody: messages.RemoveBodyFor}
)

// actor says who acts and for whom: staff when the route names a user (:uid), which only
// staff reach (requireStaff) and whom hdTarget has read, else the signed-in person.
func actorFor(c echo.Context) *actor {
	if c.Param("uid") == "" {
		u := sess(c).User()
		return &actor{self: true, target: audit.Person{ID: u.ID, Username: u.Username}, name: u.Name,
			base: "/devices", devices: "/devices/", addForm: addForm, addAction: "/devices/sms",
			nav: "devices", words: selfWords}
	}
	// Every route with :uid reads the user first (hdTarget, routes.go): no user here is a
	// programming error, which the route's tests show.
	u := c.Get(hdTargetKey).(*pingone.User)
	base := hdBase(u.ID)
	return &actor{target: audit.Person{ID: u.ID, Username: u.Username}, name: u.DisplayName(), user: u,
		base: base, devices: base + "/devices/", addForm: base + "/phone/new", addAction: base + "/phone",
		nav: "helpdesk", words: staffWords}
}

const actorKey = "portal.actor"

// withActor works out who acts and for whom (actorFor) once for the route's handler, which
// takes it with actorOf. On the help desk's routes it runs after hdTarget, which read the user.
func withActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(actorKey, actorFor(c))
		return next(c)
	}
}

// actorOf is the request's actor, from withActor. Every route whose handler calls it has
// withActor (routes.go); a route without it is a programming error that its tests show.
func actorOf(c echo.Context) *actor { return c.Get(actorKey).(*actor) }

func hdBase(uid string) string { return "/helpdesk/users/" + uid }

// say words one of the actor's sentences; the target's name is always at hand.
func (a *actor) say(c echo.Context, key messages.Key, data messages.Data) string {
	d := messages.Data{"Name": a.name}
	for k, v := range data {
		d[k] = v
	}
	return t(c, key, d)
}

// flash keeps one of the actor's sentences for the next page, which is where.
func (a *actor) flash(c echo.Context, where, kind string, key messages.Key, device string) error {
	return done(c, where, kind, key, map[string]string{"Name": a.name, "Device": device})
}

// proof is what the step-up rule weighs: the person's own, or nil when staff act for a user
// (the step-up is about a person's own session).
func (a *actor) proof(c echo.Context) *mfa.Proof {
	if !a.self {
		return nil
	}
	p := sess(c).Proof()
	return &p
}

// reason reads the help desk's reason or ticket, cleaned, and says whether one is missing
// where the configuration requires it. People acting for themselves give none.
func (h *Handler) reason(c echo.Context, a *actor) (reason, missing string) {
	if a.self {
		return "", ""
	}
	in := form.NewReason(c.Request())
	if in.Problem(h.reasons().Required(a.self, false)) != nil {
		missing = t(c, messages.HdReasonMissing, nil)
	}
	return in.Text, missing
}

// record writes an audit record of a change by the signed-in person to the actor's target.
func (h *Handler) record(c echo.Context, a *actor, e audit.Event) {
	u := sess(c).User()
	e.Actor = audit.Person{ID: u.ID, Username: u.Username}
	if a != nil {
		e.Target, e.Helpdesk = a.target, !a.self
	}
	if e.Target.ID == "" {
		e.Target = e.Actor
	}
	// A help-desk change names the caller check it went through (requireCallerChecked).
	if v := callerCheck(c); e.Helpdesk && v != nil {
		e.VerifiedBy, e.Approver = v.Kind, audit.Person(v.Approver)
		for _, s := range v.Signals {
			if !slices.Contains(e.Signals, s) {
				e.Signals = append(e.Signals, s)
			}
		}
	}
	h.svc.Audit.Record(c.Request().Context(), e)
	h.notify(c, e)
	if e.Outcome == audit.OutcomeSuccess && helpdesk.ChangesMethods(e.Action) && h.svc.Callers != nil {
		// For the help desk's recent-change signal; a failure here only weakens a warning.
		if err := h.svc.Callers.MarkChanged(c.Request().Context(), e.Target.ID); err != nil {
			h.log().WarnContext(c.Request().Context(), "could not note a change of methods", "error", err.Error())
		}
	}
}
