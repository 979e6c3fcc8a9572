package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// floorEnv, set to the upstream's URL, makes the load tool the floor server of -floor.
const floorEnv = "LOADTEST_FLOOR_UPSTREAM"

// floorTokenBytes is the length of the bearer token the floor server sends: about the
// emulator's worker token (783 characters), a signed JWT like PingOne's.
const floorTokenBytes = 800

// floorStep is one portal request of the journey as the floor server plays it: the PingOne
// calls the portal makes for it, and its answer: a page the portal sent, or a redirect.
type floorStep struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Calls  int    `json:"calls"`
	// Page is the portal's page for this step, as the browser read it; empty for a redirect.
	Page []byte `json:"page,omitempty"`
	// Location is where a redirect sends the browser.
	Location string `json:"location,omitempty"`
}

// phonesPageCalls is the PingOne calls the portal makes for the phones page (GET /devices, the
// journey's last page): none today. A PingOne read on that page (such as its recent activity)
// makes it 1; this line is then the one change the floor's journey and its tests need.
const phonesPageCalls = 0

// floorJourneyCalls is the PingOne calls of the floor's journey, which must equal the portal's
// own calls per journey (floorMode checks it on every run).
const floorJourneyCalls = 7 + phonesPageCalls

// floorJourney is the portal's journey, request by request: the link and the sign-in's start
// (two redirects, the second to PingOne's sign-in at authorize), the callback (the code
// exchange and the read of the user), the form (the step-up's device list), "Send code" (list
// and create), the code page, the code (activation and mfaEnabled), the list. Its calls add
// up to the portal's own PingOne calls per journey, which -floor prints next to it, so that a
// drift shows.
func floorJourney(authorize string, form, code, list []byte) []floorStep {
	return []floorStep{
		{Method: http.MethodGet, Path: "/enroll", Location: "/auth/login"},
		{Method: http.MethodGet, Path: "/auth/login", Location: authorize},
		{Method: http.MethodGet, Path: "/auth/callback", Calls: 2, Location: "/devices/sms/new"},
		{Method: http.MethodGet, Path: "/devices/sms/new", Calls: 1, Page: form},
		{Method: http.MethodPost, Path: "/devices/sms", Calls: 2, Location: "/devices/sms/d/verify"},
		{Method: http.MethodGet, Path: "/devices/sms/d/verify", Page: code},
		{Method: http.MethodPost, Path: "/devices/sms/d/verify", Calls: 2, Location: "/devices"},
		{Method: http.MethodGet, Path: "/devices", Calls: phonesPageCalls, Page: list},
	}
}

// floorCalls is the PingOne calls of floorJourney.
func floorCalls(steps []floorStep) int {
	n := 0
	for _, s := range steps {
		n += s.Calls
	}
	return n
}

// floorSetup is what the floor server is started with (a JSON file in its directory).
type floorSetup struct {
	Steps []floorStep `json:"steps"`
	// CookieBytes is the length of the portal's session cookie, set on every redirect.
	CookieBytes int `json:"cookie_bytes"`
	// TokenBytes is the length of the bearer token sent with every call.
	TokenBytes int `json:"token_bytes"`
}

// serveFloor is the floor server: for each step of the journey, the calls to the upstream
// (through the portal's own HTTP client for PingOne), then the page, gzipped once at start,
// or the redirect with a cookie of the portal's size. Nothing else: no session, no sign-in
// check, no template, no JSON, no log; the least a Go server does for the same exchanges.
func serveFloor(upstream string) error {
	b, err := os.ReadFile(filepath.Join(os.Getenv("LOADTEST_FLOOR_DIR"), "floor.json"))
	if err != nil {
		return err
	}
	var setup floorSetup
	if err := json.Unmarshal(b, &setup); err != nil {
		return err
	}
	h, err := floorHandler(setup, upstream, pingone.NewHTTPClient())
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: os.Getenv("LOADTEST_FLOOR_ADDR"), Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

// floorHandler answers the setup's steps; see serveFloor.
func floorHandler(setup floorSetup, upstream string, client *http.Client) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	bearer := "Bearer " + strings.Repeat("t", setup.TokenBytes)
	cookie := "portal=" + strings.Repeat("c", max(setup.CookieBytes-len("portal="), 0)) + "; Path=/; HttpOnly; SameSite=Lax"
	for _, s := range setup.Steps {
		var page []byte
		if len(s.Page) > 0 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			if _, err := zw.Write(s.Page); err != nil {
				return nil, err
			}
			if err := zw.Close(); err != nil {
				return nil, err
			}
			page = buf.Bytes()
		}
		redirect := http.StatusFound
		if s.Method == http.MethodPost {
			redirect = http.StatusSeeOther
		}
		mux.HandleFunc(s.Method+" "+s.Path, func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			for range s.Calls {
				if err := floorCall(r.Context(), client, upstream, bearer); err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
			}
			if page == nil {
				w.Header().Set("Set-Cookie", cookie)
				w.Header().Set("Location", s.Location)
				w.WriteHeader(redirect)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write(page)
		})
	}
	return mux, nil
}

