package main

import (
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/smsmfa/portal/pingone/pingonetest"
)

// The journeys' report: what the people saw, what the portal spent, what PingOne holds.

// portalRun is what measureJourneys measured of the portal over the journeys.
type portalRun struct {
	results []journeyResult
	steps   map[string][]time.Duration
	kept    *journey // the first employee's, with its pages for -floor
	wall    time.Duration
	// baseRSS and peakRSS are the portal's memory before and at most during the journeys, in KiB.
	baseRSS, peakRSS int
	cpu              cpuTimes
	allocs           allocCount
	peak             peaks
	// callsBefore and tokensBefore are the emulator's counts when the journeys started.
	callsBefore  map[string]int
	tokensBefore int
}

// outcome is what the journeys left: failures and error pages, and what PingOne holds.
type outcome struct {
	failed, duplicates, lost, errorPages int
	// errorsBy counts the error pages by step and status.
	errorsBy map[string]int
}

// checkOutcome counts the failed journeys and error pages, and reads what PingOne holds:
// exactly one active phone per employee.
func checkOutcome(emu *pingonetest.Server, people []person, results []journeyResult) outcome {
	oc := outcome{errorsBy: map[string]int{}}
	for i, p := range people {
		switch registration(emu, p) {
		case regDuplicated:
			oc.duplicates++
		case regLost:
			oc.lost++
		}
		if results[i].err != nil {
			oc.failed++
		}
		oc.errorPages += results[i].errorPages
		for k, n := range results[i].errorsBy {
			oc.errorsBy[k] += n
		}
	}
	return oc
}

// printSummary prints the run's figures: time, failures, PingOne's state, the portal's memory,
// CPU and allocations.
func printSummary(out io.Writer, o options, r portalRun, oc outcome, tokens int) {
	fmt.Fprintf(out, "machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(out, "journeys: %d at once, PingOne latency %v, PingOne 503 rate %.0f%%\n", o.n, o.latency, o.fail*100)
	fmt.Fprintf(out, "wall time: %v, %.1f journeys/s\n", r.wall.Round(time.Millisecond), float64(o.n)/r.wall.Seconds())
	fmt.Fprintf(out, "failed journeys: %d; error pages shown (then retried): %d\n", oc.failed, oc.errorPages)
	if oc.errorPages > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(oc.errorsBy)) {
			parts = append(parts, fmt.Sprintf("%s: %d", k, oc.errorsBy[k]))
		}
		fmt.Fprintf(out, "error pages by step and status: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(out, "PingOne afterwards: %d duplicate, %d lost registrations\n", oc.duplicates, oc.lost)
	fmt.Fprintf(out, "worker token requests: %d\n", tokens)
	fmt.Fprintf(out, "portal RSS: %.1f MiB at start, %.1f MiB peak\n", float64(r.baseRSS)/1024, float64(r.peakRSS)/1024)
	fmt.Fprintf(out, "portal peaks: %.0f requests in flight, heap in use %.1f MiB, stacks %.1f MiB; %.0f collections; %.0f requests turned away at MAX_IN_FLIGHT\n",
		r.peak.inFlight, r.peak.heapInuse/(1<<20), r.peak.stack/(1<<20), r.peak.gcs, r.peak.shed)
	fmt.Fprintf(out, "portal CPU: %v in all (user %v, system %v), %v per journey (%.0f%% of one core over the run)\n",
		r.cpu.total().Round(time.Millisecond), r.cpu.user.Round(time.Millisecond), r.cpu.system.Round(time.Millisecond),
		(r.cpu.total() / time.Duration(o.n)).Round(time.Microsecond), 100*r.cpu.total().Seconds()/r.wall.Seconds())
	fmt.Fprintf(out, "portal allocations: %.0f per journey, %.1f KiB per journey\n",
		r.allocs.mallocs/float64(o.n), r.allocs.bytes/float64(o.n)/1024)
}

// printSteps prints each step's latencies; it sorts them.
func printSteps(out io.Writer, steps map[string][]time.Duration) {
	fmt.Fprintln(out, "\nstep            p50       p95       p99       max")
	for _, name := range []string{"1 open link", "2 sign in", "3 send code", "4 verify", "journey"} {
		d := steps[name]
		if len(d) == 0 {
			continue
		}
		sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
		fmt.Fprintf(out, "%-14s %8s  %8s  %8s  %8s\n", name, pct(d, 50), pct(d, 95), pct(d, 99), d[len(d)-1].Round(time.Millisecond))
	}
}

// printCalls prints the PingOne calls per journey by route since before, and returns their sum.
func printCalls(out io.Writer, calls, before map[string]int, n int) float64 {
	fmt.Fprintln(out, "\nPingOne calls per journey, by route:")
	total := 0.0
	for _, r := range slices.Sorted(maps.Keys(calls)) {
		k := calls[r] - before[r]
		if k == 0 {
			continue
		}
		per := float64(k) / float64(n)
		total += per
		fmt.Fprintf(out, "  %-18s %6.2f\n", r, per)
	}
	fmt.Fprintf(out, "  %-18s %6.2f\n", "all", total)
	return total
}

// printFirstFailure prints the first failed journey's error, if one failed.
func printFirstFailure(out io.Writer, people []person, results []journeyResult) {
	for i, r := range results {
		if r.err != nil {
			fmt.Fprintf(out, "first failure (%s): %v\n", people[i].username, r.err)
			return
		}
	}
}

// portalCallsPerJourney is the portal's own calls for the journeys, out of all PingOne calls
// per journey (total) and the worker tokens asked for: not PingOne's sign-in page and its form
// (the browser's), nor what the process reads once (discovery, keys, MFA settings, the MFA
// policy, the worker token), which few journeys would make look like more.
func portalCallsPerJourney(calls, before map[string]int, total float64, tokens, n int) float64 {
	portalCalls := total - float64(tokens)/float64(n)
	for _, r := range []string{"authorize", "authorize.submit", "discovery", "jwks", "mfaSettings.get", "devicePolicies.list"} {
		portalCalls -= perJourney(calls, before, r, n)
	}
	return portalCalls
}
