package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/auth"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// Ways forward offered on error pages.
const (
	toDevices = "/devices"
	toStart   = "/"
	toSignIn  = "/auth/login"
)

// fail is an error page with a way forward.
func fail(status int, heading, text messages.Key, url string, action messages.Key, cause error) *Error {
	return &Error{Status: status, Heading: heading, Text: text, ActionURL: url, Action: action, Cause: cause}
}

// classify turns any error into the page the person sees.
func classify(err error) *Error {
	var e *Error
	var he *echo.HTTPError
	var le *limits.Error
	var perr *auth.ProviderError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &he):
		return classifyHTTP(he, err)
	case errors.As(err, &le):
		key, data := limitText(le)
		return &Error{Status: http.StatusTooManyRequests, Heading: messages.ErrorLimit, Text: key, Data: data,
			ActionURL: toDevices, Action: messages.ActionDevices, RetryAfter: int(le.RetryAfter.Seconds()), Cause: err}
	case errors.Is(err, store.ErrUnavailable):
		// Fail closed: nothing is sent or changed while limits and sessions cannot be checked.
		e := fail(http.StatusServiceUnavailable, messages.ErrorStoreDown, messages.ErrorStoreDownText, toDevices, messages.ActionTryAgain, err)
		e.RetryAfter = 30
		return e
	case errors.Is(err, mfa.ErrNotFound):
		return fail(404, messages.ErrorNoDevice, messages.ErrorNoDeviceText, toDevices, messages.ActionDevices, err)
	case errors.Is(err, mfa.ErrNoUsablePhone):
		return noUsablePhone(err)
	case errors.Is(err, mfa.ErrCannotReplace):
		return fail(http.StatusConflict, messages.ErrorCannotReplace, messages.ErrorCannotReplaceText, toDevices, messages.ActionDevices, err)
	case errors.Is(err, mfa.ErrTemporaryAccess):
		return fail(http.StatusForbidden, messages.ErrorTemporaryAccess, messages.ErrorTemporaryAccessText, toDevices, messages.ActionDevices, err)
	}
	if pe := classifyPingOne(err); pe != nil {
		return pe
	}
	if errors.As(err, &perr) {
		return fail(400, messages.ErrorSignInUnfinished, messages.ErrorSignInProviderText, toSignIn, messages.ActionSignInAgain, err)
	}
	return fail(500, messages.ErrorInternal, messages.ErrorInternalText, toStart, messages.ActionStart, err)
}

func classifyHTTP(he *echo.HTTPError, err error) *Error {
	switch he.Code {
	case http.StatusNotFound:
		return fail(404, messages.ErrorNotFound, messages.ErrorNotFoundText, toDevices, messages.ActionDevices, err)
	case http.StatusRequestEntityTooLarge:
		return fail(413, messages.ErrorTooLarge, messages.ErrorTooLargeText, toDevices, messages.ActionDevices, err)
	case http.StatusMethodNotAllowed:
		return fail(405, messages.ErrorMethod, messages.ErrorMethodText, toStart, messages.ActionStart, err)
	}
	e := fail(he.Code, messages.ErrorHttp, messages.ErrorHttpText, toStart, messages.ActionStart, err)
	e.Data = messages.Data{"StatusText": http.StatusText(he.Code)}
	return e
}

// classifyPingOne words PingOne's failures, or returns nil for other errors.
func classifyPingOne(err error) *Error {
	var pe *pingone.Error
	hasPE := errors.As(err, &pe)
	var e *Error
	switch {
	case pingone.IsRateLimited(err):
		return busy(err, pe)
	case pingone.IsMisconfigured(err):
		// A refused worker token or a missing role is the operator's to fix, never the person's
		// to retry: the log line says what to check.
		return setupError(err)
	case pingone.IsUnreachable(err), errors.Is(err, context.DeadlineExceeded):
		e = fail(503, messages.ErrorUnreachable, messages.ErrorUnreachableText, toDevices, messages.ActionTryAgain, err)
		e.RetryAfter = 30
		return e
	case pingone.IsUnavailable(err):
		e = fail(503, messages.ErrorUnavailable, messages.ErrorUnavailableText, toDevices, messages.ActionTryAgain, err)
		e.RetryAfter = 30
	case pingone.IsMalformed(err):
		return fail(502, messages.ErrorMalformed, messages.ErrorMalformedText, toDevices, messages.ActionTryAgain, err)
	case pingone.IsUnauthorized(err):
		return setupError(err)
	case hasPE:
		return fail(502, messages.ErrorRefused, messages.ErrorRefusedText, toDevices, messages.ActionDevices, err)
	default:
		return nil
	}
	if hasPE && pe.RetryAfter > 0 {
		e.RetryAfter = int(pe.RetryAfter.Seconds())
	}
	return e
}

// busy is PingOne's rate limiting: it says when to try again (Retry-After, or
// innerError.retryAfter), and the person is told.
func busy(err error, pe *pingone.Error) *Error {
	wait := time.Minute
	var te *pingone.ThrottledError
	switch {
	case pe != nil && pe.RetryAfter > 0:
		wait = pe.RetryAfter
	case errors.As(err, &te):
		// The portal's own ceiling (PINGONE_MAX_RPS): the queue, not PingOne, says when.
		wait = max(te.Wait.Round(time.Second), time.Second)
	}
	e := fail(503, messages.ErrorBusy, messages.ErrorBusyText, toDevices, messages.ActionTryAgain, err)
	e.Data = messages.Data{"Wait": waitPhrase(wait)}
	e.RetryAfter = int(wait.Round(time.Second).Seconds())
	return e
}

// setupError is the page for a PingOne refusal the operator must fix (the worker token or its
// roles), with the fix for the log.
func setupError(err error) *Error {
	e := fail(502, messages.ErrorSetup, messages.ErrorSetupText, "", "", err)
	e.Hint = setupHint(err)
	return e
}

// setupHint tells the operator what to check when PingOne refuses the portal itself.
func setupHint(err error) string {
	if pingone.IsTokenRefused(err) {
		return "PingOne refused the worker app's token: check PINGONE_WORKER_CLIENT_ID, PINGONE_WORKER_CLIENT_SECRET " +
			"(rotated?) and PINGONE_WORKER_TOKEN_AUTH, and that the worker app is enabled; run portal -check"
	}
	if pingone.IsForbidden(err) {
		return "the worker app lacks a role for this call: give it Identity Data Admin on this environment; run portal -check"
	}
	return "PingOne refused the worker app's token even after a fresh one: check the worker app; run portal -check"
}

// noUsablePhone is the page for a person who needs the step-up while every active phone of
// theirs is locked or blocked: nobody can pass it, so the help desk is the way forward.
func noUsablePhone(err error) *Error {
	var nu *mfa.NoUsablePhoneError
	errors.As(err, &nu)
	if nu != nil && nu.Blocked {
		return fail(http.StatusForbidden, messages.ErrorNoUsablePhone, messages.ErrorNoUsablePhoneBlocked, toDevices, messages.ActionDevices, err)
	}
	e := fail(http.StatusForbidden, messages.ErrorNoUsablePhone, messages.ErrorNoUsablePhoneLocked, toDevices, messages.ActionDevices, err)
	e.Data = messages.Data{"Wait": messages.Phrase{Key: messages.WaitUnknown}}
	if nu != nil && nu.Wait > 0 {
		e.Data["Wait"] = waitPhrase(nu.Wait)
	}
	return e
}
