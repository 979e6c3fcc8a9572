package handlers

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/smsmfa/portal/internal/health"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/static"
)

// Dependency names, in /healthz/deps and the portal_dependency_up metric.
const (
	DepRedis   = "redis"
	DepPingOne = "pingone"
)

// healthz answers while the process is up.
func (h *Handler) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz says whether this instance can serve: it is started and configured (it would not
// answer otherwise) and not draining. It does not ask Redis or PingOne: every instance shares
// them, so an outage would take every instance out of the load balancer at once and people
// would read the balancer's bare error instead of the portal's "try again in a minute" page.
// The dependencies are reported apart, at /healthz/deps and in metrics.
func (h *Handler) readyz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if h.ops.Health != nil && h.ops.Health.Draining() {
		return c.String(http.StatusServiceUnavailable, "draining\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

// depsReport is /healthz/deps's answer.
type depsReport struct {
	// Status is "ok" when every dependency is up, "degraded" otherwise.
	Status       string                   `json:"status"`
	Draining     bool                     `json:"draining"`
	Dependencies map[string]health.Status `json:"dependencies"`
}

// healthzDeps reports each dependency as this instance last found it (checked again when the
// result is older than a few seconds): 200 when all are up, 503 when one is down. For
// dashboards and alerts, never for a readiness probe. The JSON says what failed in a few
// words; the error itself is in the log.
func (h *Handler) healthzDeps(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	r := depsReport{Status: "ok", Dependencies: map[string]health.Status{}}
	if h.ops.Health != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
		r.Dependencies = h.ops.Health.Report(ctx)
		cancel()
		r.Draining = h.ops.Health.Draining()
	}
	for _, st := range r.Dependencies {
		if !st.Up {
			r.Status = "degraded"
		}
	}
	code := http.StatusOK
	if r.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	return c.JSON(code, r)
}

// probe reports whether the request is a health probe, which no limit or outage turns away.
func probe(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/healthz" || p == "/readyz" || p == "/healthz/deps"
}

// exempt reports whether the request is one that the in-flight cap and the outage pages let
// through: health probes, and static files (cheap, and the "try again" page needs its CSS).
func exempt(c echo.Context) bool {
	return probe(c) || strings.HasPrefix(c.Request().URL.Path, static.Prefix)
}

// dependencyGate answers at once with the "try again in a minute" page (503, Retry-After)
// while this instance's last check found Redis or PingOne down for certain, instead of letting
// each request wait for its own timeout; probes and static files pass. Only a definite answer
// counts (nothing listens, a read-only replica, a refused password): a check that was merely
// slow, as under a surge, must not turn a slow dependency into every page refused. Requests
// that do get through and fail get the same words from the error handler.
func (h *Handler) dependencyGate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h.ops.Health == nil || exempt(c) {
			return next(c)
		}
		var e *Error
		switch {
		case gateRedis[h.ops.Health.Problem(DepRedis)]:
			e = fail(http.StatusServiceUnavailable, messages.ErrorStoreDown, messages.ErrorStoreDownText, again(c), messages.ActionTryAgain,
				errDependencyDown(DepRedis))
		case gatePingOne[h.ops.Health.Problem(DepPingOne)]:
			e = fail(http.StatusServiceUnavailable, messages.ErrorUnreachable, messages.ErrorUnreachableText, again(c), messages.ActionTryAgain,
				errDependencyDown(DepPingOne))
		default:
			return next(c)
		}
		e.RetryAfter, e.Quiet = 30, true // the monitor logged the outage when it began
		return e
	}
}

// The problems (as /healthz/deps words them) that the dependency gate answers for at once.
var (
	gateRedis   = map[string]bool{"unreachable": true, "read-only": true, "password": true, "permission": true, "memory": true}
	gatePingOne = map[string]bool{"unreachable": true}
)

// again is where "Try again" leads from a page refused before any work: the same page for a
// GET (nothing was done, so asking again is safe), the phone list after a form.
func again(c echo.Context) string {
	if c.Request().Method == http.MethodGet {
		if p := localPath(c.Request().URL.RequestURI()); p != "" {
			return p
		}
	}
	return toDevices
}

type errDependencyDown string

func (e errDependencyDown) Error() string {
	return string(e) + " is down (GET /healthz/deps): answered without trying"
}

// inFlight counts the requests this instance is working on, and those turned away since the
// last log line about them.
type inFlight struct {
	n, shed atomic.Int64
	// every paces the log line about requests turned away.
	every rate.Sometimes
}

// limitInFlight turns a request away at once with the "try again in a minute" page (503,
// Retry-After) when MaxInFlight requests are in flight already: past that, each more costs
// memory the instance does not have (BENCHMARKS.md) and answers slower for everyone. Probes
// and static files are never counted nor turned away.
func (h *Handler) limitInFlight(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h.ops.MaxInFlight <= 0 || exempt(c) {
			return next(c)
		}
		if n := h.busy.n.Add(1); n > int64(h.ops.MaxInFlight) {
			h.busy.n.Add(-1)
			h.ops.Metrics.Shed()
			h.busy.shed.Add(1)
			h.busy.every.Do(func() {
				h.log().WarnContext(c.Request().Context(), "at MAX_IN_FLIGHT: turning requests away with \"try again in a minute\"",
					"max_in_flight", h.ops.MaxInFlight, "turned_away", h.busy.shed.Swap(0),
					"fix", "add instances (or raise MAX_IN_FLIGHT within the memory limit: README, Sizing an instance)")
			})
			e := fail(http.StatusServiceUnavailable, messages.ErrorOverloaded, messages.ErrorOverloadedText, again(c), messages.ActionTryAgain,
				errOverloaded)
			e.RetryAfter, e.Quiet = 30, true
			return e
		}
		h.ops.Metrics.InFlight(1)
		defer func() {
			h.busy.n.Add(-1)
			h.ops.Metrics.InFlight(-1)
		}()
		return next(c)
	}
}

type overloaded struct{}

func (overloaded) Error() string { return "MAX_IN_FLIGHT requests in flight: turned away at once" }

var errOverloaded error = overloaded{}
