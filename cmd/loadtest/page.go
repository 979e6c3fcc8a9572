package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// bareEnv, set to a directory of captured answers, makes the load tool the bare server.
const bareEnv = "LOADTEST_BARE_DIR"

// memStatsPath is where the bare server reports its own allocations; the portal reports its
// through its metrics address.
const memStatsPath = "/.loadtest/memstats"

// pagePaths are the answers -page measures.
var pagePaths = []string{"/", "/healthz"}

// captured is one answer of the portal, replayed by the bare server byte for byte.
type captured struct {
	Path   string      `json:"path"`
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// cpuTimes are a process's CPU times, from /proc/<pid>/stat.
type cpuTimes struct{ user, system time.Duration }

func (c cpuTimes) sub(o cpuTimes) cpuTimes {
	return cpuTimes{user: c.user - o.user, system: c.system - o.system}
}
func (c cpuTimes) total() time.Duration { return c.user + c.system }

// userHZ is the unit of the times in /proc/<pid>/stat: USER_HZ, 100 on every Linux ABI.
const userHZ = 100

// cpuTime reads the CPU time a process has used (its threads, not its children).
func cpuTime(pid int) (cpuTimes, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return cpuTimes{}, fmt.Errorf("portal CPU time: %w", err)
	}
	// The command name may hold spaces; the fields after it are fixed: state is the 3rd,
	// utime the 14th and stime the 15th.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return cpuTimes{}, fmt.Errorf("portal CPU time: short /proc/%d/stat", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return cpuTimes{}, fmt.Errorf("portal CPU time: %w", err)
	}
	return cpuTimes{user: time.Duration(u) * time.Second / userHZ, system: time.Duration(s) * time.Second / userHZ}, nil
}

// allocCount is a process's Go heap allocations so far.
type allocCount struct{ mallocs, bytes float64 }

func (a allocCount) sub(o allocCount) allocCount {
	return allocCount{mallocs: a.mallocs - o.mallocs, bytes: a.bytes - o.bytes}
}

// get sends a GET for u with the default client; what names the server in the error when it
// does not answer.
func get(ctx context.Context, u, what string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return resp, nil
}

// scrapeAllocs reads go_memstats_mallocs_total and go_memstats_alloc_bytes_total from the
// portal's Prometheus metrics.
func scrapeAllocs(ctx context.Context, metricsURL string) (allocCount, error) {
	resp, err := get(ctx, metricsURL+"/metrics", "portal metrics")
	if err != nil {
		return allocCount{}, err
	}
	defer resp.Body.Close()
	var a allocCount
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		for name, dst := range map[string]*float64{"go_memstats_mallocs_total ": &a.mallocs, "go_memstats_alloc_bytes_total ": &a.bytes} {
			if v, ok := strings.CutPrefix(sc.Text(), name); ok {
				if *dst, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
					return a, fmt.Errorf("portal metrics %s: %w", name, err)
				}
				found++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return a, fmt.Errorf("portal metrics: %w", err)
	}
	if found != 2 {
		return a, errors.New("portal metrics: no go_memstats_mallocs_total or go_memstats_alloc_bytes_total")
	}
	return a, nil
}

// bareAllocs reads the bare server's allocations.
func bareAllocs(ctx context.Context, base string) (allocCount, error) {
	resp, err := get(ctx, base+memStatsPath, "bare server allocations")
	if err != nil {
		return allocCount{}, err
	}
	defer resp.Body.Close()
	var m struct{ Mallocs, TotalAlloc uint64 }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return allocCount{}, fmt.Errorf("bare server allocations: %w", err)
	}
	return allocCount{mallocs: float64(m.Mallocs), bytes: float64(m.TotalAlloc)}, nil
}

// serveBare answers the captured paths with the captured bytes, and nothing else: the least a
// Go server can do for the same answers.
func serveBare(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "answers.json"))
	if err != nil {
		return err
	}
	var answers []captured
	if err := json.Unmarshal(b, &answers); err != nil {
		return err
	}
	srv := &http.Server{Addr: os.Getenv("LOADTEST_BARE_ADDR"), Handler: bareHandler(answers), ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

// bareHandler replays the answers, with its own allocations at memStatsPath.
func bareHandler(answers []captured) http.Handler {
	mux := http.NewServeMux()
	for _, a := range answers {
		pattern := "GET " + a.Path
		if strings.HasSuffix(a.Path, "/") {
			pattern += "{$}" // the path alone, not the subtree
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for k, v := range a.Header {
				h[k] = v
			}
			w.WriteHeader(a.Status)
			_, _ = w.Write(a.Body)
		})
	}
	mux.HandleFunc("GET "+memStatsPath, func(w http.ResponseWriter, r *http.Request) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		_ = json.NewEncoder(w).Encode(struct{ Mallocs, TotalAlloc uint64 }{m.Mallocs, m.TotalAlloc})
	})
	return mux
}

