package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/views"
)

// requireStaff lets help-desk staff through, checking group membership live (short cache),
// so someone removed from the group mid-session is refused at their next request.
func (h *Handler) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := h.sess(c)
		ok, err := h.staff.IsStaff(c.Request().Context(), s.userID())
		if err != nil {
			return err
		}
		if ok != s.bool(keyStaff) {
			// Privileges changed: the session follows (the link appears or goes), with a new
			// CSRF secret so no form from before the change is accepted.
			s.s.Values[keyStaff] = ok
			s.rotateCSRF()
			if err := h.save(c); err != nil {
				return err
			}
		}
		if !ok {
			return &Error{Status: http.StatusForbidden, Heading: "For help-desk staff only", Public: "This part of the portal is for the help desk. To change your own phone, go to your phones; if you need help, contact the help desk.", ActionURL: "/devices", Action: "Go to your phones", Cause: errors.New("not in a help-desk group")}
		}
		return next(c)
	}
}

// validUID answers 404 for a user ID that is not a UUID.
func validUID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !idRe.MatchString(c.Param("uid")) {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

func hdBase(uid string) string { return "/helpdesk/users/" + uid }

// cleanReason keeps a reason or ticket reference printable and short.
func cleanReason(s string) string {
	s = helpdesk.CleanQuery(s) // the same folding as a search: printable, one space between words
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return s
}

func (h *Handler) reasonMissing(reason string) string {
	if h.reasonRequired && reason == "" {
		return "Give a reason or a ticket reference; it is kept with the record of this change."
	}
	return ""
}

// hdSearch finds users.
func (h *Handler) hdSearch(c echo.Context) error {
	q := c.QueryParam("q")
	props := views.SearchProps{Query: helpdesk.CleanQuery(q), Searched: q != ""}
	if len(q) > 4*helpdesk.MaxQuery {
		props.Query = props.Query[:helpdesk.MaxQuery]
	}
	page, err := h.dir.Search(c.Request().Context(), q, c.QueryParam("cursor"))
	switch {
	case errors.Is(err, helpdesk.ErrQueryTooLong):
		props.Error = "Use at most 100 characters: the start of a name, username or email address is enough."
		return h.render(c, http.StatusUnprocessableEntity, views.HelpdeskSearch(h.page(c, "Help desk", "helpdesk"), props))
	case err != nil:
		return err
	}
	props.Total = page.Total
	for _, r := range page.Results {
		props.Results = append(props.Results, views.UserResult{URL: hdBase(r.ID), Name: r.Name, Username: r.Username,
			Email: r.Email, MFAEnabled: r.MFAEnabled, Devices: r.Devices})
	}
	if page.Next != "" {
		props.NextURL = "/helpdesk?" + url.Values{"q": {props.Query}, "cursor": {page.Next}}.Encode()
	}
	return h.render(c, http.StatusOK, views.HelpdeskSearch(h.page(c, "Help desk", "helpdesk"), props))
}

func hdRows(devs []mfa.Device) []views.DeviceRow {
	rs := rows(devs)
	for i := range rs {
		rs[i].Locked = devs[i].State == mfa.StateLocked
		rs[i].Active = devs[i].State == mfa.StateActive
	}
	return rs
}

// target reads the user a help-desk page is about.
func (h *Handler) target(c echo.Context) (audit.Person, string, error) {
	u, err := h.mfa.User(c.Request().Context(), c.Param("uid"))
	if errors.Is(err, mfa.ErrUserNotFound) {
		return audit.Person{}, "", &Error{Status: http.StatusNotFound, Heading: "User not found", Public: "PingOne has no user with this ID. They may have been deleted.", ActionURL: "/helpdesk", Action: "Back to search", Cause: err}
	}
	if err != nil {
		return audit.Person{}, "", err
	}
	return audit.Person{ID: u.ID, Username: u.Username}, u.DisplayName(), nil
}

// hdUser shows a user's profile and devices.
func (h *Handler) hdUser(c echo.Context) error {
	ctx := c.Request().Context()
	uid := c.Param("uid")
	u, err := h.mfa.User(ctx, uid)
	if errors.Is(err, mfa.ErrUserNotFound) {
		return &Error{Status: http.StatusNotFound, Heading: "User not found", Public: "PingOne has no user with this ID. They may have been deleted.", ActionURL: "/helpdesk", Action: "Back to search", Cause: err}
	}
	if err != nil {
		return err
	}
	devs, err := h.mfa.Devices(ctx, uid)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.HelpdeskUser(h.page(c, u.DisplayName(), "helpdesk"), views.HelpdeskUserProps{
		Base: hdBase(uid), Name: u.DisplayName(), Username: u.Username, Email: u.Email, MFAEnabled: u.MFAEnabled, Devices: hdRows(devs),
	}))
}

