package main

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
)

// peaks are the highest figures the portal's metrics showed during the journeys, read every
// 100 ms: what MAX_IN_FLIGHT and GOMEMLIMIT are sized from.
type peaks struct {
	inFlight  float64 // portal_requests_in_flight
	heapInuse float64 // go_memstats_heap_inuse_bytes: the heap's spans in use, live and not yet swept
	stack     float64 // go_memstats_stack_inuse_bytes: goroutine stacks (one or more per connection)
	gcs       float64 // garbage collections during the journeys
	shed      float64 // requests turned away at MAX_IN_FLIGHT
}

// watchPeaks polls the portal's metrics until stop is called, which returns the peaks.
func watchPeaks(ctx context.Context, metricsURL string) (stop func() peaks) {
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	var p peaks
	first := map[string]float64{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := scrapeFigures(ctx, metricsURL); err == nil {
				mu.Lock()
				if len(first) == 0 {
					first = v
				}
				p.inFlight = max(p.inFlight, v["portal_requests_in_flight"])
				p.heapInuse = max(p.heapInuse, v["go_memstats_heap_inuse_bytes"])
				p.stack = max(p.stack, v["go_memstats_stack_inuse_bytes"])
				p.gcs = v["go_gc_duration_seconds_count"] - first["go_gc_duration_seconds_count"]
				p.shed = v["portal_requests_shed_total"] - first["portal_requests_shed_total"]
				mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() peaks {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return p
	}
}

// scrapeFigures reads the unlabelled figures of the portal's metrics, by name.
func scrapeFigures(ctx context.Context, metricsURL string) (map[string]float64, error) {
	resp, err := get(ctx, metricsURL+"/metrics", "portal metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			out[name] = f
		}
	}
	return out, sc.Err()
}
