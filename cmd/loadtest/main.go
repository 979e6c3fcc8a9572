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
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/logging"
	"github.com/smsmfa/portal/pingone/emulator"
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

func run(args []string, out io.Writer) error {
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
		return err
	}
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
	ctx, cancel := context.WithTimeout(context.Background(), o.deadline)
	defer cancel()

	emu, err := emulator.New(emulator.Options{DeviceLimit: 5})
	if err != nil {
		return err
	}
	defer emu.Close()
	workerSecret, webSecret := ids.Token(24), ids.Token(24)
	emu.AddApp(emulator.App{ClientID: "worker", ClientSecret: workerSecret, Worker: true, Roles: true})
	bin := o.portal
	if bin == "" {
		dir, err := os.MkdirTemp("", "loadtest")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "portal")
		if b, err := exec.Command("go", "build", "-o", bin, "github.com/smsmfa/portal").CombinedOutput(); err != nil {
			return fmt.Errorf("build the portal: %v\n%s", err, b)
		}
	}
	if o.instances > 0 {
		// That mode seeds its own employees and web apps, one set per run.
		return instancesMode(ctx, o, out, emu, bin, workerSecret, webSecret)
	}

	portalAddr, err := freeAddr()
	if err != nil {
		return err
	}
	metricsAddr, err := freeAddr()
	if err != nil {
		return err
	}
	pprofAddr, err := freeAddr()
	if err != nil {
		return err
	}
	public := "http://" + portalAddr
	emu.AddApp(emulator.App{ClientID: "web", ClientSecret: webSecret, RedirectURIs: []string{public + "/auth/callback"},
		PostLogoutRedirectURIs: []string{public + "/"}})
	cmd := exec.Command(bin, "-listen", portalAddr)
	cmd.Env = append(os.Environ(),
		"PORTAL_PUBLIC_URL="+public, "PINGONE_ENVIRONMENT_ID="+emu.EnvironmentID(),
		"PINGONE_API_BASE="+emu.APIBase(), "PINGONE_AUTH_BASE="+emu.AuthBase(),
		"PINGONE_WORKER_CLIENT_ID=worker", "PINGONE_WORKER_CLIENT_SECRET="+workerSecret,
		"PINGONE_WEB_CLIENT_ID=web", "PINGONE_WEB_CLIENT_SECRET="+webSecret,
		"SESSION_KEYS="+ids.Token(48), "TRUSTED_PROXIES=127.0.0.1", "LOG_LEVEL=warn", "PINGONE_TIMEOUT=20s", "ALLOWED_REGIONS=US",
		// The portal's own Go runtime figures (allocations) are read from its metrics address.
		"METRICS_ADDR="+metricsAddr, "PPROF_ADDR="+pprofAddr)
	cmd.Env = append(cmd.Env, o.serverEnv...)
	var portalLog logging.Buffer
	cmd.Stderr = &portalLog
	if o.portalLog != "" {
		f, err := os.Create(o.portalLog)
		if err != nil {
			return err
		}
		defer f.Close()
		cmd.Stderr = io.MultiWriter(&portalLog, f)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	if err := waitHealthy(ctx, public); err != nil {
		return fmt.Errorf("%w\n%s", err, portalLog.String())
	}
	if o.page {
		return pageMode(ctx, o, out, cmd.Process.Pid, public, "http://"+metricsAddr)
	}
	// Seeded only now: -page signs nobody in.
	people := seedPeople(emu, o.n, "employee", 512)
	baseRSS, _ := rss(cmd.Process.Pid, "VmRSS")
	portalAllocs := func(ctx context.Context) (allocCount, error) { return scrapeAllocs(ctx, "http://"+metricsAddr) }
	cpuBefore, allocsBefore, err := usage(ctx, cmd.Process.Pid, portalAllocs)
	if err != nil {
		return err
	}
	if o.memprofile != "" {
		if err := fetchAllocs(ctx, "http://"+pprofAddr, o.memprofile+".base"); err != nil {
			return fmt.Errorf("allocation profile: %w", err)
		}
	}
	emu.SetLatency(o.latency)
	emu.SetFailureRate(o.fail, http.StatusServiceUnavailable)
	callsBefore := emu.AllCalls()
	tokensBefore := emu.TokenRequests()

	profiled := make(chan error, 1)
	if o.cpuprofile != "" {
		go func() { profiled <- fetchProfile(ctx, "http://"+pprofAddr, o.profileFor, o.cpuprofile) }()
	} else {
		profiled <- nil
	}
	stopPeaks := watchPeaks(ctx, "http://"+metricsAddr)
	results, steps, kept, wall := runJourneys(ctx, o, emu, public, people, nil, 0)
	peak := stopPeaks()
	peakRSS, _ := rss(cmd.Process.Pid, "VmHWM")
	if err := <-profiled; err != nil {
		return fmt.Errorf("CPU profile: %w", err)
	}
	cpuAfter, allocsAfter, err := usage(ctx, cmd.Process.Pid, portalAllocs)
	if err != nil {
		return err
	}
	if o.memprofile != "" {
		if err := fetchAllocs(ctx, "http://"+pprofAddr, o.memprofile); err != nil {
			return fmt.Errorf("allocation profile: %w", err)
		}
	}

	// What PingOne holds: exactly one active phone per employee.
	var failed, duplicates, lost, errorPages int
	for i, p := range people {
		switch registration(emu, p) {
		case regDuplicated:
			duplicates++
		case regLost:
			lost++
		}
		if results[i].err != nil {
			failed++
		}
		errorPages += results[i].errorPages
	}
	calls := emu.AllCalls()
	fmt.Fprintf(out, "machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(out, "journeys: %d at once, PingOne latency %v, PingOne 503 rate %.0f%%\n", o.n, o.latency, o.fail*100)
	fmt.Fprintf(out, "wall time: %v, %.1f journeys/s\n", wall.Round(time.Millisecond), float64(o.n)/wall.Seconds())
	fmt.Fprintf(out, "failed journeys: %d; error pages shown (then retried): %d\n", failed, errorPages)
	if errorPages > 0 {
		by := map[string]int{}
		for _, r := range results {
			for k, n := range r.errorsBy {
				by[k] += n
			}
		}
		keys := slices.Sorted(maps.Keys(by))
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s: %d", k, by[k]))
		}
		fmt.Fprintf(out, "error pages by step and status: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(out, "PingOne afterwards: %d duplicate, %d lost registrations\n", duplicates, lost)
	fmt.Fprintf(out, "worker token requests: %d\n", emu.TokenRequests()-tokensBefore)
	fmt.Fprintf(out, "portal RSS: %.1f MiB at start, %.1f MiB peak\n", float64(baseRSS)/1024, float64(peakRSS)/1024)
	fmt.Fprintf(out, "portal peaks: %.0f requests in flight, heap in use %.1f MiB, stacks %.1f MiB; %.0f collections; %.0f requests turned away at MAX_IN_FLIGHT\n",
		peak.inFlight, peak.heapInuse/(1<<20), peak.stack/(1<<20), peak.gcs, peak.shed)
	cpu := cpuAfter.sub(cpuBefore)
	fmt.Fprintf(out, "portal CPU: %v in all (user %v, system %v), %v per journey (%.0f%% of one core over the run)\n",
		cpu.total().Round(time.Millisecond), cpu.user.Round(time.Millisecond), cpu.system.Round(time.Millisecond),
		(cpu.total() / time.Duration(o.n)).Round(time.Microsecond), 100*cpu.total().Seconds()/wall.Seconds())
	allocs := allocsAfter.sub(allocsBefore)
	fmt.Fprintf(out, "portal allocations: %.0f per journey, %.1f KiB per journey\n",
		allocs.mallocs/float64(o.n), allocs.bytes/float64(o.n)/1024)
	fmt.Fprintln(out, "\nstep            p50       p95       p99       max")
	for _, name := range []string{"1 open link", "2 sign in", "3 send code", "4 verify", "journey"} {
		d := steps[name]
		if len(d) == 0 {
			continue
		}
		sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
		fmt.Fprintf(out, "%-14s %8s  %8s  %8s  %8s\n", name, pct(d, 50), pct(d, 95), pct(d, 99), d[len(d)-1].Round(time.Millisecond))
	}
	fmt.Fprintln(out, "\nPingOne calls per journey, by route:")
	var routes []string
	for r := range calls {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	total := 0.0
	for _, r := range routes {
		n := calls[r] - callsBefore[r]
		if n == 0 {
			continue
		}
		per := float64(n) / float64(o.n)
		total += per
		fmt.Fprintf(out, "  %-18s %6.2f\n", r, per)
	}
	fmt.Fprintf(out, "  %-18s %6.2f\n", "all", total)
	for i, r := range results {
		if r.err != nil {
			fmt.Fprintf(out, "first failure (%s): %v\n", people[i].username, r.err)
			break
		}
	}
	if failed > 0 || duplicates > 0 || lost > 0 {
		return fmt.Errorf("%d failed, %d duplicate, %d lost", failed, duplicates, lost)
	}
	if !o.floor {
		return nil
	}
	// The portal's own calls for the journeys: not PingOne's sign-in page and its form (the
	// browser's), nor what the process reads once (discovery, keys, MFA settings, the MFA policy,
	// the worker token), which few journeys would make look like more.
	portalCalls := total - float64(emu.TokenRequests()-tokensBefore)/float64(o.n)
	for _, r := range []string{"authorize", "authorize.submit", "discovery", "jwks", "mfaSettings.get", "devicePolicies.list"} {
		portalCalls -= perJourney(calls, callsBefore, r, o.n)
	}
	return floorMode(ctx, o, out, emu, people, kept, portalCalls, floorReport{wall: wall, startRSS: baseRSS, peakRSS: peakRSS, cpu: cpu})
}

// seedPeople adds n employees to the emulator, named prefix00000 and on, with numbers in the
// US area code area.
func seedPeople(emu *emulator.Server, n int, prefix string, area int) []person {
	people := make([]person, n)
	for i := range people {
		people[i] = person{username: fmt.Sprintf("%s%05d", prefix, i), password: "pw-" + strconv.Itoa(i),
			phone: fmt.Sprintf("+1%d%03d%04d", area, 200+i/10000, i%10000)}
		people[i].id = emu.AddUser(emulator.SeedUser{Username: people[i].username, Password: people[i].password})
	}
	return people
}

// newTransport is the simulated browsers' transport: enough idle connections for n people.
func newTransport(n int) *http.Transport {
	return &http.Transport{MaxIdleConns: 4 * n, MaxIdleConnsPerHost: 2 * n, IdleConnTimeout: time.Minute}
}

// runJourneys runs every person's journey at once against the server at public, through rt
// (nil: a transport of its own), each from their own address in run; it returns each one's
// result, the time of each step, the first person's journey and the wall time.
func runJourneys(ctx context.Context, o options, emu *emulator.Server, public string, people []person, rt http.RoundTripper, run int) ([]journeyResult, map[string][]time.Duration, *journey, time.Duration) {
	if rt == nil {
		tr := newTransport(len(people))
		defer tr.CloseIdleConnections()
		rt = tr
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		steps   = map[string][]time.Duration{}
		results = make([]journeyResult, len(people))
		first   *journey
	)
	start := time.Now()
	for i := range people {
		wg.Go(func() {
			j := &journey{ctx: ctx, o: o, emu: emu, public: public, p: people[i], xff: clientAddr(run, i), keep: i == 0}
			jar, _ := cookiejar.New(nil)
			j.client = &http.Client{Transport: rt, Jar: jar, Timeout: 60 * time.Second}
			results[i] = j.run()
			mu.Lock()
			defer mu.Unlock()
			if j.keep {
				first = j
			}
			for k, v := range j.timings {
				steps[k] = append(steps[k], v...)
			}
		})
	}
	wg.Wait()
	return results, steps, first, time.Since(start)
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

// perJourney is route's calls per journey during the run.
func perJourney(calls, before map[string]int, route string, n int) float64 {
	return float64(calls[route]-before[route]) / float64(n)
}

// floorMode runs the same people's journeys through the floor server, with the first
// employee's pages, and prints its figures beside the portal's.
func floorMode(ctx context.Context, o options, out io.Writer, emu *emulator.Server, people []person, kept *journey, portalCalls float64, portal floorReport) error {
	if kept == nil || kept.kept[0] == nil {
		return errors.New("floor: the first employee's pages were not kept")
	}
	r, steps, err := runFloor(ctx, o, emu, people, kept)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	calls := floorCalls(steps)
	if math.Round(portalCalls) != float64(calls) {
		return fmt.Errorf("floor: the portal made %.2f PingOne calls a journey, the floor's journey (floorJourney) has %d: bring it up to date", portalCalls, calls)
	}
	fmt.Fprintf(out, "\nfloor: a bare net/http server, %d requests and %d PingOne calls a journey (the portal made %.2f), %d-byte answers, the same pages gzipped once\n",
		len(steps), calls, portalCalls, o.floorAnswer)
	fmt.Fprintln(out, "            CPU/journey  RSS at start  peak RSS   wall")
	for _, row := range []struct {
		name string
		r    floorReport
	}{{"portal", portal}, {"floor", r}} {
		fmt.Fprintf(out, "%-10s %10v %9.1f MiB %6.1f MiB %7v\n", row.name, (row.r.cpu.total() / time.Duration(o.n)).Round(time.Microsecond),
			float64(row.r.startRSS)/1024, float64(row.r.peakRSS)/1024, row.r.wall.Round(time.Millisecond))
	}
	fmt.Fprintf(out, "portal ÷ floor: CPU %.2fx, peak RSS %.2fx\n", safeDiv(portal.cpu.total().Seconds(), r.cpu.total().Seconds()),
		safeDiv(float64(portal.peakRSS), float64(r.peakRSS)))
	return nil
}

type person struct{ id, username, password, phone string }

type journeyResult struct {
	err        error
	errorPages int
	// errorsBy counts the error pages by step and status.
	errorsBy map[string]int
}

type journey struct {
	ctx     context.Context
	o       options
	emu     *emulator.Server
	public  string
	p       person
	xff     string
	client  *http.Client
	timings map[string][]time.Duration
	pages   int
	// errors counts the error pages shown, by step and status (such as "3 send code 503").
	errors map[string]int
	// keep asks the journey to keep its pages (the form, the code page, the list) and the size
	// of its session cookie, for -floor.
	keep        bool
	kept        [3][]byte
	cookieBytes int
}

var (
	flowRe   = regexp.MustCompile(`name="flow" value="([^"]+)"`)
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]+/as/authorize)"`)
	csrfRe   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

type page struct {
	status int
	url    string
	body   string
}

func (j *journey) do(method, u string, form url.Values) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(j.ctx, method, u, body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	// Each employee comes from their own address, through the load balancer.
	req.Header.Set("X-Forwarded-For", j.xff)
	resp, err := j.client.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, url: resp.Request.URL.String(), body: string(b)}, err
}

// step runs one step, pressing the button again after an error page (as a person would), and
// records its time including the retries.
func (j *journey) step(name string, f func() (page, bool, error)) (page, error) {
	start := time.Now()
	defer func() { j.timings[name] = append(j.timings[name], time.Since(start)) }()
	var last page
	for attempt := 0; attempt <= j.o.retries; attempt++ {
		p, ok, err := f()
		if err != nil {
			return p, fmt.Errorf("%s: %w", name, err)
		}
		if ok {
			return p, nil
		}
		last = p
		if p.status < 500 && p.status != http.StatusTooManyRequests {
			return p, fmt.Errorf("%s: unexpected %d at %s: %.300s", name, p.status, p.url, p.body)
		}
		j.pages++
		if j.errors == nil {
			j.errors = map[string]int{}
		}
		j.errors[fmt.Sprintf("%s %d", name, p.status)]++
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
	return last, fmt.Errorf("%s: still failing after %d tries: %d", name, j.o.retries, last.status)
}

func (j *journey) run() journeyResult {
	j.timings = map[string][]time.Duration{}
	start := time.Now()
	err := j.journey()
	if err == nil {
		j.timings["journey"] = append(j.timings["journey"], time.Since(start))
	}
	return journeyResult{err: err, errorPages: j.pages, errorsBy: j.errors}
}

func (j *journey) journey() error {
	var signInPage page
	_, err := j.step("1 open link", func() (page, bool, error) {
		p, err := j.do(http.MethodGet, j.public+"/enroll", nil)
		signInPage = p
		return p, err == nil && flowRe.MatchString(p.body), err
	})
	if err != nil {
		return err
	}
	var form page
	_, err = j.step("2 sign in", func() (page, bool, error) {
		if !flowRe.MatchString(signInPage.body) {
			// The last try ended on an error page: open the link again, as a person would.
			// Signed in already (the error came after), it leads straight to the form.
			q, err := j.do(http.MethodGet, j.public+"/enroll", nil)
			if err != nil {
				return q, false, err
			}
			if !flowRe.MatchString(q.body) {
				form = q
				return q, strings.HasSuffix(strings.SplitN(q.url, "?", 2)[0], "/devices/sms/new") && q.status == 200, nil
			}
			signInPage = q
		}
		m, a := flowRe.FindStringSubmatch(signInPage.body), actionRe.FindStringSubmatch(signInPage.body)
		if m == nil || a == nil {
			return signInPage, false, errors.New("no sign-in form")
		}
		base, _ := url.Parse(signInPage.url)
		target, _ := base.Parse(a[1])
		p, err := j.do(http.MethodPost, target.String(), url.Values{"flow": {m[1]}, "username": {j.p.username}, "password": {j.p.password}})
		form = p
		if err == nil && p.status >= 500 {
			// The sign-in failed on the portal's side: the next try starts again from the link.
			signInPage = page{}
		}
		return p, err == nil && strings.HasSuffix(strings.SplitN(p.url, "?", 2)[0], "/devices/sms/new") && p.status == 200, err
	})
	if err != nil {
		return err
	}
	var codePage, list page
	_, err = j.step("3 send code", func() (page, bool, error) {
		m := csrfRe.FindStringSubmatch(form.body)
		if m == nil {
			return form, false, errors.New("no CSRF token on the form")
		}
		p, err := j.do(http.MethodPost, j.public+"/devices/sms", url.Values{"csrf": {m[1]}, "phone": {j.p.phone}, "region": {"US"}})
		codePage = p
		return p, err == nil && strings.HasSuffix(p.url, "/verify") && p.status == 200, err
	})
	if err != nil {
		return err
	}
	_, err = j.step("4 verify", func() (page, bool, error) {
		m := csrfRe.FindStringSubmatch(codePage.body)
		if m == nil {
			return codePage, false, errors.New("no CSRF token on the code page")
		}
		p, err := j.do(http.MethodPost, codePage.url, url.Values{"csrf": {m[1]}, "code": {j.emu.LastCode(j.p.phone)}})
		list = p
		return p, err == nil && strings.HasSuffix(p.url, "/devices") && p.status == 200 && strings.Contains(p.body, "Active"), err
	})
	if err == nil && j.keep {
		j.kept = [3][]byte{[]byte(form.body), []byte(codePage.body), []byte(list.body)}
		if u, perr := url.Parse(j.public); perr == nil {
			for _, c := range j.client.Jar.Cookies(u) {
				j.cookieBytes = max(j.cookieBytes, len(c.Name)+1+len(c.Value))
			}
		}
	}
	return err
}

func pct(d []time.Duration, p int) string {
	return at(d, p).Round(time.Millisecond).String()
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitHealthy waits until the server at base answers 200 to /healthz, or ctx ends.
func waitHealthy(ctx context.Context, base string) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return errors.New("the server did not start")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// rss reads a memory figure (VmRSS, VmHWM) of a process in KiB from /proc.
func rss(pid int, field string) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, errors.New("no " + field)
}

// usage reads the CPU time of process pid so far, then its allocations so far from allocs.
func usage(ctx context.Context, pid int, allocs func(context.Context) (allocCount, error)) (cpuTimes, allocCount, error) {
	cpu, err := cpuTime(pid)
	if err != nil {
		return cpuTimes{}, allocCount{}, err
	}
	a, err := allocs(ctx)
	return cpu, a, err
}

// clientAddr is employee i's address in run r: each in a /64 of its own, as the portal counts
// sign-ins per IPv6 /64.
func clientAddr(r, i int) string { return fmt.Sprintf("2001:db8:%x:%x::1", r, i+1) }

// fetchProfile writes the portal's CPU profile over the next d to file.
func fetchProfile(ctx context.Context, pprofBase string, d time.Duration, file string) error {
	secs := max(int(d.Round(time.Second)/time.Second), 1)
	return fetchTo(ctx, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", pprofBase, secs), file)
}

// fetchAllocs writes the portal's allocation profile so far to file.
func fetchAllocs(ctx context.Context, pprofBase, file string) error {
	return fetchTo(ctx, pprofBase+"/debug/pprof/allocs", file)
}

// fetchTo writes the answer to a GET of u to file.
func fetchTo(ctx context.Context, u, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", req.URL, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o644)
}

// regState is what PingOne holds for one employee after a run.
type regState int

const (
	// regOK is exactly one phone, active, with the employee's number.
	regOK regState = iota
	// regDuplicated is more than one phone.
	regDuplicated
	// regLost is no active phone with the employee's number.
	regLost
)

// registration reads from the emulator what PingOne holds for p after a run.
func registration(emu *emulator.Server, p person) regState {
	devs := emu.Devices(p.id)
	active := 0
	for _, d := range devs {
		if d.Status == "ACTIVE" && d.Phone == p.phone {
			active++
		}
	}
	switch {
	case len(devs) > 1:
		return regDuplicated
	case active == 0:
		return regLost
	}
	return regOK
}
