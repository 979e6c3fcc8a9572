package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/auth"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/pingone"
)

// callback finishes sign-in: checks state, exchanges the code, verifies the ID token, checks
// that PingOne knows the person and that they are enabled, then starts a new session.
func (h *Handler) callback(c echo.Context) error {
	s, ctx := sess(c), c.Request().Context()
	flow, returnTo, stepUp := s.SignInInProgress()
	id, err := h.svc.RP.Finish(ctx, c.QueryParams(), flow)
	if err := signInFailure(err); err != nil {
		return err
	}
	if stepUp {
		if err := h.svc.MFA.CheckStepUp(id.ACR, id.AuthTime, id.AMR); err != nil {
			h.log().WarnContext(ctx, "step-up not accepted", "user_id", id.Subject, "reason", err.Error())
			if h.onTemporaryAccess(c, id.Subject, id.AMR) {
				return &mfa.TemporaryAccessError{Until: s.TemporaryUntil()}
			}
			return fail(http.StatusForbidden, messages.ErrorStepUp, messages.ErrorStepUpText, toDevices, messages.ActionDevices, err)
		}
	}
	user, err := h.signedInUser(c, id.Subject)
	if err != nil {
		return err
	}
	h.svc.Staff.Observe(user)
	isStaff, err := h.svc.Staff.IsStaff(ctx, user.ID)
	if err != nil {
		return err
	}
	s.SignIn(h.now(), session.SignedIn{User: session.User{ID: user.ID, Name: user.DisplayName(), Username: user.Username},
		Staff: isStaff, AuthTime: id.AuthTime, ACR: id.ACR, AMR: id.AMR, IDToken: id.IDToken, MFAEnabled: user.MFAEnabled})
	s.SetLanguage(profileLanguageOf(user))
	if user.MFAEnabled {
		// Temporary access matters only to someone PingOne asks for MFA: with mfaEnabled off
		// nobody is, so the read is saved (the journey's call budget, calls_test.go).
		s.SetTemporaryAccess(h.temporaryAtSignIn(c, user.ID))
	}
	if err := save(c); err != nil {
		return err
	}
	h.log().InfoContext(ctx, "signed in", "user_id", user.ID, "acr", id.ACR)
	if returnTo == "" {
		returnTo = "/devices"
	}
	return c.Redirect(http.StatusSeeOther, returnTo)
}

// signedInUser reads the person PingOne signed in from the directory: known and enabled, or
// the page that says why not.
func (h *Handler) signedInUser(c echo.Context, userID string) (*pingone.User, error) {
	ctx := c.Request().Context()
	user, err := h.svc.PingOne.GetUser(ctx, userID, true)
	switch {
	case pingone.IsNotFound(err):
		h.log().WarnContext(ctx, "signed-in person unknown to the directory",
			"user_id", userID, "reason", "PingOne signed the person in, but the worker app finds no user with that ID: "+
				"the web app and PINGONE_ENVIRONMENT_ID may name different environments, or the user was deleted since")
		return nil, fail(http.StatusForbidden, messages.ErrorUnknownAccount, messages.ErrorUnknownAccountText, "", "", err)
	case err != nil:
		return nil, err
	case !user.IsEnabled():
		return nil, fail(http.StatusForbidden, messages.ErrorDisabled, messages.ErrorDisabledText, "", "", errors.New("user disabled"))
	}
	return user, nil
}

// signInFailure words why PingOne's answer to a sign-in was not accepted, or returns nil.
func signInFailure(err error) error {
	var perr *auth.ProviderError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, auth.ErrState):
		return fail(http.StatusBadRequest, messages.ErrorSignInExpired, messages.ErrorSignInExpiredText, toSignIn, messages.ActionSignIn, err)
	case !errors.As(err, &perr):
		return fail(http.StatusBadGateway, messages.ErrorSignInUnfinished, messages.ErrorSignInTokenText, toSignIn, messages.ActionSignInAgain, err)
	}
	return err
}