// target is a server -page measures.
type target struct {
	name string
	base string
	pid  int
	// allocs reads the server's allocations so far.
	allocs func(context.Context) (allocCount, error)
	// scrapeCost is what one allocs call itself allocates in the server, taken off each batch.
	scrapeCost allocCount
}

// pageResult adds up one path on one server over the rounds.
type pageResult struct {
	requests  int
	wall      time.Duration
	cpu       time.Duration
	allocs    allocCount
	latencies []time.Duration
	bodyBytes int
}

func pageMode(ctx context.Context, o options, out io.Writer, portalPid int, public, metricsURL string) error {
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConns: 4 * o.conc, MaxIdleConnsPerHost: 2 * o.conc, IdleConnTimeout: time.Minute,
			DisableCompression: true},
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	// What the portal answers, compressed as a browser would ask for it.
	var answers []captured
	for _, p := range pagePaths {
		status, header, body, err := fetch(ctx, client, public+p)
		if err != nil {
			return err
		}
		header.Del("Date")
		header.Del("Content-Length")
		answers = append(answers, captured{Path: p, Status: status, Header: header, Body: body})
	}
	dir, err := os.MkdirTemp("", "loadtest-bare")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b, err := json.Marshal(answers)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "answers.json"), b, 0o600); err != nil {
		return err
	}
	bareAddr, err := freeAddr()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bare := exec.Command(self)
	bare.Env = append(os.Environ(), bareEnv+"="+dir, "LOADTEST_BARE_ADDR="+bareAddr)
	bare.Stderr = os.Stderr
	if err := bare.Start(); err != nil {
		return fmt.Errorf("start the bare server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = bare.Wait(); close(exited) }()
	defer func() {
		_ = bare.Process.Signal(syscall.SIGTERM)
		<-exited
	}()
	// Stop waiting for it when it exits, and after ten seconds at most.
	waitCtx, cancelWait := context.WithTimeout(ctx, 10*time.Second)
	defer cancelWait()
	go func() {
		select {
		case <-exited:
			cancelWait()
		case <-waitCtx.Done():
		}
	}()
	if err := waitHealthy(waitCtx, "http://"+bareAddr); err != nil {
		return fmt.Errorf("bare server: %w", err)
	}

	targets := []*target{
		{name: "portal", base: public, pid: portalPid, allocs: func(ctx context.Context) (allocCount, error) { return scrapeAllocs(ctx, metricsURL) }},
		{name: "bare", base: "http://" + bareAddr, pid: bare.Process.Pid, allocs: func(ctx context.Context) (allocCount, error) { return bareAllocs(ctx, "http://"+bareAddr) }},
	}
	for _, t := range targets {
		// Two reads in a row: the second's difference is what one read costs the server.
		a1, err := t.allocs(ctx)
		if err != nil {
			return err
		}
		a2, err := t.allocs(ctx)
		if err != nil {
			return err
		}
		t.scrapeCost = a2.sub(a1)
		// Warm up: connections, caches, the heap's size.
		for _, p := range pagePaths {
			if _, err := batch(ctx, client, t, p, min(2000, o.requests/o.rounds), o.conc); err != nil {
				return err
			}
		}
	}
	results := map[string]*pageResult{}
	per := o.requests / o.rounds
	for round := range o.rounds {
		// Alternate which server goes first, so drift on a shared machine falls on both.
		order := targets
		if round%2 == 1 {
			order = []*target{targets[1], targets[0]}
		}
		for _, p := range pagePaths {
			for _, t := range order {
				r, err := batch(ctx, client, t, p, per, o.conc)
				if err != nil {
					return err
				}
				key := p + " " + t.name
				if results[key] == nil {
					results[key] = &pageResult{}
				}
				acc := results[key]
				acc.requests += r.requests
				acc.wall += r.wall
				acc.cpu += r.cpu
				acc.allocs.mallocs += r.allocs.mallocs
				acc.allocs.bytes += r.allocs.bytes
				acc.latencies = append(acc.latencies, r.latencies...)
				acc.bodyBytes = r.bodyBytes
			}
		}
	}

	fmt.Fprintf(out, "machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(out, "page mode: %d requests per path and server, %d in flight, %d alternating rounds; the bare server\n", per*o.rounds, o.conc, o.rounds)
	fmt.Fprintln(out, "answers with the bytes the portal sent (gzip asked for); server CPU from /proc/<pid>/stat,")
	fmt.Fprintln(out, "allocations from each server's Go runtime; the load tool shares the machine")
	fmt.Fprintf(out, "\n%-9s %-7s %9s %9s %9s %10s %11s %10s %7s\n", "path", "server", "req/s", "p50", "p99", "CPU/req", "allocs/req", "KiB/req", "bytes")
	for _, p := range pagePaths {
		var rows [2]*pageResult
		for i, t := range targets {
			r := results[p+" "+t.name]
			rows[i] = r
			slices.Sort(r.latencies)
			fmt.Fprintf(out, "%-9s %-7s %9.0f %9s %9s %10s %11.1f %10.2f %7d\n", p, t.name,
				float64(r.requests)/r.wall.Seconds(), at(r.latencies, 50).Round(time.Microsecond), at(r.latencies, 99).Round(time.Microsecond),
				(r.cpu / time.Duration(r.requests)).Round(100*time.Nanosecond),
				r.allocs.mallocs/float64(r.requests), r.allocs.bytes/float64(r.requests)/1024, r.bodyBytes)
		}
		pr, br := rows[0], rows[1]
		fmt.Fprintf(out, "%-9s %-7s %8.2fx %8.2fx %8.2fx %9.2fx %10.1fx %9.1fx\n", p, "ratio",
			(float64(pr.requests)/pr.wall.Seconds())/(float64(br.requests)/br.wall.Seconds()),
			ratio(pr.latencies, br.latencies, 50), ratio(pr.latencies, br.latencies, 99),
			(pr.cpu.Seconds()/float64(pr.requests))/(br.cpu.Seconds()/float64(br.requests)),
			safeDiv(pr.allocs.mallocs, br.allocs.mallocs), safeDiv(pr.allocs.bytes, br.allocs.bytes))
	}
	fmt.Fprintln(out, "\nratio: portal ÷ bare (for req/s, below 1 means the portal serves fewer)")
	return nil
}

func ratio(a, b []time.Duration, p int) float64 {
	return float64(at(a, p)) / float64(max(at(b, p), 1))
}

func at(d []time.Duration, p int) time.Duration {
	i := (len(d)*p + 99) / 100
	if i > 0 {
		i--
	}
	return d[min(i, len(d)-1)]
}

func safeDiv(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

func fetch(ctx context.Context, client *http.Client, u string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, nil, nil, fmt.Errorf("%s answered %d", u, resp.StatusCode)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// batch sends n requests for one path to one server, conc at a time, and measures the
// server's CPU time and allocations over them.
func batch(ctx context.Context, client *http.Client, t *target, path string, n, conc int) (pageResult, error) {
	cpu0, a0, err := usage(ctx, t.pid, t.allocs)
	if err != nil {
		return pageResult{}, err
	}
	var (
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, n)
		firstErr error
		size     int
		next     = make(chan struct{}, n)
		wg       sync.WaitGroup
	)
	for range n {
		next <- struct{}{}
	}
	close(next)
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, n/conc+1)
			localSize := 0
			for range next {
				s := time.Now()
				_, _, body, err := fetch(ctx, client, t.base+path)
				if err != nil {
					mu.Lock()
					firstErr = firstOf(firstErr, err)
					mu.Unlock()
					return
				}
				local = append(local, time.Since(s))
				localSize = len(body)
			}
			mu.Lock()
			lat = append(lat, local...)
			size = max(size, localSize)
			mu.Unlock()
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	if firstErr != nil {
		return pageResult{}, fmt.Errorf("%s %s: %w", t.name, path, firstErr)
	}
	cpu1, a1, err := usage(ctx, t.pid, t.allocs)
	if err != nil {
		return pageResult{}, err
	}
	allocs := a1.sub(a0).sub(t.scrapeCost)
	return pageResult{requests: n, wall: wall, cpu: cpu1.sub(cpu0).total(), allocs: allocs, latencies: lat, bodyBytes: size}, nil
}

func firstOf(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
