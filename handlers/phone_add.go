package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/views"
)

// enroll is the onboarding email's deep link: the add-phone form, after signing in when
// needed. The sign-in comes back to the form itself, not to this link: one redirect fewer,
// a round trip saved on a phone's network. The form, told where the person came from, says
// they are set up instead when they already have an active phone (newPhone).
func (h *Handler) enroll(c echo.Context) error {
	if s := sess(c); s == nil || s.UserID() == "" {
		return c.Redirect(http.StatusFound, "/auth/login?return_to="+url.QueryEscape(enrollForm))
	}
	return c.Redirect(http.StatusFound, enrollForm)
}

// addForm is the person's add-phone form; enrollForm is the same reached from the onboarding
// link.
const (
	addForm    = "/devices/sms/new"
	enrollForm = addForm + "?from=enroll"
)

// newPhone shows the add-phone form, after the step-up when the person needs one.
func (h *Handler) newPhone(c echo.Context) error {
	a := actorOf(c)
	if a.self {
		if answered, err := h.firstPhoneFirst(c, a, c.QueryParam("from") == "enroll"); answered {
			return err
		}
	} else if answered, err := h.stepUpFirst(c, a, a.addForm); answered {
		return err
	}
	rules := h.svc.MFA.CodeRules(c.Request().Context())
	f := h.phoneForm(c, a, h.guessRegion(c), rules)
	if !rules.CanPair {
		return h.renderPairingOff(c, a, http.StatusOK, f)
	}
	return h.renderAddPhone(c, a, http.StatusOK, f)
}

// firstPhoneFirst is the person's own add-phone form's check: the step-up when they have an
// active phone; when they have none, the first-phone rules (internal/mfa FirstPhone): staff and
// protected people are told to ask an administrator, and with FIRST_PHONE_PROOF=email a person
// who has not proved their mailbox is sent to do so. From the onboarding link (enroll), someone
// who already has an active phone is told they are set up, with their phones, and never asked
// for a step-up. It reports whether it answered.
func (h *Handler) firstPhoneFirst(c echo.Context, a *actor, enroll bool) (bool, error) {
	ctx, p := c.Request().Context(), a.proof(c)
	if enroll {
		// One device read serves both the set-up page and the first-phone rules.
		l, err := h.svc.MFA.Devices(ctx, a.target.ID)
		if err != nil {
			return true, err
		}
		if l.HasActive() {
			return true, h.renderSetUp(c, l)
		}
		return h.firstPhoneRules(c, a, l)
	}
	l, err := h.svc.MFA.StepUp(ctx, a.target.ID, *p)
	var su *mfa.StepUpError
	switch {
	case errors.As(err, &su):
		return true, h.stepUpPage(c, su, a.addForm)
	case err != nil:
		return true, err
	case l == nil:
		// A recent MFA proof: the person has had a phone; "Send code" checks again anyway.
		return false, nil
	}
	return h.firstPhoneRules(c, a, l)
}

// firstPhoneRules applies the first-phone rules to a person whose devices are l, answering
// when they refuse; it reports whether it answered.
func (h *Handler) firstPhoneRules(c echo.Context, a *actor, l mfa.List) (bool, error) {
	ctx := c.Request().Context()
	err := h.svc.MFA.FirstPhone(ctx, a.target.ID, l, *a.proof(c))
	switch {
	case errors.Is(err, mfa.ErrMailboxProof):
		return true, redirect(c, mailboxPage)
	case errors.Is(err, mfa.ErrFirstPhoneElsewhere):
		h.log().InfoContext(ctx, "first phone refused", "user_id", a.target.ID, "reason", "staff or protected")
		f := h.phoneForm(c, a, h.guessRegion(c), h.svc.MFA.CodeRules(ctx))
		f.Error = refusal(c, err)
		return true, h.renderAddPhone(c, a, http.StatusForbidden, f)
	}
	return err != nil, err
}

// addPhone registers the number and sends the actor to the code page; PingOne texts the code
// to the target's phone.
func (h *Handler) addPhone(c echo.Context) error {
	a := actorOf(c)
	in := form.NewPhone(c.Request())
	region := in.Region
	f := h.phoneForm(c, a, region, h.svc.MFA.CodeRules(c.Request().Context()))
	f.Number = in.Number
	reason, missing := h.reason(c, a)
	f.ReasonValue, f.ReasonError = reason, missing
	if missing != "" {
		return h.renderAddPhone(c, a, http.StatusUnprocessableEntity, f)
	}
	var started mfa.Started
	err := in.Problem()
	if err == nil {
		started, err = h.svc.MFA.StartSMS(c.Request().Context(), a.target.ID, f.Number, region, a.proof(c))
	}
	var su *mfa.StepUpError
	if errors.As(err, &su) {
		return h.stepUpPage(c, su, a.addForm)
	}
	if errors.Is(err, mfa.ErrPairingOff) {
		// The MFA policy lets no new phone be added: nothing was created or texted.
		h.log().InfoContext(c.Request().Context(), "phone refused", "user_id", a.target.ID, "reason", "sms pairing off in the MFA policy", "error", err.Error())
		h.record(c, a, audit.Event{Action: audit.ActionAddPhone, Reason: reason, Outcome: audit.OutcomeRefused, Detail: "sms pairing off in the MFA policy"})
		return h.renderPairingOff(c, a, http.StatusConflict, f)
	}
	if errors.Is(err, mfa.ErrMailboxProof) {
		return redirect(c, mailboxPage)
	}
	if f.Error = refusal(c, err); f.Error != "" {
		h.log().InfoContext(c.Request().Context(), "phone refused", "user_id", a.target.ID, "reason", reasonOf(err), "region", region)
		h.record(c, a, audit.Event{Action: audit.ActionAddPhone, Reason: reason, Outcome: audit.OutcomeRefused, Detail: reasonOf(err)})
		f.Number = in.Shown()
		h.countRefusal(err)
		return h.renderAddPhone(c, a, refusalStatus(c, err), f)
	}
	if err != nil {
		h.record(c, a, audit.Event{Action: audit.ActionAddPhone, Reason: reason, Outcome: audit.OutcomeFailed, Detail: failure(err)})
		return err
	}
	return h.phoneStarted(c, a, reason, started)
}

