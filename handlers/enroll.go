package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/views"
)

// enroll is the onboarding email's deep link.
func (h *Handler) enroll(c echo.Context) error {
	return c.Redirect(http.StatusFound, "/devices/sms/new")
}

// guessRegion picks the country to preselect: the configured default, else the browser's
// language region (en-GB → GB) when it is allowed.
func (h *Handler) guessRegion(c echo.Context) string {
	if h.defRegion != "" {
		return h.defRegion
	}
	tags, _, err := language.ParseAcceptLanguage(c.Request().Header.Get("Accept-Language"))
	if err != nil {
		return ""
	}
	for _, t := range tags {
		if r, conf := t.Region(); conf == language.Exact || conf == language.High {
			if code := r.String(); h.policy.Allowed(code) && phone.RegionName(code) != "" {
				return code
			}
		}
	}
	return ""
}

func (h *Handler) phoneForm(c echo.Context, region, number, errMsg string) views.PhoneForm {
	opts := h.policy.Regions()
	regions := make([]views.RegionOption, 0, len(opts))
	for _, o := range opts {
		regions = append(regions, views.RegionOption{Code: o.Code, Label: o.Label, Selected: o.Code == region})
	}
	return views.PhoneForm{Action: "/devices/sms", Regions: regions, Number: number, Error: errMsg,
		MetaURL: h.assets.URL("phonemeta.json"), StrongerURL: h.stronger}
}

// newPhone shows the add-phone form.
func (h *Handler) newPhone(c echo.Context) error {
	if redirected, err := h.stepUp(c, "/devices/sms/new"); redirected || err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.AddPhone(h.page(c, "Add your phone", "devices"), h.phoneForm(c, h.guessRegion(c), "", "")))
}

// refusal words the reasons StartSMS can refuse a number for, or "" for other errors.
func refusal(err error) string {
	var pe *phone.Error
	switch {
	case errors.As(err, &pe):
		return pe.Message()
	case errors.Is(err, mfa.ErrAlreadyActive):
		return "This number is already set up for sign-in codes on your account."
	case errors.Is(err, mfa.ErrDeviceLimit):
		return "You already have as many sign-in devices as your organisation allows. Remove one, then add this number."
	case errors.Is(err, mfa.ErrNumberRefused):
		return "PingOne did not accept this number. Check it, or use another mobile number."
	}
	var le *limits.Error
	if errors.As(err, &le) {
		return limitMessage(le)
	}
	return ""
}

// limitMessage says which limit was reached and when to try again.
func limitMessage(le *limits.Error) string {
	when := "in " + waitWords(le.RetryAfter)
	switch le.Rule.Name {
	case limits.NewDevice.Name:
		return "You have added several phones in a short time. You can add another " + when + "."
	case limits.TextsToNumber.Name:
		return "Several codes have gone to this number in the last few minutes. You can ask for another " + when + "."
	case limits.ResendShort.Name:
		return "A code was sent moments ago. You can ask for a new one " + when + "."
	case limits.ResendHour.Name:
		return "You have asked for many codes. You can ask for another " + when + "; until then, use the newest text."
	case limits.WrongCode.Name:
		return "Too many wrong codes for this phone. You can try again " + when + ", or ask for a new code then."
	case limits.SignIn.Name:
		return "Too many sign-ins were started from your network. Please try again " + when + "."
	}
	return "Too many attempts. Please try again " + when + "."
}

func waitWords(d time.Duration) string {
	switch {
	case d <= time.Second:
		return "a second"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + " seconds"
	case d < 2*time.Minute:
		return "a minute"
	}
	return strconv.Itoa(int(d.Round(time.Minute).Minutes())) + " minutes"
}

// createPhone registers the number and sends the person to the code page.
func (h *Handler) createPhone(c echo.Context) error {
	s := h.sess(c)
	ctx := c.Request().Context()
	number, region := c.FormValue("phone"), c.FormValue("region")
	if len(region) > 3 {
		region = ""
	}
	started, err := h.mfa.StartSMS(ctx, s.userID(), number, region, !h.steppedUp(c))
	if errors.Is(err, mfa.ErrStepUp) {
		return h.redirectStepUp(c, "/devices/sms/new")
	}
	if msg := refusal(err); msg != "" {
		h.log.InfoContext(ctx, "phone refused", "user_id", s.userID(), "reason", reasonOf(err), "region", region)
		h.record(c, audit.Event{Action: audit.ActionAddPhone, Outcome: audit.OutcomeRefused, Detail: reasonOf(err)})
		if len(number) > phone.MaxInputLength*2 {
			number = number[:phone.MaxInputLength*2]
		}
		return h.render(c, refusalStatus(c, err), views.AddPhone(h.page(c, "Add your phone", "devices"), h.phoneForm(c, region, number, msg)))
	}
	if err != nil {
		h.record(c, audit.Event{Action: audit.ActionAddPhone, Outcome: audit.OutcomeFailed, Detail: classify(err).Heading})
		return err
	}
	d := started.Device
	h.record(c, audit.Event{Action: audit.ActionAddPhone, DeviceID: d.ID, NewNumber: d.Masked, Outcome: audit.OutcomeSuccess,
		Detail: map[bool]string{true: "resumed", false: ""}[started.Resumed]})
	h.log.InfoContext(ctx, "sms device started", "user_id", s.userID(), "device_id", d.ID, "phone", d.Masked,
		"resumed", started.Resumed, "code_sent", started.CodeSent)
	switch {
	case started.Resumed && started.CodeSent:
		s.flash("success", "This number was already waiting for a code, so we sent a new one.")
	case started.Resumed:
		s.flash("success", "This number is already waiting for a code. Use the one we just sent.")
	default:
		s.flash("success", "We sent a code to "+maskedLabel(d)+".")
	}
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, "/devices/"+d.ID+"/verify")
}

