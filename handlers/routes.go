package handlers

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/smsmfa/portal/static"
)

// Routes returns the portal's HTTP handler: every route, in one place.
func (h *Handler) Routes() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.handleError
	// The client address (for the sign-in limit and logs) comes from X-Forwarded-For only when
	// the peer is a configured proxy; otherwise it is the peer itself, whatever headers say.
	e.IPExtractor = echo.ExtractIPDirect()
	if len(h.proxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range h.proxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	e.Use(h.requestID, h.recoverer, h.accessLog, h.securityHeaders, middleware.BodyLimit("64K"), h.crossOrigin, h.loadSession)

	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET(static.Prefix+"*", echo.WrapHandler(h.assets))
	if h.demo != nil {
		e.GET("/demo/sms", h.demoSMS)
	}

	e.GET("/", h.home)
	e.GET("/auth/login", h.login)
	e.GET("/auth/callback", h.callback)
	e.POST("/auth/logout", h.logout, h.csrf)

	// Signed-in routes carry requireUser themselves: a group with middleware would also catch
	// every unknown URL and send it to sign-in instead of answering 404.
	u := func(method, path string, fn echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		e.Add(method, path, fn, append([]echo.MiddlewareFunc{h.requireUser}, m...)...)
	}
	u(http.MethodGet, "/enroll", h.enroll)
	u(http.MethodGet, "/devices", h.devices)
	u(http.MethodGet, "/devices/sms/new", h.newPhone)
	u(http.MethodPost, "/devices/sms", h.createPhone, h.csrf)
	u(http.MethodGet, "/devices/:id/verify", h.verifyForm, validID)
	u(http.MethodPost, "/devices/:id/verify", h.verify, validID, h.csrf)
	u(http.MethodPost, "/devices/:id/resend", h.resend, validID, h.csrf)
	u(http.MethodGet, "/devices/:id/remove", h.removeForm, validID)
	u(http.MethodPost, "/devices/:id/remove", h.remove, validID, h.csrf)
	u(http.MethodPost, "/devices/:id/default", h.makeDefault, validID, h.csrf)
	u(http.MethodGet, "/devices/:id/rename", h.renameForm, validID)
	u(http.MethodPost, "/devices/:id/rename", h.rename, validID, h.csrf)

	// Everything under /helpdesk, unknown paths included, is for staff only (403 otherwise).
	hd := e.Group("/helpdesk", h.requireUser, h.requireStaff)
	hd.GET("", h.hdSearch)
	hd.GET("/users/:uid", h.hdUser, validUID)
	hd.GET("/users/:uid/phone/new", h.hdNewPhone, validUID)
	hd.POST("/users/:uid/phone", h.hdCreatePhone, validUID, h.csrf)
	hd.GET("/users/:uid/mfa", h.hdMFAConfirm, validUID)
	hd.POST("/users/:uid/mfa", h.hdMFA, validUID, h.csrf)
	hd.GET("/users/:uid/devices/:id/verify", h.hdVerifyForm, validUID, validID)
	hd.POST("/users/:uid/devices/:id/verify", h.hdVerify, validUID, validID, h.csrf)
	hd.POST("/users/:uid/devices/:id/resend", h.hdResend, validUID, validID, h.csrf)
	hd.GET("/users/:uid/devices/:id/:action", h.hdConfirm, validUID, validID)
	hd.POST("/users/:uid/devices/:id/:action", h.hdAct, validUID, validID, h.csrf)

	// Pages are gzipped statelessly: a standard gzip writer holds about 1 MB, which 500
	// requests at once turn into 500 MB; this one holds a few KB. Static files come
	// precompressed (Content-Encoding already set), so they pass through untouched.
	gz, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzip.StatelessCompression), gzhttp.MinSize(1024))
	if err != nil {
		panic(err) // fixed, valid options
	}
	return gz(e)
}
