package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/smsmfa/portal/handlers"
	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/internal/health"
	"github.com/smsmfa/portal/internal/metrics"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// How often each dependency is checked, at most: Redis every 2 s (one SET, GET and DEL), PingOne
// every 5 s (its discovery document, fetched afresh, and the worker token).
const (
	redisCheckEvery   = 2 * time.Second
	pingOneCheckEvery = 5 * time.Second
)

// newMonitor returns the health monitor of this instance's dependencies: Redis when REDIS_URL
// is set, and PingOne.
func newMonitor(cfg *config.Config, o Options, m *metrics.Metrics, st store.Store, client *pingone.Client, hc *http.Client) *health.Monitor {
	var checks []health.Check
	if r, ok := st.(*store.Redis); ok {
		checks = append(checks, health.Check{Name: handlers.DepRedis, Every: redisCheckEvery, Timeout: 1500 * time.Millisecond,
			Run: r.RoundTrip, Problem: store.RedisProblem})
	}
	checks = append(checks, health.Check{Name: handlers.DepPingOne, Every: pingOneCheckEvery, Timeout: 4 * time.Second,
		Run: func(ctx context.Context) error {
			if err := discovery(ctx, hc, client.Issuer()); err != nil {
				return err
			}
			return client.CheckToken(ctx)
		}, Problem: pingOneProblem})
	// Real time, not o.Now: the checks run every few real seconds whatever a test's clock says.
	return health.New(health.Options{Logger: o.Logger, Observe: func(name string, up bool, at time.Time) {
		m.Dependency(name, up, float64(at.UnixNano())/1e9)
	}}, checks...)
}

// discovery fetches PingOne's OpenID discovery document afresh (sign-in keeps its own copy, so
// a cached one would say nothing) and checks it names the issuer.
func discovery(ctx context.Context, hc *http.Client, issuer string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &pingone.NetError{Method: http.MethodGet, Path: "/.well-known/openid-configuration", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return &discoveryError{status: resp.StatusCode}
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil || doc.Issuer != issuer {
		return &discoveryError{status: resp.StatusCode, issuer: doc.Issuer}
	}
	return nil
}

type discoveryError struct {
	status int
	issuer string
}

func (e *discoveryError) Error() string {
	if e.status != http.StatusOK {
		return fmt.Sprintf("pingone: discovery answered %d", e.status)
	}
	return fmt.Sprintf("pingone: discovery names issuer %q, not the configured one", e.issuer)
}

// pingOneProblem sorts a failed PingOne check into a few words for /healthz/deps: "timeout",
// "worker token refused", "discovery failed", "unreachable" (nothing answers at the address),
// "rate limited" or "unavailable".
func pingOneProblem(err error) string {
	var de *discoveryError
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		// Slow, not gone: under a surge a check may wait its turn.
		return "timeout"
	case pingone.IsTokenRefused(err):
		return "worker token refused"
	case errors.As(err, &de):
		return "discovery failed"
	case pingone.IsUnreachable(err):
		return "unreachable"
	case pingone.IsRateLimited(err):
		return "rate limited"
	}
	return "unavailable"
}

// unopenedCookie is the session manager's hook for a cookie no key in SESSION_KEYS opens: it
// is counted, and logged at WARN at most once a minute (with how many since the last line), so
// that instances with different keys show up without one line per request.
func unopenedCookie(m *metrics.Metrics, log *slog.Logger) func(context.Context) {
	every := rate.Sometimes{First: 1, Interval: time.Minute}
	// How many since the last line.
	var n atomic.Int64
	return func(ctx context.Context) {
		m.CookieUnopened()
		n.Add(1)
		if log == nil {
			return
		}
		every.Do(func() {
			log.WarnContext(ctx, "a session cookie that no key in SESSION_KEYS opens: the person starts again without a session",
				"count", n.Swap(0), "fix", "give every instance the same SESSION_KEYS; when rotating, keep the old key after the new one until the old cookies have expired (SESSION_MAX_AGE)")
		})
	}
}
