// Command loadtest runs N simulated employees through the whole journey at once (sign in,
// add a phone, type the texted code) against the portal, built and started as its own
// process, and an in-process PingOne emulator with a set latency and failure rate. It
// reports journeys per second, latency per step, errors, token requests, PingOne calls per
// journey, the portal's CPU time and allocations per journey and its peak memory, and checks
// that PingOne ends with exactly one active phone per employee.
//
// With -page it measures instead what the portal's stack costs on its lightest answers: the
// signed-out page and /healthz, requested through the portal and through a bare net/http
// server (its own process too) answering with the very bytes the portal sent, in alternating
// rounds, reported side by side and as a ratio.
//
// With -floor it also runs the same journeys through a floor server: a bare net/http server
// (its own process) that makes the portal's PingOne calls for each request, with the portal's
// HTTP client, to a stand-in with the same latency, and answers with the portal's pages and
// redirects, and does nothing else. Its CPU and memory are what the journey's HTTP exchanges
// alone cost, side by side with the portal's.
//
// With -instances N it runs the journeys against one portal and then N portals sharing one
// Redis (a redis-server it starts), balancing every request round robin, side by side.
//
//	go run ./cmd/loadtest -n 500 -latency 50ms
//	go run ./cmd/loadtest -n 500 -latency 50ms -fail 0.1
//	go run ./cmd/loadtest -page -requests 20000 -c 32
//	go run ./cmd/loadtest -n 500 -latency 50ms -floor
//	go run ./cmd/loadtest -n 500 -latency 50ms -instances 2  # 1 against 2 portals on one Redis
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

