package handlers

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/logging"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/pingone"
)

const ridKey = "portal.request_id"

// requestID gives every request a fresh ID (never one the client sent), in the context for
// log lines, in the X-Request-Id answer header, and on error pages.
func (h *Handler) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := uuid.NewString()
		c.Set(ridKey, id)
		ctx, cancel := context.WithTimeout(pingone.ContextWithTransactionID(logging.WithRequestID(c.Request().Context(), id), id), h.ops.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func requestID(c echo.Context) string {
	id, _ := c.Get(ridKey).(string)
	return id
}

// recoverer turns a panic into an error page and a log line with the stack, never a crash.
func (h *Handler) recoverer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				h.log().ErrorContext(c.Request().Context(), "panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// accessLog writes one line per request: the route pattern, never the query string (which
// may carry sign-in codes or state).
func (h *Handler) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "(none)"
		}
		took := time.Since(start)
		h.log().InfoContext(c.Request().Context(), "request", "method", c.Request().Method, "route", route,
			"status", c.Response().Status, "duration_ms", took.Milliseconds(), "bytes", c.Response().Size)
		h.ops.Metrics.HTTP(route, c.Request().Method, c.Response().Status, took)
		return nil
	}
}

// securityHeaders sets a strict CSP (no inline script or style) and the usual hardening.
func (h *Handler) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	formAction := "'self'"
	if h.site.AuthOrigin != "" {
		formAction += " " + h.site.AuthOrigin
	}
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
		"form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'"
	return func(c echo.Context) error {
		hd := c.Response().Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		if h.site.PublicURL.Scheme == "https" {
			hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

var crossOrigin = http.NewCrossOriginProtection()

// crossOrigin refuses state-changing requests that a browser says come from another origin
// (Sec-Fetch-Site, Origin): the first CSRF defence; the form token is the second.
func (h *Handler) crossOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := crossOrigin.Check(c.Request()); err != nil {
			return fail(http.StatusForbidden, messages.ErrorCrossOrigin, messages.ErrorCrossOriginText, toDevices, messages.ActionDevices, err)
		}
		return next(c)
	}
}
