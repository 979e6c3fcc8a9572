package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

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
