package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// floorJourney is the portal's journey, request by request: the link and the sign-in's start
// (two redirects, the second to PingOne's sign-in at authorize), the callback (the code
// exchange and the read of the user), the form (the step-up's device list), "Send code" (list
// and create), the code page, the code (activation and mfaEnabled), the list (its recent
// activity: PingOne's activities, issue #23). Its calls add
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
		{Method: http.MethodGet, Path: "/devices", Calls: 1, Page: list},
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
	emu.AddApp(pingonetest.App{ClientID: "floor", ClientSecret: ids.Token(24), RedirectURIs: []string{base + "/auth/callback"}})
	authorize := emu.AuthBase() + "/" + emu.EnvironmentID() + "/as/authorize?" + url.Values{
		"client_id": {"floor"}, "redirect_uri": {base + "/auth/callback"}, "response_type": {"code"}, "scope": {"openid profile"},
		"state": {ids.Token(16)}, "nonce": {ids.Token(16)}, "code_challenge": {ids.Token(32)}, "code_challenge_method": {"S256"},
	}.Encode()
	steps := floorJourney(authorize, kept.kept[0], kept.kept[1], kept.kept[2])
	dir, err := os.MkdirTemp("", "loadtest-floor")
	if err != nil {
		return floorReport{}, nil, err
	}
	defer os.RemoveAll(dir)
	b, err := json.Marshal(floorSetup{Steps: steps, CookieBytes: kept.cookieBytes, TokenBytes: floorTokenBytes})
	if err != nil {
		return floorReport{}, nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "floor.json"), b, 0o644); err != nil {
		return floorReport{}, nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return floorReport{}, nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), floorEnv+"=http://"+upAddr+"/", "LOADTEST_FLOOR_DIR="+dir, "LOADTEST_FLOOR_ADDR="+addr)
	cmd.Env = append(cmd.Env, o.serverEnv...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return floorReport{}, nil, err
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	}()
	// As -page waits for its bare server: until it answers, it ends, or ten seconds pass.
	waitCtx, cancelWait := context.WithTimeout(ctx, 10*time.Second)
	defer cancelWait()
	go func() {
		select {
		case <-exited:
			cancelWait()
		case <-waitCtx.Done():
		}
	}()
	if err := waitHealthy(waitCtx, base); err != nil {
		select {
		case <-exited:
			return floorReport{}, nil, fmt.Errorf("the floor server ended: %v", waitErr)
		default:
			return floorReport{}, nil, fmt.Errorf("floor server: %w", err)
		}
	}

	var r floorReport
	r.startRSS, _ = rss(cmd.Process.Pid, "VmRSS")
	cpuBefore, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return r, nil, err
	}
	results, _, _, wall := runJourneys(ctx, o, emu, base, people, nil, 0)
	r.wall = wall
	r.peakRSS, _ = rss(cmd.Process.Pid, "VmHWM")
	cpuAfter, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return r, nil, err
	}
	r.cpu = cpuAfter.sub(cpuBefore)
	for _, res := range results {
		if res.err != nil {
			return r, nil, res.err
		}
	}
	return r, steps, nil
}