func (h *Handler) hdPhoneForm(c echo.Context, name, region, number, errMsg, reason, reasonErr string) views.PhoneForm {
	f := h.phoneForm(c, region, number, errMsg)
	uid := c.Param("uid")
	f.Action, f.For, f.Back = hdBase(uid)+"/phone", name, hdBase(uid)
	f.Reason, f.ReasonRequired, f.ReasonValue, f.ReasonError = true, h.reasonRequired, reason, reasonErr
	return f
}

// hdNewPhone shows the add-phone form for a user.
func (h *Handler) hdNewPhone(c echo.Context) error {
	_, name, err := h.target(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.AddPhone(h.page(c, "Add a phone for "+name, "helpdesk"), h.hdPhoneForm(c, name, h.guessRegion(c), "", "", "", "")))
}

// hdCreatePhone registers a number for the user; the code goes to their phone.
func (h *Handler) hdCreatePhone(c echo.Context) error {
	ctx := c.Request().Context()
	tgt, name, err := h.target(c)
	if err != nil {
		return err
	}
	number, region, reason := c.FormValue("phone"), c.FormValue("region"), cleanReason(c.FormValue("reason"))
	if len(region) > 3 {
		region = ""
	}
	if msg := h.reasonMissing(reason); msg != "" {
		return h.render(c, http.StatusUnprocessableEntity, views.AddPhone(h.page(c, "Add a phone for "+name, "helpdesk"), h.hdPhoneForm(c, name, region, number, "", reason, msg)))
	}
	// Staff act for someone else: the step-up is about the person's own session, not theirs.
	started, err := h.mfa.StartSMS(ctx, tgt.ID, number, region, false)
	if msg := refusal(err); msg != "" {
		h.record(c, audit.Event{Target: tgt, Action: audit.ActionAddPhone, Reason: reason, Outcome: audit.OutcomeRefused, Detail: reasonOf(err), Helpdesk: true})
		if len(number) > phone.MaxInputLength*2 {
			number = number[:phone.MaxInputLength*2]
		}
		return h.render(c, refusalStatus(c, err), views.AddPhone(h.page(c, "Add a phone for "+name, "helpdesk"), h.hdPhoneForm(c, name, region, number, msg, reason, "")))
	}
	if err != nil {
		h.record(c, audit.Event{Target: tgt, Action: audit.ActionAddPhone, Reason: reason, Outcome: audit.OutcomeFailed, Detail: classify(err).Heading, Helpdesk: true})
		return err
	}
	d := started.Device
	h.record(c, audit.Event{Target: tgt, Action: audit.ActionAddPhone, DeviceID: d.ID, NewNumber: d.Masked, Reason: reason, Outcome: audit.OutcomeSuccess, Helpdesk: true})
	h.sess(c).flash("success", "We sent a code to "+maskedLabel(d)+". Ask "+name+" to read it to you.")
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, hdBase(tgt.ID)+"/devices/"+d.ID+"/verify")
}

func (h *Handler) hdVerifyProps(c echo.Context, uid, id, number, errMsg, info string) views.VerifyForm {
	v := h.verifyProps(c, id, number, errMsg, info)
	base := hdBase(uid) + "/devices/" + id
	v.VerifyAction, v.ResendAction, v.Cancel = base+"/verify", base+"/resend", hdBase(uid)
	return v
}

// hdVerifyForm shows the code page: the user reads the code to staff.
func (h *Handler) hdVerifyForm(c echo.Context) error {
	d, err := h.mfa.Device(c.Request().Context(), c.Param("uid"), c.Param("id"))
	if err != nil {
		return err
	}
	if d.State != mfa.StateWaiting {
		return redirect(c, hdBase(c.Param("uid")))
	}
	return h.render(c, http.StatusOK, views.Verify(h.page(c, "Enter the code", "helpdesk"), h.hdVerifyProps(c, c.Param("uid"), d.ID, d.Number, "", "")))
}

