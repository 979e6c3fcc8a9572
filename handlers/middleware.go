package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/logging"
)

const ridKey = "portal.request_id"

// requestID gives every request a fresh ID (never one the client sent), in the context for
// log lines, in the X-Request-Id answer header, and on error pages.
func (h *Handler) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := uuid.NewString()
		c.Set(ridKey, id)
		ctx, cancel := context.WithTimeout(logging.WithRequestID(c.Request().Context(), id), h.timeout)
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
				h.log.ErrorContext(c.Request().Context(), "panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
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
		h.log.InfoContext(c.Request().Context(), "request", "method", c.Request().Method, "route", route,
			"status", c.Response().Status, "duration_ms", took.Milliseconds(), "bytes", c.Response().Size)
		h.metrics.HTTP(route, c.Request().Method, c.Response().Status, took)
		return nil
	}
}

// securityHeaders sets a strict CSP (no inline script or style) and the usual hardening.
func (h *Handler) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	formAction := "'self'"
	if h.authOrig != "" {
		formAction += " " + h.authOrig
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
		if h.secure {
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
			return &Error{Status: http.StatusForbidden, Heading: "Request refused", Public: "This request came from another site, so it was refused. Go back to the portal and try again.", ActionURL: "/devices", Action: "Go to your phones", Cause: err}
		}
		return next(c)
	}
}

// loadSession reads the session cookie and ends sessions past their idle or absolute
// lifetime. A cookie that cannot be opened (old key, tampering) counts as no session.
func (h *Handler) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/static/") || c.Request().URL.Path == "/healthz" || c.Request().URL.Path == "/readyz" {
			return next(c)
		}
		gs, err := h.store.Get(c.Request(), h.cookie)
		if err != nil && gs == nil {
			return err
		}
		s := &session{s: gs}
		c.Set(sessCtxKey, s)
		now := h.now()
		if s.userID() != "" {
			created, seen := s.time(keyCreated), s.time(keySeen)
			var ended, why string
			switch {
			case now.Sub(created) > h.maxAge:
				ended, why = "absolute lifetime", "You were signed out because your session reached its "+humanDuration(h.maxAge)+" limit. Please sign in again."
			case now.Sub(seen) > h.idle:
				ended, why = "idle", "You were signed out after "+humanDuration(h.idle)+" without activity. Please sign in again."
			}
			switch {
			case ended != "":
				s.renew(now)
				s.s.Values[keyReauth] = true
				s.flash("error", why)
				h.log.InfoContext(c.Request().Context(), "session ended", "reason", ended)
				if err := h.save(c); err != nil {
					return err
				}
			case now.Sub(seen) > time.Minute:
				// Refreshing "seen" at most once a minute keeps Set-Cookie off most answers.
				s.s.Values[keySeen] = now.Unix()
				if err := h.save(c); err != nil {
					return err
				}
			}
		}
		return next(c)
	}
}

func humanDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		if d == time.Hour {
			return "1-hour"
		}
		return fmt.Sprintf("%d-hour", int(d.Hours()))
	case d >= time.Minute:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return d.String()
}

// requireUser lets signed-in people through; others are sent to sign in and brought back.
func (h *Handler) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := h.sess(c)
		if s != nil && s.userID() != "" {
			return next(c)
		}
		if c.Request().Method == http.MethodGet {
			return c.Redirect(http.StatusFound, "/auth/login?return_to="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return &Error{Status: http.StatusUnauthorized, Heading: "Please sign in again", Public: "Your session has ended, so nothing was changed. Sign in and try again.", ActionURL: "/auth/login", Action: "Sign in", Cause: errors.New("no session on a state-changing request")}
	}
}

// csrf checks the form token of a state-changing request against the session.
func (h *Handler) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := h.sess(c)
		if s == nil || !s.checkCSRF(c.FormValue("csrf")) {
			if s == nil || s.userID() == "" {
				return &Error{Status: http.StatusUnauthorized, Heading: "Please sign in again", Public: "Your session has ended, so nothing was changed. Sign in and try again.", ActionURL: "/auth/login", Action: "Sign in", Cause: errors.New("csrf: no session")}
			}
			return &Error{Status: http.StatusForbidden, Heading: "This form has expired", Public: "For your safety the form was not accepted. Go back, reload the page and try again.", ActionURL: "/devices", Action: "Go to your phones", Cause: errors.New("csrf: token missing or wrong")}
		}
		return next(c)
	}
}

var idRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validID answers 404 for a device ID that is not a UUID, before PingOne is asked.
func validID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !idRe.MatchString(c.Param("id")) {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

// localPath returns p if it is a path on this site (no scheme, no host, no "//" or "\"
// tricks), else "".
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return p
}
