// Package handlers is the portal's HTTP layer: Echo routes that read the request, call the
// rules (internal/mfa) and PingOne, and render views. It decides nothing itself.
package handlers

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"time"

	"github.com/gorilla/sessions"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/auth"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/metrics"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/staff"
	"github.com/smsmfa/portal/pingone/pingonetest"
	"github.com/smsmfa/portal/static"
)

// PingOne is the part of the PingOne client the handlers use directly.
type PingOne interface {
	mfa.Client
	CheckToken(ctx context.Context) error
}

// Outbox is the demo emulator's record of texts.
type Outbox interface{ Outbox() []pingonetest.SMS }

// Deps are the handler's dependencies.
type Deps struct {
	PingOne   PingOne
	MFA       *mfa.Service
	RP        *auth.RP
	Sessions  *sessions.CookieStore
	Logger    *slog.Logger
	PublicURL *url.URL
	// AuthOrigin is PingOne's auth origin, allowed as a form target (sign-out redirects there).
	AuthOrigin    string
	DefaultRegion string
	// Staff decides who is help-desk staff; Directory finds users for them.
	Staff     *staff.Checker
	Directory *helpdesk.Directory
	Audit     *audit.Logger
	// ReasonRequired makes a reason or ticket mandatory for help-desk actions.
	ReasonRequired bool
	IdleTimeout    time.Duration
	MaxAge         time.Duration
	// Demo, when set, serves /demo/sms from the emulator's outbox and shows the demo banner.
	Demo Outbox
	Now  func() time.Time
	// StepUpACR and StepUpMaxAge: the MFA sign-in needed to add or remove a method when the
	// person already has an active one.
	StepUpACR    string
	StepUpMaxAge time.Duration
	// TrustedProxies are the only peers whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// StrongerMethodsURL is linked from the note about SMS.
	StrongerMethodsURL string
	// Metrics records requests; nil records nothing.
	Metrics *metrics.Metrics
	// Limits counts sign-ins per client address.
	Limits limits.Limiter
	// RequestTimeout bounds all the PingOne work of one request (retries included).
	RequestTimeout time.Duration
}

// Handler holds the dependencies every route uses.
type Handler struct {
	p1             PingOne
	mfa            *mfa.Service
	rp             *auth.RP
	store          *sessions.CookieStore
	log            *slog.Logger
	publicURL      *url.URL
	authOrig       string
	defRegion      string
	staff          *staff.Checker
	dir            *helpdesk.Directory
	audit          *audit.Logger
	reasonRequired bool
	idle           time.Duration
	maxAge         time.Duration
	demo           Outbox
	now            func() time.Time
	assets         *static.Set
	cookie         string
	secure         bool
	policy         *phone.Policy
	ready          readyCache
	timeout        time.Duration
	limits         limits.Limiter
	stepACR        string
	stepAge        time.Duration
	proxies        []*net.IPNet
	stronger       string
	metrics        *metrics.Metrics
}

// New returns a Handler.
func New(d Deps) *Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	h := &Handler{p1: d.PingOne, mfa: d.MFA, rp: d.RP, store: d.Sessions, log: d.Logger, publicURL: d.PublicURL,
		authOrig: d.AuthOrigin, defRegion: d.DefaultRegion, staff: d.Staff, dir: d.Directory, audit: d.Audit,
		reasonRequired: d.ReasonRequired, idle: d.IdleTimeout, maxAge: d.MaxAge,
		demo: d.Demo, now: d.Now, assets: static.Load(phone.BrowserFiles()),
		secure: d.PublicURL.Scheme == "https", policy: d.MFA.Policy(), timeout: d.RequestTimeout, limits: d.Limits,
		stepACR: d.StepUpACR, stepAge: d.StepUpMaxAge, proxies: d.TrustedProxies, stronger: d.StrongerMethodsURL, metrics: d.Metrics}
	if h.stepAge <= 0 {
		h.stepAge = 10 * time.Minute
	}
	if h.timeout <= 0 {
		h.timeout = 15 * time.Second
	}
	h.cookie = "mfa_session"
	if h.secure {
		// __Host- binds the cookie to this host, HTTPS and path /: no subdomain can set it.
		h.cookie = "__Host-mfa_session"
	}
	return h
}
