package handlers

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/smsmfa/portal/static"
)

// Routes returns the portal's HTTP handler: every route, in this file.
func (h *Handler) Routes() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.handleError
	e.IPExtractor = h.ipExtractor()
	e.Use(h.requestID)
	if h.ops.Tracer != nil {
		e.Use(h.traced)
	}
	e.Use(h.localize, h.recoverer, h.accessLog, h.securityHeaders, h.limitInFlight, h.dependencyGate,
		middleware.BodyLimit("64K"), h.crossOrigin, h.loadSession, h.profileLanguage)

	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/healthz/deps", h.healthzDeps)
	e.GET(static.Prefix+"*", echo.WrapHandler(h.assets))
	if h.site.Demo != nil {
		e.GET("/demo/sms", h.demoSMS)
		e.GET("/demo/email", h.demoEmail)
	}

	e.GET("/", h.home)
	e.GET("/language", h.chooseLanguage)
	e.GET("/enroll", h.enroll)
	e.GET("/auth/login", h.login)
	e.GET("/auth/callback", h.callback)
	e.POST("/auth/logout", h.logout, h.csrf)

	// Signed-in routes carry requireUser themselves: a group with middleware would also catch
	// every unknown URL and send it to sign-in instead of answering 404.
	u := func(method, path string, fn echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		e.Add(method, path, fn, append([]echo.MiddlewareFunc{h.requireUser, validIDs, withActor}, m...)...)
	}
	u(http.MethodGet, "/devices", h.devices)
	u(http.MethodGet, "/devices/sms/new", h.newPhone)
	u(http.MethodGet, "/devices/activity", h.recentActivity)
	u(http.MethodPost, "/devices/sms", h.addPhone, h.csrf)
	h.phoneRoutes(u, "/devices/")
	u(http.MethodPost, "/devices/:id/default", h.makeDefault, h.csrf)
	u(http.MethodGet, mailboxPage, h.mailboxForm)
	u(http.MethodPost, mailboxPage, h.mailboxSend, h.csrf)
	u(http.MethodPost, mailboxPage+"/code", h.mailboxCode, h.csrf)
	u(http.MethodGet, "/devices/:id/rename", h.renameForm)
	u(http.MethodPost, "/devices/:id/rename", h.rename, h.csrf)

	h.helpdeskRoutes(e)
	return gzipped(e)
}

// helpdeskRoutes are the help desk's pages. Everything under /helpdesk, unknown paths
// included, is for staff only (403 otherwise), and only with a recent MFA sign-in (issue #11).
// Every page about a user reads them first (hdTarget); every change needs a user the help desk
// may change (hdChangeable) and a caller verified by this staff member (requireCallerChecked,
// issue #16).
func (h *Handler) helpdeskRoutes(e *echo.Echo) {
	hd := e.Group("/helpdesk", h.requireUser, h.requireStaff, h.requireHelpdeskStepUp, validIDs)
	callerPages := []echo.MiddlewareFunc{h.hdTarget, h.hdChangeable, withActor}
	change := []echo.MiddlewareFunc{h.hdTarget, h.hdChangeable, h.requireCallerChecked, withActor}
	hdu := func(method, path string, fn echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		hd.Add(method, path, fn, append(m, change...)...)
	}
	hd.GET("", h.hdSearch)
	hd.POST("/approvals/:aid", h.hdApprove, h.csrf)
	hd.GET("/users/:uid", h.hdUser, h.hdTarget, withActor)
	hd.GET("/users/:uid/verify", h.hdCallerForm, callerPages...)
	hd.POST("/users/:uid/verify", h.hdCallerStart, append([]echo.MiddlewareFunc{h.csrf}, callerPages...)...)
	hd.POST("/users/:uid/verify/code", h.hdCallerCode, append([]echo.MiddlewareFunc{h.csrf}, callerPages...)...)
	hdu(http.MethodGet, "/users/:uid/phone/new", h.newPhone)
	hdu(http.MethodPost, "/users/:uid/phone", h.addPhone, h.csrf)
	hdu(http.MethodGet, "/users/:uid/mfa", h.hdMFAConfirm)
	hdu(http.MethodPost, "/users/:uid/mfa", h.hdMFA, h.csrf)
	hdu(http.MethodPost, "/users/:uid/temporary", h.hdTemporary, h.csrf)
	hdu(http.MethodPost, "/users/:uid/temporary/end", h.hdTemporaryEnd, h.csrf)
	h.phoneRoutes(hdu, "/users/:uid/devices/")
	hdu(http.MethodGet, "/users/:uid/devices/:id/:action", h.hdConfirm)
	hdu(http.MethodPost, "/users/:uid/devices/:id/:action", h.hdAct, h.csrf)
}

// phoneRoutes are the pages of one phone that the person and staff share (actor.go): under
// /devices/ for the person, /helpdesk/users/:uid/devices/ for staff.
func (h *Handler) phoneRoutes(add func(string, string, echo.HandlerFunc, ...echo.MiddlewareFunc), prefix string) {
	add(http.MethodGet, prefix+":id/verify", h.verifyForm)
	add(http.MethodPost, prefix+":id/verify", h.verify, h.csrf)
	add(http.MethodPost, prefix+":id/resend", h.resend, h.csrf)
	add(http.MethodGet, prefix+":id/remove", h.removeForm)
	add(http.MethodPost, prefix+":id/remove", h.remove, h.csrf)
	add(http.MethodGet, prefix+":id/replace", h.replaceForm)
	add(http.MethodPost, prefix+":id/replace", h.replace, h.csrf)
	add(http.MethodGet, prefix+":id/remove/confirmed", h.removeConfirmed)
}

// ipExtractor takes the client address (for the sign-in limit and logs) from
// X-Forwarded-For only when the peer is a configured proxy; otherwise it is the peer itself,
// whatever headers say.
func (h *Handler) ipExtractor() echo.IPExtractor {
	if len(h.site.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range h.site.TrustedProxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// gzipped compresses pages statelessly: a standard gzip writer holds about 1 MB, which 500
// requests at once turn into 500 MB; this one holds a few KB. Static files come
// precompressed (Content-Encoding already set), so they pass through untouched.
func gzipped(next http.Handler) http.Handler {
	gz, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzip.StatelessCompression), gzhttp.MinSize(1024))
	if err != nil {
		panic(err) // fixed, valid options
	}
	return gz(next)
}
