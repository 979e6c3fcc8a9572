package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"
)

// pagePaths are the answers -page measures.
var pagePaths = []string{"/", "/healthz"}

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

// pageMode captures the portal's answers to pagePaths, starts the bare server replaying them,
// and measures both in alternating rounds, reported side by side.
func pageMode(ctx context.Context, o options, out io.Writer, portalPid int, public, metricsURL string) error {
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConns: 4 * o.conc, MaxIdleConnsPerHost: 2 * o.conc, IdleConnTimeout: time.Minute,
			DisableCompression: true},
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	answers, err := captureAnswers(ctx, client, public)
	if err != nil {
		return err
	}
	bare, bareBase, err := startBare(ctx, answers)
	if err != nil {
		return err
	}
	defer bare.stop()
	targets := []*target{
		{name: "portal", base: public, pid: portalPid, allocs: func(ctx context.Context) (allocCount, error) { return scrapeAllocs(ctx, metricsURL) }},
		{name: "bare", base: bareBase, pid: bare.pid(), allocs: func(ctx context.Context) (allocCount, error) { return bareAllocs(ctx, bareBase) }},
	}
	if err := warmUp(ctx, o, client, targets); err != nil {
		return err
	}
	results, err := measureRounds(ctx, o, client, targets)
	if err != nil {
		return err
	}
	printPage(out, o, targets, results)
	return nil
}

// captureAnswers is what the portal at public answers to pagePaths, compressed as a browser
// would ask for it.
func captureAnswers(ctx context.Context, client *http.Client, public string) ([]captured, error) {
	var answers []captured
	for _, p := range pagePaths {
		status, header, body, err := fetch(ctx, client, public+p)
		if err != nil {
			return nil, err
		}
		header.Del("Date")
		header.Del("Content-Length")
		answers = append(answers, captured{Path: p, Status: status, Header: header, Body: body})
	}
	return answers, nil
}

// startBare starts the load tool again as the bare server replaying answers, and waits until
// it answers (ten seconds at most); base is its http://host:port.
func startBare(ctx context.Context, answers []captured) (c *child, base string, err error) {
	dir, err := os.MkdirTemp("", "loadtest-bare")
	if err != nil {
		return nil, "", err
	}
	// The server has read its answers by the time it answers /healthz.
	defer os.RemoveAll(dir)
	b, err := json.Marshal(answers)
	if err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "answers.json"), b, 0o600); err != nil {
		return nil, "", err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	base = "http://" + addr
	c, err = startChild(ctx, childSpec{name: "bare server", bin: self, env: []string{bareEnv + "=" + dir, "LOADTEST_BARE_ADDR=" + addr},
		stderr: os.Stderr, ready: healthz(base), readyWithin: 10 * time.Second})
	return c, base, err
}

// warmUp measures what one allocations read costs each target, then warms each up:
// connections, caches, the heap's size.
func warmUp(ctx context.Context, o options, client *http.Client, targets []*target) error {
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
		for _, p := range pagePaths {
			if _, err := batch(ctx, client, t, p, min(2000, o.requests/o.rounds), o.conc); err != nil {
				return err
			}
		}
	}
	return nil
}

// measureRounds sends each path to each target in o.rounds rounds, and adds up the results by
// "path name".
func measureRounds(ctx context.Context, o options, client *http.Client, targets []*target) (map[string]*pageResult, error) {
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
					return nil, err
				}
				key := p + " " + t.name
				if results[key] == nil {
					results[key] = &pageResult{}
				}
				results[key].add(r)
			}
		}
	}
	return results, nil
}

// add adds a batch's figures.
func (acc *pageResult) add(r pageResult) {
	acc.requests += r.requests
	acc.wall += r.wall
	acc.cpu += r.cpu
	acc.allocs.mallocs += r.allocs.mallocs
	acc.allocs.bytes += r.allocs.bytes
	acc.latencies = append(acc.latencies, r.latencies...)
	acc.bodyBytes = r.bodyBytes
}

// printPage prints each path's figures for each target, and their ratios.
func printPage(out io.Writer, o options, targets []*target, results map[string]*pageResult) {
	per := o.requests / o.rounds
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
