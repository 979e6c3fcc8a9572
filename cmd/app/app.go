// Package app wires the portal together from a Config: the PingOne client, sign-in, the rules
// and the handlers (app.go), the health checks (health.go) and the notices (notices.go). main.go
// calls it; so do the end-to-end tests. It lives under cmd/, not internal/, because it composes
// every package, the top-level handlers included, and nothing under internal/ may import the
// top level: the arrows run from the wiring down. Demo mode's seeded emulator is
// internal/demo/seed.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/smsmfa/portal/handlers"
	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/auth"
	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/internal/demo"
	"github.com/smsmfa/portal/internal/health"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/metrics"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/notice"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/internal/tracing"
	"github.com/smsmfa/portal/pingone"
)

// Options are what the configuration does not hold.
type Options struct {
	Logger *slog.Logger
	// Demo is the emulator's outbox in demo mode (Demo.Outbox), or nil.
	Demo demo.Outbox
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TracerProvider receives a span per request and per PingOne call; nil makes none.
	TracerProvider trace.TracerProvider
}

// Portal is the built application.
type Portal struct {
	Handler http.Handler
	PingOne *pingone.Client
	Metrics *metrics.Metrics
	// Store holds the limits and sessions; Close it when the portal stops.
	Store store.Store
	// Notices sends the notices to people (nil when off); Wait for it when the portal stops.
	Notices *notice.Sender
	// Health is this instance's readiness and its dependencies' state: Run it for the
	// background checks (main does), Drain it when stopping.
	Health *health.Monitor
}

// openStore returns the store the configuration asks for: Redis at REDIS_URL, or one in
// memory. Redis is asked once now, so that a wrong address or password is in the log at start;
// unreachable, the portal starts anyway, serves "try again in a minute" and recovers by itself
// when Redis comes (the client reconnects on its own), rather than exiting into a crash loop.
func openStore(ctx context.Context, cfg *config.Config, o Options) (store.Store, error) {
	if cfg.RedisURL == "" {
		return store.NewMemory(store.MemoryOptions{Now: o.Now}), nil
	}
	st, err := store.OpenRedis(cfg.RedisURL, cfg.RedisKeyPrefix)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	if err := st.Ping(ctx); err != nil && o.Logger != nil {
		o.Logger.Warn("Redis does not answer at start: serving \"try again in a minute\" until it does",
			"problem", store.RedisProblem(err), "error", err.Error())
	}
	return st, nil
}

// NewPingOne returns the PingOne client the configuration describes, with no metrics and no
// store: what `portal -check` needs, so that it runs (and reports) before anything else opens.
func NewPingOne(cfg *config.Config, o Options) (*pingone.Client, error) {
	return newPingOne(cfg, o, pingone.NewHTTPClient(), nil)
}

// newPingOne builds the PingOne client on hc (whose transport Build shares with sign-in);
// m, when not nil, is told of every call.
func newPingOne(cfg *config.Config, o Options, hc *http.Client, m *metrics.Metrics) (*pingone.Client, error) {
	hc.Timeout = cfg.PingOneTimeout
	cc := pingone.Config{
		EnvironmentID: cfg.PingOneEnvironmentID, Region: cfg.PingOneRegion,
		APIBase: cfg.PingOneAPIBase, AuthBase: cfg.PingOneAuthBase,
		ClientID: cfg.WorkerClientID, ClientSecret: cfg.WorkerClientSecret, AuthStyle: cfg.WorkerTokenAuth, Now: o.Now,
		HTTPClient: hc, Logger: o.Logger, RetryWaitMax: 2 * time.Second, MaxRPS: cfg.PingOneMaxRPS,
		DevicePolicyID: cfg.DevicePolicyID,
		Tracer:         tracing.Tracer(o.TracerProvider),
	}
	if m != nil {
		cc.Observe, cc.ObserveQueue, cc.ObserveQueued = m.PingOne, m.PingOneQueue, m.PingOneQueued
	}
	client, err := pingone.New(cc)
	if err != nil {
		return nil, fmt.Errorf("PingOne client: %w", err)
	}
	return client, nil
}

