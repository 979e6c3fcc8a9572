package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/auth"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/views"
)

// home is the signed-out start page; signed-in people go to their phones.
func (h *Handler) home(c echo.Context) error {
	if s := h.sess(c); s != nil && s.userID() != "" {
		return c.Redirect(http.StatusFound, "/devices")
	}
	return h.render(c, http.StatusOK, views.Home(h.page(c, "Welcome", ""), "/auth/login"))
}

// login sends the person to PingOne, remembering where to bring them back to.
func (h *Handler) login(c echo.Context) error {
	s := h.sess(c)
	if err := limits.Check(c.Request().Context(), h.limits, limits.SignIn, c.RealIP()); err != nil {
		h.log.WarnContext(c.Request().Context(), "sign-in limit", "client", c.RealIP())
		return err
	}
	var opts auth.Options
	if s.bool(keyReauth) {
		opts.Prompt = "login"
	}
	stepUp := c.QueryParam("step_up") == "1"
	if stepUp {
		opts.ACR, opts.MaxAge = h.stepACR, h.stepAge
	}
	target, flow, err := h.rp.Start(c.Request().Context(), opts)
	if err != nil {
		return &Error{Status: http.StatusServiceUnavailable, Heading: "Sign-in is not available", Public: "PingOne, the sign-in service, is not answering. Please try again in a minute.", ActionURL: "/auth/login", Action: "Try again", RetryAfter: 30, Cause: err}
	}
	if s.str(keyCSRF) == "" {
		s.renew(h.now())
	}
	s.s.Values[keyState] = flow.State
	s.s.Values[keyNonce] = flow.Nonce
	s.s.Values[keyVerifier] = flow.Verifier
	s.s.Values[keyReturnTo] = localPath(c.QueryParam("return_to"))
	s.s.Values[keyStepUp] = stepUp
	if err := h.save(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, target)
}

// callback finishes sign-in: checks state, exchanges the code, verifies the ID token, checks
// that PingOne knows the person and that they are enabled, then starts a new session.
func (h *Handler) callback(c echo.Context) error {
	s := h.sess(c)
	ctx := c.Request().Context()
	flow := auth.Flow{State: s.str(keyState), Nonce: s.str(keyNonce), Verifier: s.str(keyVerifier)}
	returnTo, stepUp := s.str(keyReturnTo), s.bool(keyStepUp)
	id, err := h.rp.Finish(ctx, c.QueryParams(), flow)
	if errors.Is(err, auth.ErrState) {
		return &Error{Status: http.StatusBadRequest, Heading: "Sign-in expired", Public: "This sign-in was started in another tab or too long ago. Please sign in again.", ActionURL: "/auth/login", Action: "Sign in", Cause: err}
	}
	var perr *auth.ProviderError
	if err != nil && !errors.As(err, &perr) {
		return &Error{Status: http.StatusBadGateway, Heading: "Sign-in did not finish", Public: "PingOne's answer to the sign-in could not be checked, so you are not signed in. Please try again.", ActionURL: "/auth/login", Action: "Sign in again", Cause: err}
	}
	if err != nil {
		return err
	}
	if stepUp && (id.ACR != h.stepACR || h.now().Sub(id.AuthTime) > h.stepAge+time.Minute) {
		return &Error{Status: http.StatusForbidden, Heading: "Extra check not completed", Public: "Changing your sign-in phones needs a sign-in with a code from your current phone, and PingOne did not confirm one. Please try again.", ActionURL: "/devices", Action: "Go to your phones", Cause: fmt.Errorf("step-up: got acr %q", id.ACR)}
	}
	user, err := h.p1.GetUser(ctx, id.Subject, true)
	if pingone.IsNotFound(err) {
		return &Error{Status: http.StatusForbidden, Heading: "Your account is not set up here", Public: "You signed in, but this organisation's PingOne directory does not list your account. Please contact the help desk.", Cause: err}
	}
	if err != nil {
		return err
	}
	if !user.IsEnabled() {
		return &Error{Status: http.StatusForbidden, Heading: "Your account is disabled", Public: "Your account is switched off in PingOne, so you cannot manage sign-in phones. Please contact the help desk.", Cause: errors.New("user disabled")}
	}
	flash, flashKind := s.str(keyFlash), s.str(keyFlashKind)
	s.renew(h.now())
	if flash != "" {
		s.flash(flashKind, flash)
	}
	s.s.Values[keyUserID] = user.ID
	s.s.Values[keyName] = user.DisplayName()
	s.s.Values[keyUsername] = user.Username
	h.staff.Observe(user)
	isStaff, err := h.staff.IsStaff(ctx, user.ID)
	if err != nil {
		return err
	}
	s.s.Values[keyStaff] = isStaff
	s.s.Values[keyAuthTime] = id.AuthTime.Unix()
	s.s.Values[keyACR] = id.ACR
	s.s.Values[keyIDToken] = id.IDToken
	if err := h.save(c); err != nil {
		return err
	}
	h.log.InfoContext(ctx, "signed in", "user_id", user.ID, "acr", id.ACR)
	if returnTo == "" {
		returnTo = "/devices"
	}
	return c.Redirect(http.StatusSeeOther, returnTo)
}