// hdVerify activates the device with the code the user read out.
func (h *Handler) hdVerify(c echo.Context) error {
	ctx := c.Request().Context()
	tgt, name, err := h.target(c)
	if err != nil {
		return err
	}
	id := c.Param("id")
	d, err := h.mfa.Verify(ctx, tgt.ID, id, c.FormValue("code"))
	var msg string
	switch {
	case errors.Is(err, mfa.ErrBadCode):
		msg = "Enter the 6-digit code " + name + " reads from the text message."
	case errors.Is(err, mfa.ErrWrongCode):
		msg = "That code is not right, or it has expired. Ask " + name + " for the newest text, or send a new code."
	case errors.Is(err, mfa.ErrLocked):
		msg = "Too many wrong codes: this device is locked. Unlock it from the user's page, then send a new code."
	case errors.As(err, new(*limits.Error)):
		msg = refusal(err)
	case errors.Is(err, mfa.ErrNotPending):
		return redirect(c, hdBase(tgt.ID))
	case err != nil && d.ID != "":
		h.log.ErrorContext(ctx, "mfaEnabled not set after activation", "user_id", tgt.ID, "device_id", id, "error", err.Error())
		err = nil
	case err != nil:
		h.record(c, audit.Event{Target: tgt, Action: audit.ActionActivate, DeviceID: id, Outcome: audit.OutcomeFailed, Detail: classify(err).Heading, Helpdesk: true})
		return err
	}
	if msg != "" {
		h.record(c, audit.Event{Target: tgt, Action: audit.ActionActivate, DeviceID: id, Outcome: audit.OutcomeRefused, Detail: reasonOf(err), Helpdesk: true})
		cur, gerr := h.mfa.Device(ctx, tgt.ID, id)
		if gerr != nil {
			return gerr
		}
		return h.render(c, refusalStatus(c, err), views.Verify(h.page(c, "Enter the code", "helpdesk"), h.hdVerifyProps(c, tgt.ID, id, cur.Number, msg, "")))
	}
	h.record(c, audit.Event{Target: tgt, Action: audit.ActionActivate, DeviceID: d.ID, NewNumber: d.Masked, Outcome: audit.OutcomeSuccess, Helpdesk: true})
	h.sess(c).flash("success", maskedLabel(d)+" is now active for "+name+".")
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, hdBase(tgt.ID))
}

// hdResend sends the user a new code.
func (h *Handler) hdResend(c echo.Context) error {
	ctx := c.Request().Context()
	tgt, _, err := h.target(c)
	if err != nil {
		return err
	}
	id := c.Param("id")
	d, err := h.mfa.Resend(ctx, tgt.ID, id)
	var le *limits.Error
	switch {
	case errors.As(err, &le):
		return h.render(c, refusalStatus(c, err), views.Verify(h.page(c, "Enter the code", "helpdesk"),
			h.hdVerifyProps(c, tgt.ID, id, d.Number, "", limitMessage(le))))
	case errors.Is(err, mfa.ErrNotPending):
		return redirect(c, hdBase(tgt.ID))
	case err != nil:
		return err
	}
	h.record(c, audit.Event{Target: tgt, Action: audit.ActionResendCode, DeviceID: id, Outcome: audit.OutcomeSuccess, Helpdesk: true})
	h.sess(c).flash("success", "A new code is on its way.")
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, hdBase(tgt.ID)+"/devices/"+id+"/verify")
}

type hdAction struct {
	heading, body, button, done string
	danger                      bool
	audit                       string
}

func deviceActions(name, label string) map[string]hdAction {
	return map[string]hdAction{
		"remove":  {"Remove " + label + "?", name + " will no longer get sign-in codes on this device.", "Remove", label + " was removed.", true, audit.ActionRemove},
		"unlock":  {"Unlock " + label + "?", "The device was locked after too many wrong codes. Unlock it only once you are sure you are talking to " + name + ".", "Unlock", label + " was unlocked.", false, audit.ActionUnlock},
		"default": {"Make " + label + " the default?", "PingOne will use this device first when " + name + " signs in.", "Make default", label + " is now the default.", false, audit.ActionSetDefault},
	}
}

// hdConfirm asks staff to confirm a device action, with the reason field.
func (h *Handler) hdConfirm(c echo.Context) error {
	_, name, err := h.target(c)
	if err != nil {
		return err
	}
	d, err := h.mfa.Device(c.Request().Context(), c.Param("uid"), c.Param("id"))
	if err != nil {
		return err
	}
	a, ok := deviceActions(name, deviceLabel(d))[c.Param("action")]
	if !ok {
		return echo.ErrNotFound
	}
	return h.render(c, http.StatusOK, views.Confirm(h.page(c, a.heading, "helpdesk"), views.ConfirmProps{
		Heading: a.heading, Body: a.body, Button: a.button, Danger: a.danger, ReasonRequired: h.reasonRequired,
		Action: c.Request().URL.Path, Cancel: hdBase(c.Param("uid")),
	}))
}

// maskedLabel names a device in flash messages, which travel in the session cookie: never
// with the full number.
func maskedLabel(d mfa.Device) string {
	if d.Masked != "" {
		return d.Masked
	}
	return "the " + d.Type + " device"
}

