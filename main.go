// Command portal is the SMS MFA self-service portal: employees register their phone for
// PingOne SMS codes, help-desk staff fix registrations. `portal -demo` runs it against a
// built-in PingOne emulator.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/smsmfa/portal/cmd/app"
	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/internal/demo/seed"
	"github.com/smsmfa/portal/internal/logging"
	"github.com/smsmfa/portal/internal/preflight"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/internal/tracing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		// A configuration error has been listed, one problem a line: not again in one long line.
		if !errors.Is(err, errShown) {
			fmt.Fprintln(os.Stderr, "portal:", err)
		}
		os.Exit(1)
	}
}

// errShown marks an error run has already written out for the operator.
var errShown = errors.New("shown")

// shownError is an error run has written out already; it still unwraps to its cause.
type shownError struct{ err error }

func (e shownError) Error() string { return e.err.Error() }

func (e shownError) Unwrap() []error { return []error{e.err, errShown} }

// run starts the portal and serves until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "run against a built-in PingOne emulator with demo users")
	listen := fs.String("listen", "", "address to listen on (default LISTEN_ADDR, or 127.0.0.1:8080 with -demo)")
	demoSMS := fs.String("demo-sms", seed.DemoSMSEnabled, "with -demo, the demo MFA policy's SMS: enabled, pairing-disabled (phones can no longer be added: the phase-out pages) or off")
	check := fs.Bool("check", false, "check Redis and the PingOne tenant against the configuration, print one line per check, and exit (0 only when all pass)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: portal [-demo [-demo-sms enabled|pairing-disabled|off]] [-listen ADDR] [-check]\n\nEnvironment variables:")
		for _, v := range config.Variables {
			fmt.Fprintf(stderr, "  %-30s %s\n      %s\n", v.Name, v.Default, v.Meaning)
		}
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}

	var (
		cfg  *config.Config
		d    *seed.Demo
		ln   net.Listener
		err  error
		opts app.Options
	)
	if *demo {
		demoOpts, optErr := seed.DemoSMSOptions(*demoSMS)
		if optErr != nil {
			return optErr
		}
		addr := *listen
		if addr == "" {
			addr = "127.0.0.1:8080"
		}
		if ln, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("listen on %s: %w (try -listen 127.0.0.1:0 for a free port)", addr, err)
		}
		if d, err = seed.StartDemo(demoOpts); err != nil {
			ln.Close()
			return err
		}
		defer d.Emulator.Close()
		public := "http://" + ln.Addr().String()
		d.RegisterPortal(public)
		env := d.Env(public)
		cfg, err = config.Load(func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return getenv(k)
		})
		opts.Demo = d.Outbox()
	} else {
		cfg, err = config.Load(getenv)
	}
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		var ce *config.Error
		if errors.As(err, &ce) {
			fmt.Fprintln(stderr, "The configuration has problems:")
			for _, p := range ce.Problems {
				fmt.Fprintln(stderr, "  -", p)
			}
			fmt.Fprintln(stderr, "Run with -h for every variable, or -demo to try the portal without PingOne.")
			return shownError{err}
		}
		return err
	}
	log := logging.New(stderr, cfg.LogLevel)
	opts.Logger = log
	if cfg.RedisURL != "" {
		// go-redis's own messages (a failed dial) join the JSON logs; its logger is
		// process-wide, so it is set here once rather than by each portal Build makes.
		store.SetRedisLogger(log)
	}
	if *check {
		// Before Build: the check needs only the PingOne client, and an unreachable Redis must
		// not stop it before its first line.
		if ln != nil {
			ln.Close()
		}
		return preflightCheck(ctx, cfg, opts, stdout)
	}
	if cfg.OTLPEndpoint != "" {
		tp, err := tracing.New(ctx, cfg.OTLPEndpoint, buildVersion())
		if err != nil {
			return fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
		}
		defer func() {
			// The spans still in the batch go out before the process ends, within a bound.
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := tp.Shutdown(sctx); err != nil {
				log.Warn("traces not all sent at shutdown", "error", err.Error())
			}
		}()
		opts.TracerProvider = tp
		log.Info("traces", "endpoint", cfg.OTLPEndpoint)
	}
	portal, err := app.Build(cfg, opts)
	if err != nil {
		return err
	}
	defer portal.Store.Close()
	if ln == nil {
		addr := *listen
		if addr == "" {
			addr = cfg.Listen
		}
		if ln, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
	}
	srv := &http.Server{
		Handler:           portal.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 3)
	go func() { errc <- srv.Serve(ln) }()
	// Redis and PingOne are checked in the background, a few seconds apart, for /healthz/deps,
	// the metrics and the pages' "try again in a minute" while one is down.
	hctx, hcancel := context.WithCancel(ctx)
	defer hcancel()
	go portal.Health.Run(hctx)
	var msrv *http.Server
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", portal.Metrics.Handler())
		msrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- msrv.Serve(mln) }()
		log.Info("metrics", "addr", mln.Addr().String())
	}
	var psrv *http.Server
	if cfg.PprofAddr != "" {
		pln, err := net.Listen("tcp", cfg.PprofAddr)
		if err != nil {
			_ = srv.Close()
			if msrv != nil {
				_ = msrv.Close()
			}
			return fmt.Errorf("PPROF_ADDR %s: %w", cfg.PprofAddr, err)
		}
		// The profiler shows what the portal is doing (stacks, heap, CPU): an address of its
		// own, off unless asked for, never the metrics address that the whole cluster may scrape.
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		psrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- psrv.Serve(pln) }()
		log.Warn("profiler on", "addr", pln.Addr().String())
	}
	if d != nil {
		d.PrintBanner(stdout, "http://"+ln.Addr().String())
	}
	log.Info("portal started", "addr", ln.Addr().String(), "public_url", cfg.PublicURL.String(), "demo", d != nil)

	select {
	case err := <-errc:
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
		case err := <-errc:
			return err
		}
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if msrv != nil {
		_ = msrv.Close()
	}
	if psrv != nil {
		_ = psrv.Close()
	}
	if err := srv.Shutdown(sctx); err != nil {
		// Requests still running past the bound are cut off: a stop must not hang.
		log.Warn("shutdown timeout reached; closing the remaining connections", "error", err.Error())
		_ = srv.Close()
	}
	// Notices still being sent (internal/notice) get what is left of the bound to finish.
	waitNotices(sctx, portal.Notices)
	log.Info("stopped")
	return nil
}

// buildVersion is the module version the binary was built from, for the traces' service.version.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// preflightCheck runs `portal -check`: every check of the tenant's setup, one line each.
func preflightCheck(ctx context.Context, cfg *config.Config, opts app.Options, stdout io.Writer) error {
	client, err := app.NewPingOne(cfg, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Checking PingOne environment %s for %s\n", cfg.PingOneEnvironmentID, cfg.PublicURL)
	c := &preflight.Checker{Config: cfg, PingOne: client, HTTP: &http.Client{Timeout: cfg.PingOneTimeout}}
	if cfg.RedisURL != "" {
		// Opened without a first PING: the check's own lines say what is wrong with Redis.
		r, err := store.OpenRedis(cfg.RedisURL, cfg.RedisKeyPrefix)
		if err != nil {
			return fmt.Errorf("REDIS_URL: %w", err)
		}
		defer r.Close()
		c.Redis = r
	}
	if !preflight.Write(stdout, c.Run(ctx)) {
		return errors.New("the setup check failed: fix the lines marked FAIL and run it again")
	}
	return nil
}
