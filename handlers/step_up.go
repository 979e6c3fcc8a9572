package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/views"
)

// stepUpFirst applies the step-up rule (internal/mfa) before a person changes their own
// methods; staff acting for a user need none. It reports whether it answered the request:
// with the step-up page, or with the error that kept it from deciding.
func (h *Handler) stepUpFirst(c echo.Context, a *actor, returnTo string) (bool, error) {
	if !a.self {
		return false, nil
	}
	_, err := h.svc.MFA.StepUp(c.Request().Context(), a.target.ID, *a.proof(c))
	var su *mfa.StepUpError
	if errors.As(err, &su) {
		return true, h.stepUpPage(c, su, returnTo)
	}
	return err != nil, err
}

// stepUpPage explains the step-up and offers it: PingOne asks for the password and a code
// texted to the phone, then brings the person back to returnTo.
func (h *Handler) stepUpPage(c echo.Context, su *mfa.StepUpError, returnTo string) error {
	h.log().InfoContext(c.Request().Context(), "step-up required", "user_id", sess(c).UserID())
	masked := su.Masked
	if masked == "" {
		masked = t(c, messages.StepupYourPhone, nil)
	}
	return h.render(c, http.StatusOK, views.StepUp(h.page(c, t(c, messages.StepupTitle, nil), "devices"),
		views.StepUpProps{Continue: "/auth/login?step_up=1&return_to=" + url.QueryEscape(returnTo), Masked: masked}))
}
