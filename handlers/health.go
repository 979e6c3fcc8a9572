package handlers

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// readyCache keeps /readyz from turning every probe into PingOne calls.
type readyCache struct {
	mu      sync.Mutex
	checked time.Time
	err     error
}

// healthz answers while the process is up.
func (h *Handler) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz answers 200 when the shared store answers, PingOne's discovery answers and a worker
// token can be had. The store is asked on every probe (one PING), so that an instance leaves
// the load balancer as soon as Redis is gone and comes back as soon as it returns.
func (h *Handler) readyz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if h.svc.Store != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		err := h.svc.Store.Ping(ctx)
		cancel()
		if err != nil {
			h.log().WarnContext(ctx, "not ready: store unreachable", "error", err.Error())
			return c.String(http.StatusServiceUnavailable, "not ready: the shared store (Redis) is unreachable\n")
		}
	}
	h.ready.mu.Lock()
	defer h.ready.mu.Unlock()
	// A healthy answer is kept 5 s, a failure 1 s, so recovery shows at once.
	keep := 5 * time.Second
	if h.ready.err != nil {
		keep = time.Second
	}
	if h.now().Sub(h.ready.checked) > keep {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		err := h.svc.RP.Ready(ctx)
		if err == nil {
			err = h.svc.PingOne.CheckToken(ctx)
		}
		h.ready.checked, h.ready.err = h.now(), err
		if err != nil {
			h.log().WarnContext(ctx, "not ready", "error", err.Error())
		}
	}
	if h.ready.err != nil {
		return c.String(http.StatusServiceUnavailable, "not ready: PingOne unreachable or worker token refused\n")
	}
	return c.String(http.StatusOK, "ready\n")
}