// logout ends the portal session and then PingOne's.
func (h *Handler) logout(c echo.Context) error {
	s := h.sess(c)
	idToken, uid := s.str(keyIDToken), s.userID()
	s.renew(h.now())
	s.s.Options.MaxAge = -1
	if err := h.save(c); err != nil {
		return err
	}
	h.log.InfoContext(c.Request().Context(), "signed out", "user_id", uid)
	back := h.publicURL.String() + "/"
	if end := h.rp.EndSessionURL(c.Request().Context(), idToken, back, ""); end != "" {
		return c.Redirect(http.StatusSeeOther, end)
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

// stepUp sends a person who already has an active phone through PingOne's MFA sign-on policy
// before they add or remove a method, unless they passed it within the step-up age. It
// reports whether it redirected.
func (h *Handler) stepUp(c echo.Context, returnTo string) (bool, error) {
	s := h.sess(c)
	if h.steppedUp(c) {
		return false, nil
	}
	devs, err := h.mfa.Devices(c.Request().Context(), s.userID())
	if err != nil {
		return false, err
	}
	return h.stepUpFor(c, devs, returnTo)
}

// stepUpFor is stepUp for a device list the handler has already read.
func (h *Handler) stepUpFor(c echo.Context, devs []mfa.Device, returnTo string) (bool, error) {
	if h.steppedUp(c) || !mfa.HasActive(devs) {
		// A first phone needs only the normal sign-in: there is nothing yet to prove MFA with.
		return false, nil
	}
	h.log.InfoContext(c.Request().Context(), "step-up required", "user_id", h.sess(c).userID())
	masked := "your phone"
	for _, d := range devs {
		if d.State == mfa.StateActive && d.Masked != "" {
			masked = d.Masked
			break
		}
	}
	return true, h.render(c, http.StatusOK, views.StepUp(h.page(c, "Confirm it’s you", "devices"),
		views.StepUpProps{Continue: "/auth/login?step_up=1&return_to=" + url.QueryEscape(returnTo), Masked: masked}))
}

// steppedUp reports whether the session passed the MFA sign-on policy, or typed a code texted
// to one of the person's phones, within the step-up age.
func (h *Handler) steppedUp(c echo.Context) bool {
	s := h.sess(c)
	if s.str(keyACR) == h.stepACR && h.now().Sub(s.time(keyAuthTime)) <= h.stepAge {
		return true
	}
	proof := s.time(keyProof)
	return !proof.IsZero() && h.now().Sub(proof) <= h.stepAge
}

// redirectStepUp explains the MFA step-up, when a form posted without it, and offers it.
func (h *Handler) redirectStepUp(c echo.Context, returnTo string) error {
	devs, err := h.mfa.Devices(c.Request().Context(), h.sess(c).userID())
	if err != nil {
		return err
	}
	_, err = h.stepUpFor(c, devs, returnTo)
	return err
}