// phoneStarted records a number registered and sends the actor to its code page.
func (h *Handler) phoneStarted(c echo.Context, a *actor, reason string, started mfa.Started) error {
	d := started.Device
	ev := audit.Event{Action: audit.ActionAddPhone, DeviceID: d.ID, NewNumber: d.Masked, Reason: reason,
		Outcome: audit.OutcomeSuccess, Detail: map[bool]string{true: "resumed", false: ""}[started.Resumed]}
	warn := h.countryWarning(a, d)
	if warn != nil {
		ev.Signals = []string{string(helpdesk.SignalCountry)}
	}
	h.record(c, a, ev)
	h.log().InfoContext(c.Request().Context(), "sms device started", "user_id", a.target.ID, "device_id", d.ID, "phone", d.Masked,
		"resumed", started.Resumed, "code_sent", started.CodeSent)
	key := a.words.sent
	switch {
	case started.Resumed && started.CodeSent:
		key = a.words.resumedSent
	case started.Resumed:
		key = a.words.resumed
	}
	if warn != nil {
		warn["Device"] = maskedLabel(c, d)
		return done(c, a.devices+d.ID+"/verify", session.Warning, messages.HdAddedCountry, warn)
	}
	if a.self && key == a.words.sent {
		// The code page says where the code went, the number written out once (issue #25): a
		// banner with it masked above would say it twice.
		return redirect(c, a.devices+d.ID+"/verify")
	}
	return a.flash(c, a.devices+d.ID+"/verify", session.Success, key, maskedLabel(c, d))
}

func (h *Handler) renderAddPhone(c echo.Context, a *actor, status int, f views.PhoneForm) error {
	return h.render(c, status, views.AddPhone(h.page(c, a.say(c, a.words.addTitle, nil), a.nav), f))
}

// renderPairingOff shows the add-phone page without its form: the MFA policy lets no new
// phone be added.
func (h *Handler) renderPairingOff(c echo.Context, a *actor, status int, f views.PhoneForm) error {
	return h.render(c, status, views.PairingOff(h.page(c, a.say(c, a.words.addTitle, nil), a.nav), f))
}

// phoneForm is the add-phone form for the actor, with the region preselected and the code's
// length from the MFA policy.
func (h *Handler) phoneForm(c echo.Context, a *actor, region string, rules mfa.CodeRules) views.PhoneForm {
	opts := h.policy().RegionsIn(messages.From(c.Request().Context()))
	regions := make([]views.RegionOption, 0, len(opts))
	for _, o := range opts {
		regions = append(regions, views.RegionOption{Code: o.Code, Label: o.Label, Selected: o.Code == region})
	}
	f := views.PhoneForm{Action: a.addAction, Regions: regions, MetaURL: h.assets.URL("phonemeta.json"),
		StrongerURL: h.site.StrongerMethodsURL, TextsJSON: views.ScriptJSON(phone.BrowserTextsJSON(messages.From(c.Request().Context()))),
		CodeLength: rules.Length, AlternativeURL: h.site.AlternativeMethodsURL}
	if !a.self {
		f.For, f.Back, f.Reason, f.ReasonRequired = a.name, a.base, true, h.reasons().Required(a.self, false)
		if a.user != nil && a.user.Country() != "" {
			f.Home, f.HomeName = a.user.Country(), regionName(c, a.user.Country())
		}
	}
	return f
}

// guessRegion picks the country to preselect: the configured default, else the browser's
// language region (en-GB → GB) when it is allowed.
func (h *Handler) guessRegion(c echo.Context) string {
	if h.site.DefaultRegion != "" {
		return h.site.DefaultRegion
	}
	tags, _, err := language.ParseAcceptLanguage(c.Request().Header.Get("Accept-Language"))
	if err != nil {
		return ""
	}
	for _, tag := range tags {
		if r, conf := tag.Region(); conf == language.Exact || conf == language.High {
			if code := r.String(); h.policy().Allowed(code) && phone.RegionName(code) != "" {
				return code
			}
		}
	}
	return ""
}

// renderSetUp answers the onboarding link of someone who already has an active phone (devs)
// with a page that says they are set up, listing their phones: nothing to add, so no step-up
// (issue #25).
func (h *Handler) renderSetUp(c echo.Context, devs mfa.List) error {
	ctx := c.Request().Context()
	max := h.svc.MFA.DeviceCap(ctx)
	return h.render(c, http.StatusOK, views.Devices(h.page(c, t(c, messages.EnrollSetUpTitle, nil), "devices"),
		views.DevicesProps{Devices: rows(devs), CanAdd: devs.CanAdd(max), MaxDevices: max, SetUp: true}))
}
