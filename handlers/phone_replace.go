package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
)

// replaceForm is the first step of replacing a phone in one step: the add-phone form, for the
// new number, after the person's step-up (staff: after verifying the caller).
func (h *Handler) replaceForm(c echo.Context) error {
	a := actorOf(c)
	id := c.Param("id")
	if answered, err := h.stepUpFirst(c, a, a.devices+id+"/replace"); answered {
		return err
	}
	old, err := h.replaceable(c, a, id)
	if err != nil {
		return err
	}
	rules := h.svc.MFA.CodeRules(c.Request().Context())
	f := h.phoneForm(c, a, h.guessRegion(c), rules)
	f.Action, f.Replacing = a.devices+id+"/replace", old.Number
	if !rules.CanPair {
		// A replacement adds a phone: with the MFA policy against it, the add form's page (#26).
		return h.renderPairingOff(c, a, http.StatusOK, f)
	}
	return h.renderAddPhone(c, a, http.StatusOK, f)
}

// replaceable reads the phone to replace: one of the target's, active, an SMS phone.
func (h *Handler) replaceable(c echo.Context, a *actor, id string) (mfa.Device, error) {
	d, err := h.svc.MFA.Device(c.Request().Context(), a.target.ID, id)
	if err == nil && (!d.IsSMS() || d.State != mfa.StateActive) {
		err = mfa.ErrCannotReplace
	}
	return d, err
}

// replace registers the new number beside the old phone and sends the actor to its code page;
// the old phone is removed only once the new one is active (verify, replaceDone).
func (h *Handler) replace(c echo.Context) error {
	a := actorOf(c)
	ctx, id := c.Request().Context(), c.Param("id")
	old, err := h.replaceable(c, a, id)
	if err != nil {
		return err
	}
	in := form.NewPhone(c.Request())
	region := in.Region
	f := h.phoneForm(c, a, region, h.svc.MFA.CodeRules(ctx))
	f.Action, f.Replacing, f.Number = a.devices+id+"/replace", old.Number, in.Number
	reason, missing := h.reason(c, a)
	f.ReasonValue, f.ReasonError = reason, missing
	if missing != "" {
		return h.renderAddPhone(c, a, http.StatusUnprocessableEntity, f)
	}
	started, r, err := h.svc.MFA.StartReplace(ctx, a.target.ID, id, f.Number, region, a.proof(c))
	var su *mfa.StepUpError
	if errors.As(err, &su) {
		return h.stepUpPage(c, su, a.devices+id+"/replace")
	}
	if errors.Is(err, mfa.ErrPairingOff) {
		// The MFA policy lets no new phone be added: nothing was created or texted, the old phone stays.
		h.log().InfoContext(ctx, "replacement number refused", "user_id", a.target.ID, "device_id", id, "reason", "sms pairing off in the MFA policy")
		return h.renderPairingOff(c, a, http.StatusConflict, f)
	}
	if f.Error = refusal(c, err); f.Error != "" {
		h.log().InfoContext(ctx, "replacement number refused", "user_id", a.target.ID, "device_id", id, "reason", reasonOf(err), "region", region)
		f.Number = in.Shown()
		return h.renderAddPhone(c, a, refusalStatus(c, err), f)
	}
	if err != nil {
		h.log().ErrorContext(ctx, "replacement not started", "user_id", a.target.ID, "device_id", id, "error", err.Error())
		return err
	}
	if reason != "" {
		sess(c).SetReplaceReason(r.New, reason)
	}
	if started.Device.State == mfa.StateActive {
		// A replacement whose finish failed before: the new phone is active, finish it now.
		return h.finishReplace(c, a, r)
	}
	h.log().InfoContext(ctx, "replacement started", "user_id", a.target.ID, "old_device_id", r.Old, "device_id", r.New,
		"old_phone", r.OldMasked, "phone", r.NewMasked, "resumed", started.Resumed)
	return a.flash(c, a.devices+r.New+"/verify", session.Success, a.words.sent, maskedLabel(c, started.Device))
}

// replaceDone finishes the replacement whose new phone id has just been activated (or was
// active already: a retry), and reports whether there was one.
func (h *Handler) replaceDone(c echo.Context, a *actor, id string) (bool, error) {
	r, ok := h.svc.MFA.Pending(c.Request().Context(), a.target.ID, id)
	if !ok {
		return false, nil
	}
	return true, h.finishReplace(c, a, r)
}

// finishReplace puts the new phone in the old one's place, removes the old one and writes the
// one audit record of the replacement. A failure leaves the old phone and the new one both
// active (the person always has one): the error page says to try again, which finishes it.
func (h *Handler) finishReplace(c echo.Context, a *actor, r *mfa.Replacement) error {
	ctx := c.Request().Context()
	if err := h.svc.MFA.FinishReplace(ctx, r); err != nil {
		h.log().ErrorContext(ctx, "replacement not finished; both phones kept", "user_id", a.target.ID, "old_device_id", r.Old,
			"device_id", r.New, "error", err.Error())
		return err
	}
	h.record(c, a, audit.Event{Action: audit.ActionReplace, DeviceID: r.New, OldNumber: r.OldMasked, NewNumber: r.NewMasked,
		Reason: sess(c).TakeReplaceReason(r.New), Outcome: audit.OutcomeSuccess, Detail: "replaced device " + r.Old})
	if a.self {
		sess(c).CodeTyped(h.now())
	}
	return done(c, a.base, session.Success, messages.ReplaceDone, map[string]string{"Name": a.name, "Phone": r.OldMasked, "Device": r.NewMasked})
}
