// Package handlers is the portal's HTTP layer: Echo routes (all in routes.go) that read the
// request, call the rules (internal/mfa, internal/helpdesk) and PingOne, and render views. It
// decides nothing itself. There is one file per action, named for it: sign_in.go, phone_add.go,
// phone_verify.go, helpdesk_search.go and so on. The phone actions serve both the person
// (/devices/...) and help-desk staff acting for a user (/helpdesk/users/:uid/...): actor.go
// says who acts and for whom, and the flows differ only in wording, links and audit fields.
// Every sentence shown comes from the message catalog (internal/messages).
package handlers

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"time"

	"go.opentelemetry.io/otel/trace"
	"golang.org/x/time/rate"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/auth"
	"github.com/smsmfa/portal/internal/demo"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/health"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/metrics"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/notice"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/static"
)

// PingOne is the part of the PingOne client the handlers call directly (the rest goes through
// the rules).
type PingOne interface {
	GetUser(ctx context.Context, userID string, withGroups bool) (*pingone.User, error)
}

// Services are the rules and the outside services the handlers call.
type Services struct {
	PingOne PingOne
	MFA     *mfa.Service
	RP      *auth.RP
	// Staff decides who is help-desk staff; Directory finds users for them.
	Staff     *helpdesk.Checker
	Directory *helpdesk.Directory
	// Callers keeps caller checks and approvals; Protector says whom staff may change.
	Callers   *helpdesk.Callers
	Protector *helpdesk.Protector
	Audit     *audit.Logger
	// Limits counts sign-ins per client network.
	Limits *limits.Limiter
	// Store is the state shared by every instance (limits, sessions); /readyz pings it.
	Store store.Store
	// Notices tells people by email of changes to their phones or MFA; nil sends none.
	Notices *notice.Sender
}

// Site is how the portal is reached and what it shows.
type Site struct {
	PublicURL *url.URL
	// AuthOrigin is PingOne's auth origin, allowed as a form target (sign-out redirects there).
	AuthOrigin string
	// TrustedProxies are the only peers whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	DefaultRegion  string
	// DefaultLanguage is the pages' language when nothing else chooses one (a BCP 47 tag).
	DefaultLanguage string
	// StrongerMethodsURL is linked from the note about SMS.
	StrongerMethodsURL string
	// AlternativeMethodsURL, when set, is offered before the add-phone form and on the page
	// that says new phones are turned off.
	AlternativeMethodsURL string
	// ReasonRequired makes a reason or ticket mandatory for help-desk actions.
	ReasonRequired bool
	// HelpdeskStepUpMaxAge is how recent a staff member's MFA sign-in must be for /helpdesk.
	HelpdeskStepUpMaxAge time.Duration
	// FirstPhoneProof is "email" when a first phone needs a code emailed to the person first.
	FirstPhoneProof string
	// Demo, when set, serves /demo/sms from the emulator's outbox and shows the demo banner.
	Demo demo.Outbox
	// BypassMax is the longest temporary access the help desk may give; AllowMFAOff still
	// offers turning MFA off with no end (issue #23).
	BypassMax   time.Duration
	AllowMFAOff bool
}

// Ops are the logger, metrics and clock.
type Ops struct {
	Logger *slog.Logger
	// Metrics records requests; nil records nothing.
	Metrics *metrics.Metrics
	Now     func() time.Time
	// RequestTimeout bounds all the PingOne work of one request (retries included).
	RequestTimeout time.Duration
	// Health reports this instance's readiness and its dependencies; nil reports none.
	Health *health.Monitor
	// MaxInFlight caps the requests worked on at once (0: no cap).
	MaxInFlight int
	// Tracer makes a span per request (tracing.go); nil records nothing, and then the tracing
	// middleware is not installed at all, so requests pay nothing for tracing that is off.
	Tracer trace.Tracer
}

// Deps are the handler's dependencies, in four groups.
type Deps struct {
	Services Services
	Sessions *session.Manager
	Site     Site
	Ops      Ops
}

// Handler serves every route.
type Handler struct {
	svc    Services
	sess   *session.Manager
	site   Site
	ops    Ops
	assets *static.Set
	shared pageCache
	busy   inFlight
}

// New returns a Handler.
func New(d Deps) *Handler {
	if d.Ops.Now == nil {
		d.Ops.Now = time.Now
	}
	if d.Ops.RequestTimeout <= 0 {
		d.Ops.RequestTimeout = 15 * time.Second
	}
	h := &Handler{svc: d.Services, sess: d.Sessions, site: d.Site, ops: d.Ops,
		assets: static.Load(phone.BrowserFiles())}
	h.busy.every = rate.Sometimes{First: 1, Interval: 10 * time.Second}
	return h
}

func (h *Handler) log() *slog.Logger     { return h.ops.Logger }
func (h *Handler) now() time.Time        { return h.ops.Now() }
func (h *Handler) policy() *phone.Policy { return h.svc.MFA.Policy() }

// reasons is the rule for when a change must carry a reason or ticket (internal/form): asked
// by the pages that show the field and by the checks alike.
func (h *Handler) reasons() form.ReasonRule { return form.ReasonRule{ForAll: h.site.ReasonRequired} }
