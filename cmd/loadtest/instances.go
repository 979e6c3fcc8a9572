package main

// -instances N: the same journeys against one portal and then N portals, all on one Redis,
// reported side by side from one run. The tool is the load balancer: every request goes to the
// next portal in turn (round robin, no stickiness), so each journey crosses instances at every
// step, as behind a load balancer without session affinity.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/store/redistest"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// roundRobin sends each request for the public address to the next portal in turn.
type roundRobin struct {
	public string // host:port people use
	addrs  []string
	next   atomic.Uint64
	tr     http.RoundTripper
}

func (rr *roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != rr.public {
		return rr.tr.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Host = rr.addrs[int(rr.next.Add(1)-1)%len(rr.addrs)]
	return rr.tr.RoundTrip(r)
}

// runReport is what one configuration's run measured.
type runReport struct {
	instances           int
	wall                time.Duration
	failed, dup, lost   int
	errorPages          int
	steps               map[string][]time.Duration
	cpu                 time.Duration
	peakRSS             []int // KiB, per instance
	callsPerJourney     float64
	tokens              int
	firstFailure        error
	redisCommandsPerJny float64
}

func startRedis(ctx context.Context, o options) (addr string, stop func(), err error) {
	bin := o.redis
	if bin == "" {
		bin = redistest.Binary()
	}
	if _, err := os.Stat(bin); err != nil {
		return "", nil, fmt.Errorf("-instances needs redis-server (apt-get install redis-server, or -redis-server PATH): %w", err)
	}
	if addr, err = freeAddr(); err != nil {
		return "", nil, err
	}
	_, port, _ := strings.Cut(addr, ":")
	c, err := startChild(ctx, childSpec{name: "redis-server", bin: bin, args: []string{"--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no"},
		ready: dialable(addr), readyWithin: 10 * time.Second})
	if err != nil {
		return "", nil, err
	}
	return addr, c.stop, nil
}

// instancesMode runs the journeys against one portal and then o.instances portals on one
// Redis, and prints the two runs side by side.
func instancesMode(ctx context.Context, o options, out io.Writer, emu *pingonetest.Server, bin, workerSecret, webSecret string) error {
	if o.instances < 2 {
		return errors.New("-instances must be at least 2 (it is compared with 1)")
	}
	redisAddr, stopRedis, err := startRedis(ctx, o)
	if err != nil {
		return err
	}
	defer stopRedis()
	emu.SetLatency(o.latency)
	emu.SetFailureRate(o.fail, http.StatusServiceUnavailable)
	var reports []runReport
	for run, n := range []int{1, o.instances} {
		r, err := runInstances(ctx, o, emu, bin, workerSecret, webSecret, "redis://"+redisAddr+"/"+strconv.Itoa(run), run+1, n)
		if err != nil {
			return err
		}
		reports = append(reports, r)
	}
	printInstances(out, o, reports)
	for _, r := range reports {
		if r.firstFailure != nil {
			fmt.Fprintf(out, "first failure with %d instances: %v\n", r.instances, r.firstFailure)
		}
		if r.failed > 0 || r.dup > 0 || r.lost > 0 {
			return fmt.Errorf("%d instances: %d failed, %d duplicate, %d lost", r.instances, r.failed, r.dup, r.lost)
		}
	}
	return nil
}

// printInstances prints the runs' figures side by side, a column each.
func printInstances(out io.Writer, o options, reports []runReport) {
	fmt.Fprintf(out, "machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(out, "journeys: %d at once per configuration, PingOne latency %v, PingOne 503 rate %.0f%%, one Redis\n", o.n, o.latency, o.fail*100)
	fmt.Fprintln(out, "the load tool balances round robin: each request goes to the next instance")
	fmt.Fprintf(out, "\n%-34s", "")
	for _, r := range reports {
		fmt.Fprintf(out, "%16s", fmt.Sprintf("%d instance%s", r.instances, map[bool]string{true: "s"}[r.instances > 1]))
	}
	fmt.Fprintln(out)
	row := func(name string, f func(r runReport) string) {
		fmt.Fprintf(out, "%-34s", name)
		for _, r := range reports {
			fmt.Fprintf(out, "%16s", f(r))
		}
		fmt.Fprintln(out)
	}
	row("wall time", func(r runReport) string { return r.wall.Round(time.Millisecond).String() })
	row("journeys/s", func(r runReport) string { return fmt.Sprintf("%.1f", float64(o.n)/r.wall.Seconds()) })
	row("failed journeys", func(r runReport) string { return strconv.Itoa(r.failed) })
	row("error pages (then retried)", func(r runReport) string { return strconv.Itoa(r.errorPages) })
	row("duplicate / lost registrations", func(r runReport) string { return fmt.Sprintf("%d / %d", r.dup, r.lost) })
	for _, name := range []string{"1 open link", "2 sign in", "3 send code", "4 verify", "journey"} {
		for _, p := range []int{50, 99} {
			row(fmt.Sprintf("%s p%d", name, p), func(r runReport) string {
				d := r.steps[name]
				if len(d) == 0 {
					return "-"
				}
				return pct(d, p)
			})
		}
	}
	row("portal CPU in all", func(r runReport) string { return r.cpu.Round(time.Millisecond).String() })
	row("portal CPU per journey", func(r runReport) string { return (r.cpu / time.Duration(o.n)).Round(time.Microsecond).String() })
	row("peak RSS per instance (MiB)", func(r runReport) string {
		var s []string
		for _, k := range r.peakRSS {
			s = append(s, fmt.Sprintf("%.0f", float64(k)/1024))
		}
		return strings.Join(s, "+")
	})
	row("PingOne calls per journey", func(r runReport) string { return fmt.Sprintf("%.2f", r.callsPerJourney) })
	row("worker token requests", func(r runReport) string { return strconv.Itoa(r.tokens) })
	row("Redis commands per journey", func(r runReport) string { return fmt.Sprintf("%.1f", r.redisCommandsPerJny) })
}

// runInstances starts n portals on the Redis database at redisURL, runs o.n fresh employees
// through them, and stops them.
func runInstances(ctx context.Context, o options, emu *pingonetest.Server, bin, workerSecret, webSecret, redisURL string, run, n int) (runReport, error) {
	rep := runReport{instances: n}
	people := seedPeople(emu, o.n, fmt.Sprintf("run%d-employee", run), (4+run)*100+12)
	portals, addrs, err := startPortals(ctx, o, emu, bin, workerSecret, webSecret, redisURL, run, n)
	defer func() {
		for _, c := range portals {
			c.stop()
		}
	}()
	if err != nil {
		return rep, err
	}
	cpuBefore := make([]cpuTimes, n)
	for i, c := range portals {
		if cpuBefore[i], err = cpuTime(c.pid()); err != nil {
			return rep, err
		}
	}
	redisBefore, _ := redisCommands(ctx, redisURL)
	callsBefore, tokensBefore := emu.AllCalls(), emu.TokenRequests()

	tr := newTransport(o.n)
	defer tr.CloseIdleConnections()
	results, steps, _, wall := runJourneys(ctx, o, emu, "http://"+addrs[0], people, &roundRobin{public: addrs[0], addrs: addrs, tr: tr}, run)
	rep.steps, rep.wall = steps, wall
	for i, c := range portals {
		t, err := cpuTime(c.pid())
		if err != nil {
			return rep, err
		}
		rep.cpu += t.sub(cpuBefore[i]).total()
		peak, _ := rss(c.pid(), "VmHWM")
		rep.peakRSS = append(rep.peakRSS, peak)
	}
	if after, err := redisCommands(ctx, redisURL); err == nil {
		rep.redisCommandsPerJny = float64(after-redisBefore) / float64(o.n)
	}
	for _, d := range rep.steps {
		sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
	}
	rep.tally(emu, people, results)
	calls, total := emu.AllCalls(), 0
	for r, v := range calls {
		total += v - callsBefore[r]
	}
	rep.callsPerJourney = float64(total) / float64(o.n)
	rep.tokens = emu.TokenRequests() - tokensBefore
	return rep, nil
}

// startPortals registers the run's web app and starts n portals on free addresses, one after
// the other, each waited for: on one Redis database and one session key, all public at the
// first's address. The portals started are returned even with an error, to be stopped.
func startPortals(ctx context.Context, o options, emu *pingonetest.Server, bin, workerSecret, webSecret, redisURL string, run, n int) ([]*child, []string, error) {
	addrs := make([]string, n)
	for i := range addrs {
		a, err := freeAddr()
		if err != nil {
			return nil, nil, err
		}
		addrs[i] = a
	}
	public := "http://" + addrs[0]
	webID := fmt.Sprintf("web-run%d", run)
	emu.AddApp(pingonetest.App{ClientID: webID, ClientSecret: webSecret, RedirectURIs: []string{public + "/auth/callback"},
		PostLogoutRedirectURIs: []string{public + "/"}})
	env := append(portalEnv(emu, public, webID, workerSecret, webSecret, ids.Token(48)), "REDIS_URL="+redisURL)
	env = append(env, o.serverEnv...)
	var portals []*child
	for _, addr := range addrs {
		c, err := startChild(ctx, childSpec{name: "portal", bin: bin, args: []string{"-listen", addr}, env: env, ready: healthz("http://" + addr)})
		if err != nil {
			return portals, addrs, err
		}
		portals = append(portals, c)
	}
	return portals, addrs, nil
}

// tally counts the failed journeys, error pages and what PingOne holds after the run.
func (rep *runReport) tally(emu *pingonetest.Server, people []person, results []journeyResult) {
	for i, p := range people {
		switch registration(emu, p) {
		case regDuplicated:
			rep.dup++
		case regLost:
			rep.lost++
		}
		if results[i].err != nil {
			rep.failed++
			if rep.firstFailure == nil {
				rep.firstFailure = fmt.Errorf("%s: %w", p.username, results[i].err)
			}
		}
		rep.errorPages += results[i].errorPages
	}
}

// redisCommands reads total_commands_processed from the Redis at redisURL (no password), over a
// bare RESP connection: the tool needs one figure, not a client.
func redisCommands(ctx context.Context, redisURL string) (int, error) {
	addr := strings.TrimPrefix(redisURL, "redis://")
	addr, _, _ = strings.Cut(addr, "/")
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(conn, "*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n"); err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	var got strings.Builder
	for !strings.Contains(got.String(), "total_commands_processed:") || !strings.Contains(got.String(), "instantaneous_ops_per_sec") {
		k, err := conn.Read(buf)
		if err != nil {
			return 0, err
		}
		got.Write(buf[:k])
	}
	_, v, _ := strings.Cut(got.String(), "total_commands_processed:")
	v, _, _ = strings.Cut(v, "\r\n")
	return strconv.Atoi(strings.TrimSpace(v))
}