// floorCall is one call to the upstream, its answer read to the end.
func floorCall(ctx context.Context, client *http.Client, upstream, bearer string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, upstream, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", bearer)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// floorUpstream stands in for PingOne: it answers every request after latency with size
// bytes of JSON.
func floorUpstream(latency time.Duration, size int) http.Handler {
	body := []byte(`{"_filler":"` + strings.Repeat("x", max(size-len(`{"_filler":""}`), 0)) + `"}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(latency)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// floorReport is one run's figures for one server.
type floorReport struct {
	wall              time.Duration
	startRSS, peakRSS int // KiB
	cpu               cpuTimes
}

// runFloor starts the floor server with the first employee's pages and runs the same people's
// journeys through it, at once, PingOne's sign-in included (the emulator's, as for the portal),
// with the floor's calls going to a stand-in with the same latency. It returns the floor's
// figures and its journey.
func runFloor(ctx context.Context, o options, emu *pingonetest.Server, people []person, kept *journey) (floorReport, []floorStep, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return floorReport{}, nil, err
	}
	up := &http.Server{Handler: floorUpstream(o.latency, o.floorAnswer), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = up.Serve(ln) }()
	defer up.Close()
	upAddr := ln.Addr().String()

	addr, err := freeAddr()
	if err != nil {
		return floorReport{}, nil, err
	}
	base := "http://" + addr
	steps := floorJourney(floorAuthorize(emu, base), kept.kept[0], kept.kept[1], kept.kept[2])
	dir, err := writeFloorSetup(floorSetup{Steps: steps, CookieBytes: kept.cookieBytes, TokenBytes: floorTokenBytes})
	if err != nil {
		return floorReport{}, nil, err
	}
	defer os.RemoveAll(dir)
	self, err := os.Executable()
	if err != nil {
		return floorReport{}, nil, err
	}
	// As -page waits for its bare server: until it answers, it ends, or ten seconds pass.
	c, err := startChild(ctx, childSpec{name: "floor server", bin: self, stderr: os.Stderr,
		env:   append([]string{floorEnv + "=http://" + upAddr + "/", "LOADTEST_FLOOR_DIR=" + dir, "LOADTEST_FLOOR_ADDR=" + addr}, o.serverEnv...),
		ready: healthz(base), readyWithin: 10 * time.Second})
	if err != nil {
		return floorReport{}, nil, err
	}
	defer c.stop()
	r, err := measureFloor(ctx, o, emu, base, people, c.pid())
	return r, steps, err
}

// floorAuthorize registers the web app "floor" for the floor server at base, and is the
// address of PingOne's sign-in it sends the browser to.
func floorAuthorize(emu *pingonetest.Server, base string) string {
	emu.AddApp(pingonetest.App{ClientID: "floor", ClientSecret: ids.Token(24), RedirectURIs: []string{base + "/auth/callback"}})
	return emu.AuthBase() + "/" + emu.EnvironmentID() + "/as/authorize?" + url.Values{
		"client_id": {"floor"}, "redirect_uri": {base + "/auth/callback"}, "response_type": {"code"}, "scope": {"openid profile"},
		"state": {ids.Token(16)}, "nonce": {ids.Token(16)}, "code_challenge": {ids.Token(32)}, "code_challenge_method": {"S256"},
	}.Encode()
}

// writeFloorSetup writes the floor server's setup into a new temporary directory, which the
// caller removes.
func writeFloorSetup(setup floorSetup) (dir string, err error) {
	b, err := json.Marshal(setup)
	if err != nil {
		return "", err
	}
	if dir, err = os.MkdirTemp("", "loadtest-floor"); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "floor.json"), b, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// measureFloor runs the people's journeys through the floor server at base, process pid, and
// reads its CPU time and memory around them.
func measureFloor(ctx context.Context, o options, emu *pingonetest.Server, base string, people []person, pid int) (floorReport, error) {
	var r floorReport
	r.startRSS, _ = rss(pid, "VmRSS")
	cpuBefore, err := cpuTime(pid)
	if err != nil {
		return r, err
	}
	results, _, _, wall := runJourneys(ctx, o, emu, base, people, nil, 0)
	r.wall = wall
	r.peakRSS, _ = rss(pid, "VmHWM")
	cpuAfter, err := cpuTime(pid)
	if err != nil {
		return r, err
	}
	r.cpu = cpuAfter.sub(cpuBefore)
	for _, res := range results {
		if res.err != nil {
			return r, res.err
		}
	}
	return r, nil
}

// perJourney is route's calls per journey during the run.
func perJourney(calls, before map[string]int, route string, n int) float64 {
	return float64(calls[route]-before[route]) / float64(n)
}

// floorMode runs the same people's journeys through the floor server, with the first
// employee's pages, and prints its figures beside the portal's.
func floorMode(ctx context.Context, o options, out io.Writer, emu *pingonetest.Server, people []person, kept *journey, portalCalls float64, portal floorReport) error {
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
