package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/static"
)

// userCheckEvery is how long PingOne's word that a signed-in person's account is enabled is
// trusted: a person disabled in PingOne loses their session at their first request after it.
const userCheckEvery = time.Minute

// plainAnswer reports whether the request is for a static file or a health probe: answers
// that need neither a session nor a language (no words of the catalog).
func plainAnswer(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, static.Prefix) || p == "/healthz" || p == "/readyz" || p == "/healthz/deps"
}

// loadSession reads the session cookie; a session past its idle or absolute lifetime, or
// signed out on the server, ends here (internal/session decides), with a flash message that
// says why. A signed-in person whose account PingOne no longer has enabled is signed out. The
// signed-in person is recorded as the actor whose texts the limits count.
func (h *Handler) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if plainAnswer(c) {
			return next(c)
		}
		s, ended, changed, err := h.sess.Load(c.Request())
		if err != nil {
			return err
		}
		c.Set(sessCtxKey, s)
		ctx := c.Request().Context()
		if ended != nil {
			key, data := ended.Flash()
			s.SetFlash(session.Error, key, data)
			h.log().InfoContext(ctx, "session ended", "reason", ended.Reason())
		}
		if uid := s.UserID(); uid != "" && h.now().Sub(s.UserCheckedAt()) > userCheckEvery {
			if err := h.checkAccount(c, s); err != nil {
				return err
			}
			changed = true
		}
		if changed {
			if err := save(c); err != nil {
				return err
			}
		}
		if uid := s.UserID(); uid != "" {
			c.SetRequest(c.Request().WithContext(limits.WithActor(ctx, uid)))
		}
		return next(c)
	}
}

// checkAccount asks PingOne whether the signed-in person's account still exists and is
// enabled; if not, the session ends on every instance and the person is told why. When
// PingOne cannot be asked the session goes on: every change needs PingOne anyway.
func (h *Handler) checkAccount(c echo.Context, s *session.Session) error {
	ctx, uid := c.Request().Context(), s.UserID()
	// With the groups: the same read refreshes the staff check's cache (one read, not two).
	u, err := h.svc.PingOne.GetUser(ctx, uid, true)
	if err == nil {
		h.svc.Staff.Observe(u)
	}
	switch {
	case err == nil && u.IsEnabled():
		s.UserChecked(h.now())
		return nil
	case err != nil && !pingone.IsNotFound(err):
		h.log().WarnContext(ctx, "could not check the account is enabled", "user_id", uid, "error", err.Error())
		return nil
	}
	s.Revoke(h.now())
	if err := save(c); err != nil {
		return err
	}
	h.log().InfoContext(ctx, "session ended", "reason", "account disabled or deleted in PingOne", "user_id", uid)
	return fail(http.StatusForbidden, messages.ErrorDisabled, messages.ErrorDisabledText, "", "", errors.New("account disabled"))
}

// signedOut is the page for a state-changing request without a session.
func signedOut(cause error) *Error {
	return fail(http.StatusUnauthorized, messages.ErrorSignedOut, messages.ErrorSignedOutText, toSignIn, messages.ActionSignIn, cause)
}

// requireUser lets signed-in people through; others are sent to sign in and brought back.
func (h *Handler) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s := sess(c); s != nil && s.UserID() != "" {
			return next(c)
		}
		if c.Request().Method == http.MethodGet {
			return c.Redirect(http.StatusFound, "/auth/login?return_to="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return signedOut(errors.New("no session on a state-changing request"))
	}
}

// requireStaff lets help-desk staff through, checking group membership live (short cache),
// so someone removed from the group mid-session is refused at their next request.
func (h *Handler) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := sess(c)
		ok, err := h.svc.Staff.IsStaff(c.Request().Context(), s.UserID())
		if err != nil {
			return err
		}
		// Privileges changed: the session follows (the link appears or goes) with a new CSRF
		// secret, so no form from before the change is accepted.
		if s.SetStaff(ok) {
			if err := save(c); err != nil {
				return err
			}
		}
		if !ok {
			return fail(http.StatusForbidden, messages.ErrorStaffOnly, messages.ErrorStaffOnlyText, toDevices, messages.ActionDevices,
				errors.New("not in a help-desk group"))
		}
		return next(c)
	}
}

// csrf checks the form token of a state-changing request against the session.
func (h *Handler) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := sess(c)
		if s != nil && s.CheckCSRF(form.CSRFToken(c.Request())) {
			return next(c)
		}
		if s == nil || s.UserID() == "" {
			return signedOut(errors.New("csrf: no session"))
		}
		return fail(http.StatusForbidden, messages.ErrorFormExpired, messages.ErrorFormExpiredText, toDevices, messages.ActionDevices,
			errors.New("csrf: token missing or wrong"))
	}
}

// validIDs answers 404 for a device (:id), user (:uid) or approval request (:aid) ID that is
// not a UUID, before PingOne or the store is asked.
func validIDs(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, name := range c.ParamNames() {
			if (name == "id" || name == "uid" || name == "aid") && !ids.IsUUID(c.Param(name)) {
				return echo.ErrNotFound
			}
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
