// Command pingone-emulator runs the PingOne emulator (package pingone/emulator) on its own, seeded as
// the portal's demo mode seeds it, for several portals at once and for people developing
// against PingOne without a tenant:
//
//	go run ./cmd/pingone-emulator [-listen 127.0.0.1:9000] [-redirect http://127.0.0.1:8080/auth/callback ...]
//
// -listen is the address to serve on, 127.0.0.1:9000 by default (127.0.0.1:0 picks a free
// port). -redirect, which may be repeated, registers a portal's sign-in callback URL with the
// web application; each one's origin plus "/" is registered as a sign-out URL.
//
// It seeds the emulator with seed.StartDemo, the very seed of `portal -demo`, and prints, one
// "name: value" a line, what a portal needs (docs/ui-contract.md): pingone-auth, pingone-api,
// environment-id, worker-client-id, worker-client-secret, web-client-id, web-client-secret,
// employee, helpdesk, helpdesk-phone and helpdesk-group-id. The employee
// (erin.employee@example.com) has no device; the help-desk user, hank.helpdesk, is in the
// "Help desk" group and has one active SMS phone (helpdesk-phone), so that step-ups work. The texts and emails
// it "sends" answer as JSON at {pingone-auth}/demo/sms and {pingone-auth}/demo/email. It serves
// until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/smsmfa/portal/internal/demo/seed"
)

// DefaultListen is the address the emulator serves on when -listen is not given.
const DefaultListen = "127.0.0.1:9000"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "pingone-emulator:", err)
		os.Exit(1)
	}
}

// redirects is the repeatable -redirect flag.
type redirects []string

func (r *redirects) String() string { return strings.Join(*r, ",") }

func (r *redirects) Set(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute http or https URL without a fragment", v)
	}
	*r = append(*r, v)
	return nil
}

// origin returns the scheme and host of a URL already checked by redirects.Set.
func origin(raw string) string {
	u, _ := url.Parse(raw)
	return u.Scheme + "://" + u.Host
}

// run starts the seeded emulator, prints its banner to stdout and serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pingone-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", DefaultListen, "address to serve on (127.0.0.1:0 picks a free port)")
	var redirs redirects
	fs.Var(&redirs, "redirect", "a portal's sign-in callback URL to register with the web app (repeatable)")
	sms := fs.String("sms", seed.DemoSMSEnabled, "the MFA policy's SMS: enabled, pairing-disabled (new phones cannot be added) or off")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}

	opts, err := seed.DemoSMSOptions(*sms)
	if err != nil {
		return err
	}
	opts.Addr = *listen
	opts.Logger = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	d, err := seed.StartDemo(opts)
	if err != nil {
		return fmt.Errorf("start the emulator on %s: %w", *listen, err)
	}
	defer d.Emulator.Close()

	var logouts []string
	for _, r := range redirs {
		if o := origin(r) + "/"; !slices.Contains(logouts, o) {
			logouts = append(logouts, o)
		}
	}
	d.RegisterWebApp(redirs, logouts)

	lines := []struct{ name, value string }{
		{"pingone-auth", d.Emulator.AuthBase()},
		{"pingone-api", d.Emulator.APIBase()},
		{"environment-id", d.Emulator.EnvironmentID()},
		{"worker-client-id", d.WorkerID},
		{"worker-client-secret", d.WorkerSecret},
		{"web-client-id", d.WebID},
		{"web-client-secret", d.WebSecret},
		{"employee", d.Employee + " / " + d.EmployeePass},
		{"helpdesk", d.Helpdesk + " / " + d.HelpdeskPass},
		// Before helpdesk-group-id, the line readers of this banner stop at.
		{"helpdesk-phone", d.HelpdeskPhone},
		{"helpdesk-group-id", d.HelpdeskGroup},
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(stdout, "%s: %s\n", l.name, l.value); err != nil {
			return fmt.Errorf("print the banner: %w", err)
		}
	}
	if len(redirs) == 0 {
		fmt.Fprintln(stderr, "pingone-emulator: no -redirect given: no portal can sign people in until one is registered")
	}
	<-ctx.Done()
	return nil
}
