package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/auth"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/views"
)

// home is the signed-out start page; signed-in people go to their phones.
func (h *Handler) home(c echo.Context) error {
	s := sess(c)
	if s != nil && s.UserID() != "" {
		return c.Redirect(http.StatusFound, "/devices")
	}
	// The code's length comes from the MFA policy, which the client keeps a minute; a PingOne
	// slow to answer holds the start page up a second at most (the default length is said
	// instead).
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Second)
	length := h.svc.MFA.CodeRules(ctx).Length
	cancel()
	page := func() templ.Component {
		p := h.page(c, t(c, messages.HomeTitle, nil), "")
		if c.QueryParam("state") == signedOutState && p.Flash.Text == "" {
			// The page that says the person signed out: the start page, with its Sign in.
			p.Title, p.Flash = t(c, messages.SignedOutTitle, nil), views.Flash{Text: t(c, messages.SignedOutText, nil), Kind: "success"}
		}
		return views.Home(p, "/auth/login", length)
	}
	// The language picker's links carry the query string back, and a flash is for one person.
	if (s == nil || !s.HasFlash()) && c.Request().URL.RawQuery == "" {
		return h.renderShared(c, "home"+strconv.Itoa(length), page)
	}
	return h.render(c, http.StatusOK, page())
}

// login sends the person to PingOne, remembering where to bring them back to. With
// step_up=1 it asks for the step-up's MFA sign-in.
func (h *Handler) login(c echo.Context) error {
	s, ctx := sess(c), c.Request().Context()
	if err := h.svc.Limits.SignIn(ctx, c.RealIP()); err != nil {
		if errors.As(err, new(*limits.Error)) {
			h.log().WarnContext(ctx, "sign-in limit", "network", limits.Network(c.RealIP()))
			h.countRefusal(err)
		}
		return err
	}
	var opts auth.Options
	if s.NeedsPassword() {
		opts.Prompt = "login"
	}
	// PingOne's sign-in page speaks the portal page's language.
	opts.UILocales = messages.From(ctx).Lang()
	stepUp := c.QueryParam("step_up") == "1"
	if stepUp {
		p := h.svc.MFA.StepUpPolicy()
		opts.ACR, opts.MaxAge = p.ACR, p.MaxAge
	}
	target, flow, err := h.svc.RP.Start(ctx, opts)
	if err != nil {
		e := fail(http.StatusServiceUnavailable, messages.ErrorSignInUnavailable, messages.ErrorSignInUnavailableText,
			toSignIn, messages.ActionTryAgain, err)
		e.RetryAfter = 30
		return e
	}
	s.StartSignIn(h.now(), flow, localPath(c.QueryParam("return_to")), stepUp)
	if err := save(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, target)
}
