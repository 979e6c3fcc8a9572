package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/auth"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/views"
)

// Error is a failure with a message for the person and a cause for the operator's log.
type Error struct {
	Status  int
	Heading string
	Public  string
	// ActionURL and Action offer a way forward (such as signing in again).
	ActionURL, Action string
	RetryAfter        int
	Cause             error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Heading, e.Cause)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Heading)
}

func (e *Error) Unwrap() error { return e.Cause }

// classify turns any error into the page the person sees.
func classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return &Error{Status: 404, Heading: "Page not found", Public: "There is nothing at this address. It may have been a phone that was already removed.", ActionURL: "/devices", Action: "Go to your phones", Cause: err}
		case http.StatusRequestEntityTooLarge:
			return &Error{Status: 413, Heading: "Too much data", Public: "What was sent is larger than this form ever needs.", ActionURL: "/devices", Action: "Go to your phones", Cause: err}
		case http.StatusMethodNotAllowed:
			return &Error{Status: 405, Heading: "Not allowed", Public: "This address does not take that kind of request.", ActionURL: "/", Action: "Go to the start", Cause: err}
		}
		return &Error{Status: he.Code, Heading: http.StatusText(he.Code), Public: "The request could not be handled.", ActionURL: "/", Action: "Go to the start", Cause: err}
	}
	var le *limits.Error
	if errors.As(err, &le) {
		return &Error{Status: http.StatusTooManyRequests, Heading: "Please wait a little", Public: limitMessage(le), ActionURL: "/devices", Action: "Go to your phones", RetryAfter: int(le.RetryAfter.Seconds()), Cause: err}
	}
	if errors.Is(err, mfa.ErrNotFound) {
		return &Error{Status: 404, Heading: "Phone not found", Public: "This phone is not registered to your account. It may have been removed already.", ActionURL: "/devices", Action: "Go to your phones", Cause: err}
	}
	var pe *pingone.Error
	switch {
	case pingone.IsRateLimited(err):
		e := &Error{Status: 503, Heading: "PingOne is busy", Public: "PingOne, the sign-in service, asked us to slow down. Nothing was changed. Please try again in a minute.", ActionURL: "/devices", Action: "Try again", Cause: err}
		if errors.As(err, &pe) && pe.RetryAfter > 0 {
			e.RetryAfter = int(pe.RetryAfter.Seconds())
		}
		return e
	case pingone.IsUnreachable(err), errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: 503, Heading: "PingOne is not answering", Public: "PingOne, the sign-in service, did not answer in time. Your phones are as they were. Please try again in a minute.", ActionURL: "/devices", Action: "Try again", RetryAfter: 30, Cause: err}
	case pingone.IsUnavailable(err):
		e := &Error{Status: 503, Heading: "PingOne is having trouble", Public: "PingOne, the sign-in service, could not handle the request just now. Your phones are as they were. Please try again in a minute.", ActionURL: "/devices", Action: "Try again", RetryAfter: 30, Cause: err}
		if errors.As(err, &pe) && pe.RetryAfter > 0 {
			e.RetryAfter = int(pe.RetryAfter.Seconds())
		}
		return e
	case pingone.IsMalformed(err):
		return &Error{Status: 502, Heading: "PingOne sent an answer we could not read", Public: "Something between the portal and PingOne answered in a way we did not expect. Your phones are as they were. Please try again in a minute; if it keeps happening, tell the help desk the reference below.", ActionURL: "/devices", Action: "Try again", Cause: err}
	case pingone.IsForbidden(err), pingone.IsUnauthorized(err):
		return &Error{Status: 502, Heading: "The portal is not set up correctly", Public: "PingOne refused this portal's access. Nothing was changed. Please tell your IT team; they can find the details in the portal's log.", Cause: err}
	case errors.As(err, &pe):
		return &Error{Status: 502, Heading: "PingOne refused the request", Public: "PingOne could not carry out this request. Nothing was changed. Please try again; if it keeps happening, contact the help desk.", ActionURL: "/devices", Action: "Go to your phones", Cause: err}
	}
	var perr *auth.ProviderError
	if errors.As(err, &perr) {
		return &Error{Status: 400, Heading: "Sign-in did not finish", Public: "PingOne did not complete the sign-in. You can try again.", ActionURL: "/auth/login", Action: "Sign in again", Cause: err}
	}
	return &Error{Status: 500, Heading: "Something went wrong", Public: "Something went wrong on our side. Nothing was changed. Please try again.", ActionURL: "/", Action: "Go to the start", Cause: err}
}

// handleError is Echo's one error handler: it logs the cause and renders the error page.
func (h *Handler) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := classify(err)
	ctx := c.Request().Context()
	level := slog.LevelInfo
	if e.Status >= 500 {
		level = slog.LevelError
	}
	cause := ""
	if e.Cause != nil {
		cause = e.Cause.Error()
	}
	h.log.Log(ctx, level, "request failed", "status", e.Status, "route", c.Path(), "error", e.Heading, "cause", cause)
	if e.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	props := views.ErrorProps{Status: e.Status, Heading: e.Heading, Message: e.Public, RequestID: requestID(c),
		ActionURL: e.ActionURL, Action: e.Action}
	if rerr := h.render(c, e.Status, views.Error(h.page(c, e.Heading, ""), props)); rerr != nil {
		h.log.ErrorContext(ctx, "error page failed", "error", rerr.Error())
		_ = c.String(e.Status, e.Heading+" (reference "+requestID(c)+")")
	}
}
