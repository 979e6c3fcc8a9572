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
	"log/slog"
	"net"
	"net/http"
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

// run starts the portal and serves until ctx ends, then shuts down gracefully: the flags, the
// demo (when asked for), the configuration, the portal and its servers, and the shutdown.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	var (
		d  *seed.Demo
		ln net.Listener
	)
	if f.demo {
		if d, ln, err = openDemo(f); err != nil {
			return err
		}
		defer d.Emulator.Close()
		getenv = demoEnv(d, ln, getenv)
	}
	cfg, err := loadConfig(getenv, stderr)
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		return err
	}
	opts := options(cfg, d, stderr)
	log := opts.Logger
	if f.check {
		// Before Build: the check needs only the PingOne client, and an unreachable Redis must
		// not stop it before its first line.
		if ln != nil {
			ln.Close()
		}
		return preflightCheck(ctx, cfg, opts, stdout)
	}
	if cfg.OTLPEndpoint != "" {
		stopTraces, err := startTraces(ctx, cfg, log, &opts)
		if err != nil {
			return err
		}
		defer stopTraces()
	}
	portal, err := app.Build(cfg, opts)
	if err != nil {
		return err
	}
	defer portal.Store.Close()
	if ln == nil {
		if ln, err = listen(f.listen, cfg.Listen); err != nil {
			return err
		}
	}
	return serve(ctx, cfg, portal, ln, d, stdout, log)
}

// options are what Build needs besides the configuration: the JSON logger on stderr, and the
// demo's outbox in demo mode.
func options(cfg *config.Config, d *seed.Demo, stderr io.Writer) app.Options {
	opts := app.Options{Logger: logging.New(stderr, cfg.LogLevel)}
	if d != nil {
		opts.Demo = d.Outbox()
	}
	if cfg.RedisURL != "" {
		// go-redis's own messages (a failed dial) join the JSON logs; its logger is
		// process-wide, so it is set here once rather than by each portal Build makes.
		store.SetRedisLogger(opts.Logger)
	}
	return opts
}

// flags are the command line's choices.
type flags struct {
	demo, check     bool
	listen, demoSMS string
}

// parseFlags reads the command line; -h lists every configuration variable too.
func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&f.demo, "demo", false, "run against a built-in PingOne emulator with demo users")
	fs.StringVar(&f.listen, "listen", "", "address to listen on (default LISTEN_ADDR, or 127.0.0.1:8080 with -demo)")
	fs.StringVar(&f.demoSMS, "demo-sms", seed.DemoSMSEnabled, "with -demo, the demo MFA policy's SMS: enabled, pairing-disabled (phones can no longer be added: the phase-out pages) or off")
	fs.BoolVar(&f.check, "check", false, "check Redis and the PingOne tenant against the configuration, print one line per check, and exit (0 only when all pass)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: portal [-demo [-demo-sms enabled|pairing-disabled|off]] [-listen ADDR] [-check]\n\nEnvironment variables:")
		for _, v := range config.Variables {
			fmt.Fprintf(stderr, "  %-30s %s\n      %s\n", v.Name, v.Default, v.Meaning)
		}
		fs.PrintDefaults()
	}
	return f, fs.Parse(args)
}

// openDemo listens first, so that the seeded emulator knows the portal's address, then starts
// the emulator with the web app registered for it; Close the emulator when done.
func openDemo(f flags) (*seed.Demo, net.Listener, error) {
	demoOpts, err := seed.DemoSMSOptions(f.demoSMS)
	if err != nil {
		return nil, nil, err
	}
	addr := f.listen
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on %s: %w (try -listen 127.0.0.1:0 for a free port)", addr, err)
	}
	d, err := seed.StartDemo(demoOpts)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	d.RegisterPortal("http://" + ln.Addr().String())
	return d, ln, nil
}

// demoEnv is getenv with the variables that point the portal at the demo's emulator.
func demoEnv(d *seed.Demo, ln net.Listener, getenv func(string) string) func(string) string {
	env := d.Env("http://" + ln.Addr().String())
	return func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return getenv(k)
	}
}

// loadConfig reads the configuration; its problems are listed on stderr one a line, and the
// error returned is then marked as shown.
func loadConfig(getenv func(string) string, stderr io.Writer) (*config.Config, error) {
	cfg, err := config.Load(getenv)
	var ce *config.Error
	if err == nil || !errors.As(err, &ce) {
		return cfg, err
	}
	fmt.Fprintln(stderr, "The configuration has problems:")
	for _, p := range ce.Problems {
		fmt.Fprintln(stderr, "  -", p)
	}
	fmt.Fprintln(stderr, "Run with -h for every variable, or -demo to try the portal without PingOne.")
	return nil, shownError{err}
}

// startTraces sends the portal's traces to the OTLP endpoint; the function it returns sends
// the spans still in the batch, within a bound, when the portal stops.
func startTraces(ctx context.Context, cfg *config.Config, log *slog.Logger, opts *app.Options) (func(), error) {
	tp, err := tracing.New(ctx, cfg.OTLPEndpoint, buildVersion())
	if err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	opts.TracerProvider = tp
	log.Info("traces", "endpoint", cfg.OTLPEndpoint)
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(sctx); err != nil {
			log.Warn("traces not all sent at shutdown", "error", err.Error())
		}
	}, nil
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