// refusalStatus is 429 with Retry-After for a limit, 422 for anything else refused.
func refusalStatus(c echo.Context, err error) int {
	var le *limits.Error
	if errors.As(err, &le) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(le.RetryAfter.Seconds())))
		return http.StatusTooManyRequests
	}
	return http.StatusUnprocessableEntity
}

func reasonOf(err error) string {
	var pe *phone.Error
	if errors.As(err, &pe) {
		return string(pe.Reason)
	}
	return err.Error()
}

func (h *Handler) verifyProps(c echo.Context, id, number, errMsg, info string) views.VerifyForm {
	return views.VerifyForm{DeviceID: id, Number: number, Error: errMsg, Info: info,
		VerifyAction: "/devices/" + id + "/verify", ResendAction: "/devices/" + id + "/resend",
		CoolDown: int(h.mfa.CoolDownLeft(c.Request().Context(), id).Seconds()), Cancel: "/devices"}
}

// verifyForm shows the code page for a device waiting for its code.
func (h *Handler) verifyForm(c echo.Context) error {
	s := h.sess(c)
	d, err := h.mfa.Device(c.Request().Context(), s.userID(), c.Param("id"))
	if err != nil {
		return err
	}
	if d.State != mfa.StateWaiting {
		s.flash("success", maskedLabel(d)+" is "+string(d.State)+": there is no code to enter.")
		if err := h.save(c); err != nil {
			return err
		}
		return redirect(c, "/devices")
	}
	return h.render(c, http.StatusOK, views.Verify(h.page(c, "Enter the code", "devices"), h.verifyProps(c, d.ID, d.Number, "", "")))
}

// verify checks the code.
func (h *Handler) verify(c echo.Context) error {
	s := h.sess(c)
	ctx := c.Request().Context()
	id := c.Param("id")
	d, err := h.mfa.Verify(ctx, s.userID(), id, c.FormValue("code"))
	var msg string
	switch {
	case errors.Is(err, mfa.ErrBadCode):
		msg = "Enter the 6-digit code from the text message."
	case errors.Is(err, mfa.ErrWrongCode):
		msg = "That code is not right, or it has expired. Check the newest text and try again, or ask for a new code."
	case errors.Is(err, mfa.ErrLocked):
		msg = "Too many wrong codes, so this phone is locked for now. Remove it and add it again later, or contact the help desk."
	case errors.As(err, new(*limits.Error)):
		msg = refusal(err)
	case errors.Is(err, mfa.ErrNotPending):
		s.flash("success", "This phone is not waiting for a code any more.")
		if err := h.save(c); err != nil {
			return err
		}
		return redirect(c, "/devices")
	case err != nil && d.ID != "":
		// Registered, but MFA could not be turned on: the devices page retries.
		h.log.ErrorContext(ctx, "mfaEnabled not set after activation", "user_id", s.userID(), "device_id", id, "error", err.Error())
		s.s.Values[keyMFAPending] = true
		err = nil
	case err != nil:
		return err
	}
	if msg != "" {
		h.log.InfoContext(ctx, "code refused", "user_id", s.userID(), "device_id", id, "reason", reasonOf(err))
		h.record(c, audit.Event{Action: audit.ActionActivate, DeviceID: id, Outcome: audit.OutcomeRefused, Detail: reasonOf(err)})
		cur, gerr := h.mfa.Device(ctx, s.userID(), id)
		if gerr != nil {
			return gerr
		}
		return h.render(c, refusalStatus(c, err), views.Verify(h.page(c, "Enter the code", "devices"), h.verifyProps(c, id, cur.Number, msg, "")))
	}
	h.log.InfoContext(ctx, "sms device activated", "user_id", s.userID(), "device_id", d.ID, "phone", d.Masked)
	h.record(c, audit.Event{Action: audit.ActionActivate, DeviceID: d.ID, NewNumber: d.Masked, Outcome: audit.OutcomeSuccess})
	s.s.Values[keyProof] = h.now().Unix()
	s.flash("success", "Your phone "+maskedLabel(d)+" is set up. You will get sign-in codes there.")
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, "/devices")
}

// resend asks PingOne for a new code, within the cool-down.
func (h *Handler) resend(c echo.Context) error {
	s := h.sess(c)
	ctx := c.Request().Context()
	id := c.Param("id")
	d, err := h.mfa.Resend(ctx, s.userID(), id)
	var le *limits.Error
	switch {
	case errors.As(err, &le):
		return h.render(c, refusalStatus(c, err), views.Verify(h.page(c, "Enter the code", "devices"),
			h.verifyProps(c, id, d.Number, "", limitMessage(le))))
	case errors.Is(err, mfa.ErrLocked):
		return h.render(c, http.StatusUnprocessableEntity, views.Verify(h.page(c, "Enter the code", "devices"),
			h.verifyProps(c, id, d.Number, "Too many wrong codes, so this phone is locked for now. Remove it and add it again later, or contact the help desk.", "")))
	case errors.Is(err, mfa.ErrNotPending):
		s.flash("success", "This phone is not waiting for a code any more.")
		if err := h.save(c); err != nil {
			return err
		}
		return redirect(c, "/devices")
	case err != nil:
		return err
	}
	h.record(c, audit.Event{Action: audit.ActionResendCode, DeviceID: id, Outcome: audit.OutcomeSuccess})
	s.flash("success", "We sent a new code. Use the newest one.")
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, "/devices/"+id+"/verify")
}