func deviceLabel(d mfa.Device) string {
	if d.Number != "" {
		return d.Number
	}
	return "the " + d.Type + " device"
}

// hdAct carries out a confirmed device action.
func (h *Handler) hdAct(c echo.Context) error {
	ctx := c.Request().Context()
	tgt, name, err := h.target(c)
	if err != nil {
		return err
	}
	uid, id := tgt.ID, c.Param("id")
	cur, err := h.mfa.Device(ctx, uid, id)
	if err != nil {
		return err
	}
	a, ok := deviceActions(name, deviceLabel(cur))[c.Param("action")]
	if !ok {
		return echo.ErrNotFound
	}
	// The flash lives in the session cookie: it names the device by its masked number.
	a.done = deviceActions(name, maskedLabel(cur))[c.Param("action")].done
	reason := cleanReason(c.FormValue("reason"))
	if msg := h.reasonMissing(reason); msg != "" {
		return h.render(c, http.StatusUnprocessableEntity, views.Confirm(h.page(c, a.heading, "helpdesk"), views.ConfirmProps{
			Heading: a.heading, Body: a.body, Button: a.button, Danger: a.danger, ReasonRequired: true, Error: msg,
			Action: c.Request().URL.Path, Cancel: hdBase(uid),
		}))
	}
	ev := audit.Event{Target: tgt, Action: a.audit, DeviceID: id, Reason: reason, Helpdesk: true}
	switch c.Param("action") {
	case "remove":
		err = h.mfa.RemoveKnown(ctx, uid, cur)
		ev.OldNumber = cur.Masked
	case "unlock":
		err = h.mfa.Unlock(ctx, uid, id)
		ev.NewNumber = cur.Masked
	case "default":
		_, err = h.mfa.MakeDefault(ctx, uid, id)
		ev.NewNumber = cur.Masked
	}
	if errors.Is(err, mfa.ErrNotActive) {
		ev.Outcome, ev.Detail = audit.OutcomeRefused, "not active"
		h.record(c, ev)
		h.sess(c).flash("error", "Only an active device can be the default. Have "+name+" finish adding it first.")
		_ = h.save(c)
		return redirect(c, hdBase(uid))
	}
	if err != nil {
		ev.Outcome, ev.Detail = audit.OutcomeFailed, classify(err).Heading
		h.record(c, ev)
		return err
	}
	ev.Outcome = audit.OutcomeSuccess
	h.record(c, ev)
	h.sess(c).flash("success", a.done)
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, hdBase(uid))
}

// hdMFAConfirm asks before turning MFA on or off.
func (h *Handler) hdMFAConfirm(c echo.Context) error {
	_, name, err := h.target(c)
	if err != nil {
		return err
	}
	on := c.QueryParam("enabled") == "true"
	props := views.ConfirmProps{Action: hdBase(c.Param("uid")) + "/mfa", Cancel: hdBase(c.Param("uid")), ReasonRequired: h.reasonRequired,
		Hidden: map[string]string{"enabled": "false"}}
	if on {
		props.Heading, props.Body, props.Button = "Turn MFA on for "+name+"?", "PingOne will ask "+name+" for a code from an active device at sign-in.", "Turn MFA on"
		props.Hidden["enabled"] = "true"
	} else {
		props.Heading, props.Body, props.Button, props.Danger = "Turn MFA off for "+name+"?", name+" will sign in with a password alone until MFA is turned on again.", "Turn MFA off", true
	}
	return h.render(c, http.StatusOK, views.Confirm(h.page(c, props.Heading, "helpdesk"), props))
}

// hdMFA sets mfaEnabled.
func (h *Handler) hdMFA(c echo.Context) error {
	tgt, name, err := h.target(c)
	if err != nil {
		return err
	}
	on := c.FormValue("enabled") == "true"
	reason := cleanReason(c.FormValue("reason"))
	if msg := h.reasonMissing(reason); msg != "" {
		h.sess(c).flash("error", msg)
		_ = h.save(c)
		return redirect(c, hdBase(tgt.ID)+"/mfa?enabled="+map[bool]string{true: "true", false: "false"}[on])
	}
	ev := audit.Event{Target: tgt, Action: audit.ActionSetMFA, Reason: reason, Helpdesk: true, Detail: map[bool]string{true: "on", false: "off"}[on]}
	if err := h.mfa.SetMFA(c.Request().Context(), tgt.ID, on); err != nil {
		ev.Outcome = audit.OutcomeFailed
		h.record(c, ev)
		return err
	}
	ev.Outcome = audit.OutcomeSuccess
	h.record(c, ev)
	h.sess(c).flash("success", "MFA is now "+ev.Detail+" for "+name+".")
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, hdBase(tgt.ID))
}
