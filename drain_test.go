package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMDrainsFirst runs the built binary with DRAIN_DELAY: after SIGTERM, /readyz answers
// 503 "draining" while pages are still served, and only after the delay are new connections
// refused and the process exits.
func TestSIGTERMDrainsFirst(t *testing.T) {
	cmd, addr, stderr := startBinary(t, "DRAIN_DELAY=2s")
	get := func(path string) (int, string) {
		// A new connection each time, as a load balancer's probe and a new person would open.
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
		resp, err := c.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Fatalf("readyz before SIGTERM: %d %q", code, body)
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || body != "draining\n" {
		t.Fatalf("readyz while draining: %d %q", code, body)
	}
	if code, _ := get("/"); code != http.StatusOK {
		t.Fatalf("a page while draining: %d", code)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if took := time.Since(start); err != nil || took < 2*time.Second {
			t.Fatalf("exit %v after %v (DRAIN_DELAY=2s)\n%s", err, took, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the portal did not exit after SIGTERM and DRAIN_DELAY")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("a connection was accepted after the drain")
	}
	if logs := stderr.String(); !strings.Contains(logs, `"msg":"draining"`) || !strings.Contains(logs, `"msg":"stopped"`) {
		t.Errorf("log:\n%s", logs)
	}
}
