package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// bareEnv, set to a directory of captured answers, makes the load tool the bare server.
const bareEnv = "LOADTEST_BARE_DIR"

// memStatsPath is where the bare server reports its own allocations; the portal reports its
// through its metrics address.
const memStatsPath = "/.loadtest/memstats"

// captured is one answer of the portal, replayed by the bare server byte for byte.
type captured struct {
	Path   string      `json:"path"`
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
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
