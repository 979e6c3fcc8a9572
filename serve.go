package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/smsmfa/portal/cmd/app"
	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/internal/demo/seed"
)

// listen opens the public address: the -listen flag, else LISTEN_ADDR.
func listen(flagAddr, cfgAddr string) (net.Listener, error) {
	addr := flagAddr
	if addr == "" {
		addr = cfgAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// servers are the portal's HTTP servers: the public one, and metrics and the profiler when
// configured; errc hears from each when it stops serving.
type servers struct {
	public, metrics, pprof *http.Server
	errc                   chan error
}

// serve serves the portal on ln, runs the background health checks, serves metrics and the
// profiler when configured, and stops gracefully when ctx ends.
func serve(ctx context.Context, cfg *config.Config, portal *app.Portal, ln net.Listener, d *seed.Demo, stdout io.Writer, log *slog.Logger) error {
	s := &servers{errc: make(chan error, 3), public: &http.Server{
		Handler:           portal.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}}
	go func() { s.errc <- s.public.Serve(ln) }()
	// Redis and PingOne are checked in the background, a few seconds apart, for /healthz/deps,
	// the metrics and the pages' "try again in a minute" while one is down.
	hctx, hcancel := context.WithCancel(ctx)
	defer hcancel()
	go portal.Health.Run(hctx)
	var at net.Addr
	var err error
	if s.metrics, at, err = s.serveOn(cfg.MetricsAddr, "METRICS_ADDR", metricsMux(portal.Metrics.Handler())); err != nil {
		return err
	} else if at != nil {
		log.Info("metrics", "addr", at.String())
	}
	if s.pprof, at, err = s.serveOn(cfg.PprofAddr, "PPROF_ADDR", pprofMux()); err != nil {
		return err
	} else if at != nil {
		log.Warn("profiler on", "addr", at.String())
	}
	if d != nil {
		d.PrintBanner(stdout, "http://"+ln.Addr().String())
	}
	log.Info("portal started", "addr", ln.Addr().String(), "public_url", cfg.PublicURL.String(), "demo", d != nil)
	return s.shutdown(ctx, cfg, portal, log)
}

// metricsMux serves Prometheus metrics from h.
func metricsMux(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return mux
}

// pprofMux serves Go's profiler. The profiler shows what the portal is doing (stacks, heap,
// CPU): an address of its own, off unless asked for, never the metrics address that the whole
// cluster may scrape.
func pprofMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// serveOn serves h at addr, named name (its setting) when it cannot listen, and returns the
// server and the address it listens on; nil when addr is unset. When it cannot listen, the
// servers started so far close.
func (s *servers) serveOn(addr, name string, h http.Handler) (*http.Server, net.Addr, error) {
	if addr == "" {
		return nil, nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.close()
		return nil, nil, fmt.Errorf("%s %s: %w", name, addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { s.errc <- srv.Serve(ln) }()
	return srv, ln.Addr(), nil
}

// close closes the servers started so far at once, connections and all.
func (s *servers) close() {
	for _, srv := range []*http.Server{s.public, s.metrics, s.pprof} {
		if srv != nil {
			_ = srv.Close()
		}
	}
}

// shutdown waits for ctx to end (or a server to fail), then stops gracefully: /readyz at 503,
// DRAIN_DELAY, the requests in flight and the notices being sent given SHUTDOWN_TIMEOUT.
func (s *servers) shutdown(ctx context.Context, cfg *config.Config, portal *app.Portal, log *slog.Logger) error {
	select {
	case err := <-s.errc:
		return err
	case <-ctx.Done():
	}
	// /readyz answers 503 from now on; with DRAIN_DELAY the portal goes on serving meanwhile,
	// so that the load balancer stops sending people here before the listener closes.
	portal.Health.Drain()
	if cfg.DrainDelay > 0 {
		log.Info("draining", "delay", cfg.DrainDelay.String())
		select {
		case <-time.After(cfg.DrainDelay):
		case err := <-s.errc:
			return err
		}
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	for _, srv := range []*http.Server{s.metrics, s.pprof} {
		if srv != nil {
			_ = srv.Close()
		}
	}
	if err := s.public.Shutdown(sctx); err != nil {
		// Requests still running past the bound are cut off: a stop must not hang.
		log.Warn("shutdown timeout reached; closing the remaining connections", "error", err.Error())
		_ = s.public.Close()
	}
	// Notices still being sent (internal/notice) get what is left of the bound to finish.
	waitNotices(sctx, portal.Notices)
	log.Info("stopped")
	return nil
}