func main() {
	if dir := os.Getenv(bareEnv); dir != "" {
		// Started by -page as the bare server.
		if err := serveBare(dir); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest bare server:", err)
			os.Exit(1)
		}
		return
	}
	if up := os.Getenv(floorEnv); up != "" {
		// Started by -floor as the floor server.
		if err := serveFloor(up); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest floor server:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type options struct {
	n        int
	latency  time.Duration
	fail     float64
	portal   string
	retries  int
	deadline time.Duration
	// -page mode
	page     bool
	requests int
	conc     int
	rounds   int
	// -floor mode
	floor       bool
	floorAnswer int
	// serverEnv is added to the environment of the servers measured (the portals, the floor
	// server), not to the load tool's: GOGC or GOMEMLIMIT for them alone.
	serverEnv envList
	// -instances mode
	instances int
	redis     string
	// cpuprofile, when set, is where the portal's CPU profile of the first profileFor of the
	// journeys is written (read from its /debug/pprof on its PPROF_ADDR).
	cpuprofile string
	profileFor time.Duration
	// memprofile, when set, is where the portal's allocation profile after the journeys is
	// written, and memprofile+".base" the one before them (go tool pprof -base).
	memprofile string
	// portalLog, when set, is where the portal's log (its standard error) is written too.
	portalLog string
}

// parseOptions reads the flags into options and refuses those that do not go together.
func parseOptions(args []string) (options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	var o options
	fs.IntVar(&o.n, "n", 500, "employees, all running their journey at once")
	fs.DurationVar(&o.latency, "latency", 50*time.Millisecond, "PingOne latency added to every answer")
	fs.Float64Var(&o.fail, "fail", 0, "fraction of PingOne management answers turned into 503s")
	fs.StringVar(&o.portal, "portal", "", "portal binary (default: build this module)")
	fs.IntVar(&o.retries, "retries", 8, "times a simulated person presses the button again after an error page")
	fs.DurationVar(&o.deadline, "deadline", 5*time.Minute, "give up after this long")
	fs.BoolVar(&o.page, "page", false, "measure the signed-out page and /healthz through the portal and a bare net/http server instead")
	fs.IntVar(&o.requests, "requests", 20000, "-page: requests per path and server")
	fs.IntVar(&o.conc, "c", 32, "-page: requests in flight at once")
	fs.IntVar(&o.rounds, "rounds", 10, "-page: alternating rounds the requests are split into")
	fs.BoolVar(&o.floor, "floor", false, "also run the journeys through a bare server that makes only the portal's PingOne calls and sends its pages, side by side")
	fs.IntVar(&o.floorAnswer, "floor-answer", 800, "-floor: bytes of each answer of the stand-in for PingOne (the emulator's in a journey are 200 to 1,900)")
	fs.Var(&o.serverEnv, "server-env", "NAME=VALUE added to the environment of the portals and the floor server only, such as GOMEMLIMIT=40MiB (repeatable)")
	fs.IntVar(&o.instances, "instances", 0, "run the journeys against 1 and then N portals sharing one Redis (the tool balances round robin), side by side")
	fs.StringVar(&o.redis, "redis-server", "", "-instances: redis-server binary (default: $REDIS_SERVER, /usr/bin/redis-server, or redis-server on PATH)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write the portal's CPU profile during the journeys to this file (go tool pprof reads it)")
	fs.DurationVar(&o.profileFor, "profile-for", 2*time.Second, "-cpuprofile: how long to profile, from the start of the journeys")
	fs.StringVar(&o.memprofile, "memprofile", "", "write the portal's allocation profiles before (FILE.base) and after the journeys (FILE): go tool pprof -sample_index=alloc_space -base FILE.base FILE")
	fs.StringVar(&o.portalLog, "portal-log", "", "also write the portal's log (LOG_LEVEL=warn) to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	return o, o.check()
}

// check refuses flags out of range and modes that do not go together.
func (o options) check() error {
	if o.page {
		if o.requests < o.rounds || o.conc < 1 || o.rounds < 1 {
			return errors.New("-requests must be at least -rounds, and -c and -rounds at least 1")
		}
	}
	if o.n < 1 || o.fail < 0 || o.fail >= 1 {
		return errors.New("-n must be at least 1 and -fail in [0, 1)")
	}
	if o.page && (o.instances > 0 || o.floor) || o.instances > 0 && o.floor {
		return errors.New("-page, -instances and -floor do not go together")
	}
	if o.floor && (o.fail > 0 || o.floorAnswer < 16) {
		// The floor's stand-in never fails: with 503s the two runs would not be alike.
		return errors.New("-floor needs -fail 0 and a -floor-answer of at least 16 bytes")
	}
	return nil
}

// run is the load tool: the flags, the emulator, the portal binary, then the mode asked for:
// -instances (portals of its own), -page, or the journeys (and -floor after them).
func run(args []string, out io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.deadline)
	defer cancel()

	emu, err := pingonetest.New(pingonetest.Options{DeviceLimit: 5})
	if err != nil {
		return err
	}
	defer emu.Close()
	workerSecret, webSecret := ids.Token(24), ids.Token(24)
	emu.AddApp(pingonetest.App{ClientID: "worker", ClientSecret: workerSecret, Worker: true, Roles: true})
	bin, removeBin, err := portalBinary(o.portal)
	if err != nil {
		return err
	}
	defer removeBin()
	if o.instances > 0 {
		// That mode seeds its own employees and web apps, one set per run.
		return instancesMode(ctx, o, out, emu, bin, workerSecret, webSecret)
	}
	p, err := startPortal(ctx, o, emu, bin, workerSecret, webSecret)
	if err != nil {
		return err
	}
	defer p.stop()
	if o.page {
		return pageMode(ctx, o, out, p.pid(), p.public, p.metricsURL)
	}
	return journeysMode(ctx, o, out, emu, p)
}

// journeysMode seeds o.n employees, runs their journeys through the portal at once, reports
// what they saw and what the portal spent, checks that PingOne holds one active phone each,
// and with -floor runs the same journeys through the floor server.
func journeysMode(ctx context.Context, o options, out io.Writer, emu *pingonetest.Server, p *portal) error {
	// Seeded only now: -page signs nobody in.
	people := seedPeople(emu, o.n, "employee", 512)
	r, err := measureJourneys(ctx, o, emu, p, people)
	if err != nil {
		return err
	}
	oc := checkOutcome(emu, people, r.results)
	calls := emu.AllCalls()
	printSummary(out, o, r, oc, emu.TokenRequests()-r.tokensBefore)
	printSteps(out, r.steps)
	total := printCalls(out, calls, r.callsBefore, o.n)
	printFirstFailure(out, people, r.results)
	if oc.failed > 0 || oc.duplicates > 0 || oc.lost > 0 {
		return fmt.Errorf("%d failed, %d duplicate, %d lost", oc.failed, oc.duplicates, oc.lost)
	}
	if !o.floor {
		return nil
	}
	portalCalls := portalCallsPerJourney(calls, r.callsBefore, total, emu.TokenRequests()-r.tokensBefore, o.n)
	return floorMode(ctx, o, out, emu, people, r.kept, portalCalls, floorReport{wall: r.wall, startRSS: r.baseRSS, peakRSS: r.peakRSS, cpu: r.cpu})
}

// measureJourneys runs the people's journeys through the portal with the emulator's latency
// and failures set, and reads the portal's CPU time, allocations, memory and metrics' peaks
// around them (and its profiles, when asked).
func measureJourneys(ctx context.Context, o options, emu *pingonetest.Server, p *portal, people []person) (portalRun, error) {
	r := portalRun{}
	r.baseRSS, _ = rss(p.pid(), "VmRSS")
	portalAllocs := func(ctx context.Context) (allocCount, error) { return scrapeAllocs(ctx, p.metricsURL) }
	cpuBefore, allocsBefore, err := usage(ctx, p.pid(), portalAllocs)
	if err != nil {
		return r, err
	}
	if o.memprofile != "" {
		if err := fetchAllocs(ctx, p.pprofURL, o.memprofile+".base"); err != nil {
			return r, fmt.Errorf("allocation profile: %w", err)
		}
	}
	emu.SetLatency(o.latency)
	emu.SetFailureRate(o.fail, http.StatusServiceUnavailable)
	r.callsBefore, r.tokensBefore = emu.AllCalls(), emu.TokenRequests()

	profiled := make(chan error, 1)
	if o.cpuprofile != "" {
		go func() { profiled <- fetchProfile(ctx, p.pprofURL, o.profileFor, o.cpuprofile) }()
	} else {
		profiled <- nil
	}
	stopPeaks := watchPeaks(ctx, p.metricsURL)
	r.results, r.steps, r.kept, r.wall = runJourneys(ctx, o, emu, p.public, people, nil, 0)
	r.peak = stopPeaks()
	r.peakRSS, _ = rss(p.pid(), "VmHWM")
	if err := <-profiled; err != nil {
		return r, fmt.Errorf("CPU profile: %w", err)
	}
	cpuAfter, allocsAfter, err := usage(ctx, p.pid(), portalAllocs)
	if err != nil {
		return r, err
	}
	r.cpu, r.allocs = cpuAfter.sub(cpuBefore), allocsAfter.sub(allocsBefore)
	if o.memprofile != "" {
		if err := fetchAllocs(ctx, p.pprofURL, o.memprofile); err != nil {
			return r, fmt.Errorf("allocation profile: %w", err)
		}
	}
	return r, nil
}

// envList is a repeatable NAME=VALUE flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
		return fmt.Errorf("%q is not NAME=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}