// Build assembles the portal.
func Build(cfg *config.Config, o Options) (*Portal, error) {
	m := metrics.New()
	hc := pingone.NewHTTPClient()
	client, err := newPingOne(cfg, o, hc, m)
	if err != nil {
		return nil, err
	}
	policy, err := phone.NewPolicy(cfg.AllowedRegions)
	if err != nil {
		return nil, err
	}
	signIn := hc.Transport
	if o.TracerProvider != nil {
		signIn = pingone.TracedTransport(signIn, tracing.Tracer(o.TracerProvider))
	}
	rp := auth.New(auth.Config{Issuer: client.Issuer(), ClientID: cfg.WebClientID, ClientSecret: cfg.WebClientSecret,
		RedirectURL: cfg.RedirectURL(), HTTPClient: &http.Client{Timeout: cfg.PingOneTimeout, Transport: pingone.WithTransactionID(signIn)}})
	authOrigin := ""
	if u, err := url.Parse(client.AuthBase()); err == nil {
		authOrigin = u.Scheme + "://" + u.Host
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	raw, err := openStore(ctx, cfg, o)
	cancel()
	if err != nil {
		return nil, err
	}
	// Every part of the portal uses the store through Observed, which counts its failures; the
	// Portal keeps the store itself, to close it.
	st := store.Observed(raw, m.StoreError)
	mon := newMonitor(cfg, o, m, raw, client, &http.Client{Timeout: cfg.PingOneTimeout, Transport: hc.Transport})
	lim := limits.New(st, cfg.Limits)
	staff := helpdesk.NewChecker(client, cfg.HelpdeskGroups, 30*time.Second, o.Now).Protecting(cfg.HelpdeskProtectedGroups)
	svc := mfa.New(client, policy, mfa.Options{DevicePolicyID: cfg.DevicePolicyID, Logger: o.Logger, Now: o.Now, Limits: lim,
		StepUp: mfa.StepUp{ACR: cfg.StepUpACR, MaxAge: cfg.StepUpMaxAge}, Cache: st,
		Privileged: staff.IsPrivileged, FirstPhoneProof: cfg.FirstPhoneProof, Texted: m.TextSent})
	notices := newNotices(cfg, o, client)
	if notices != nil {
		m.Notices(notices.Counts)
	}
	h := handlers.New(handlers.Deps{
		Services: handlers.Services{PingOne: client, MFA: svc, RP: rp, Limits: lim, Store: st, Audit: audit.New(o.Logger, o.Now),
			Staff: staff, Directory: helpdesk.New(client),
			Callers: helpdesk.NewCallers(client, st, helpdesk.CallerOptions{TTL: cfg.HelpdeskVerificationTTL, Now: o.Now, Limits: lim,
				NewPhoneWait: cfg.HelpdeskNewPhoneWait}),
			Protector: helpdesk.NewProtector(cfg.HelpdeskGroups, cfg.HelpdeskProtectedGroups), Notices: notices},
		Sessions: session.NewManager(session.Options{Secrets: cfg.SessionKeys, Secure: cfg.Secure(),
			Idle: cfg.SessionIdleTimeout, Max: cfg.SessionMaxAge, Now: o.Now, Store: st, Unopened: unopenedCookie(m, o.Logger)}),
		Site: handlers.Site{PublicURL: cfg.PublicURL, AuthOrigin: authOrigin, TrustedProxies: cfg.TrustedProxies,
			DefaultRegion: cfg.DefaultRegion, DefaultLanguage: cfg.DefaultLanguage, StrongerMethodsURL: cfg.StrongerMethodsURL,
			AlternativeMethodsURL: cfg.AlternativeMethodsURL,
			ReasonRequired:        cfg.HelpdeskReasonRequired, HelpdeskStepUpMaxAge: cfg.HelpdeskStepUpMaxAge, Demo: o.Demo,
			FirstPhoneProof: cfg.FirstPhoneProof, BypassMax: cfg.HelpdeskBypassMax, AllowMFAOff: cfg.HelpdeskAllowMFAOff},
		Ops: handlers.Ops{Logger: o.Logger, Metrics: m, Now: o.Now, RequestTimeout: cfg.PingOneTimeout + 5*time.Second,
			Health: mon, MaxInFlight: cfg.MaxInFlight, Tracer: requestTracer(o.TracerProvider)},
	})
	return &Portal{Handler: h.Routes(), PingOne: client, Metrics: m, Store: raw, Health: mon, Notices: notices}, nil
}

// requestTracer is the tracer of the portal's request spans, or nil when tracing is off (no
// OTEL_EXPORTER_OTLP_ENDPOINT): the handlers then leave the tracing middleware out.
func requestTracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		return nil
	}
	return tracing.Tracer(tp)
}
