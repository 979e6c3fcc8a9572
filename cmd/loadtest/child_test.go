package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testChildEnv, set to a mode, makes the test binary the process the child helper's tests
// start (see testChild).
const testChildEnv = "LOADTEST_TEST_CHILD"

// testChild is the test binary as a child process. It writes its pid to its standard error,
// then by mode: "fail" ends at once with status 3; "serve" answers /healthz on
// $LOADTEST_TEST_ADDR and ends on SIGTERM; "stubborn" serves but ignores SIGTERM; "mute" never
// serves and ends on SIGTERM.
func testChild(mode string) {
	fmt.Fprintf(os.Stderr, "pid %d\n", os.Getpid())
	if mode == "fail" {
		fmt.Fprintln(os.Stderr, "bad configuration: NOPE is not set")
		os.Exit(3)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	if mode == "serve" || mode == "stubborn" {
		ln, err := net.Listen("tcp", os.Getenv("LOADTEST_TEST_ADDR"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go func() {
			_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") }))
		}()
	}
	for range sigs {
		if mode == "stubborn" {
			fmt.Fprintln(os.Stderr, "ignoring SIGTERM")
			continue
		}
		fmt.Fprintln(os.Stderr, "got SIGTERM")
		os.Exit(0)
	}
}

// startTestChild starts the test binary as a child in mode, ready when it answers /healthz
// unless spec says otherwise.
func startTestChild(t *testing.T, ctx context.Context, mode string, spec childSpec) (*child, string, error) {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	spec.name, spec.bin = "test child", self
	spec.env = []string{testChildEnv + "=" + mode, "LOADTEST_TEST_ADDR=" + addr}
	if spec.ready == nil {
		spec.ready = healthz("http://" + addr)
	}
	c, err := startChild(ctx, spec)
	return c, "http://" + addr, err
}

// gone reports whether no process pid exists any more (it ended and was waited for).
func gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// TestChildStartsServesAndStops: once startChild returns, the child serves; its standard error
// is kept; stop ends it with SIGTERM, which it handles, well within the grace.
func TestChildStartsServesAndStops(t *testing.T) {
	c, base, err := startTestChild(t, context.Background(), "serve", childSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.stop()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
	if want := fmt.Sprintf("pid %d\n", c.pid()); !strings.Contains(c.stderr(), want) {
		t.Errorf("stderr %q, want %q in it", c.stderr(), want)
	}
	start := time.Now()
	c.stop()
	if took := time.Since(start); took > stopGrace/2 {
		t.Errorf("stop took %v", took)
	}
	if err := c.err(); err != nil || !strings.Contains(c.stderr(), "got SIGTERM") {
		t.Errorf("ended with %v, stderr %q; want status 0 after SIGTERM", err, c.stderr())
	}
	if !gone(c.pid()) {
		t.Error("the process is still there")
	}
	c.stop() // again: returns at once
}

// TestChildKilledAfterGrace: a child that ignores SIGTERM is killed once its grace has passed.
func TestChildKilledAfterGrace(t *testing.T) {
	const grace = 300 * time.Millisecond
	c, _, err := startTestChild(t, context.Background(), "stubborn", childSpec{grace: grace})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c.stop()
	if took := time.Since(start); took < grace || took > grace+5*time.Second {
		t.Errorf("stop took %v, want the grace of %v and a little", took, grace)
	}
	var exit *exec.ExitError
	if err := c.err(); !errors.As(err, &exit) || !exit.Sys().(syscall.WaitStatus).Signaled() || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("ended with %v, want killed", err)
	}
	if !strings.Contains(c.stderr(), "ignoring SIGTERM") {
		t.Errorf("stderr %q: SIGTERM was not sent first", c.stderr())
	}
}

// TestChildEndingBeforeReadyIsReported: a child that ends before it serves (a configuration
// error) is reported at once, with its exit status and its standard error, without waiting
// for the context to end.
func TestChildEndingBeforeReadyIsReported(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	_, _, err := startTestChild(t, ctx, "fail", childSpec{})
	if err == nil {
		t.Fatal("started")
	}
	for _, want := range []string{"test child ended before it was ready", "exit status 3", "NOPE is not set"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want %q in it", err, want)
		}
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %v: waited for the context", took)
	}
}

// TestChildNotReadyInTimeIsStopped: a child that does not serve within readyWithin is
// reported with its standard error, and stopped.
func TestChildNotReadyInTimeIsStopped(t *testing.T) {
	_, _, err := startTestChild(t, context.Background(), "mute", childSpec{readyWithin: 2 * time.Second})
	if err == nil {
		t.Fatal("ready")
	}
	m := regexp.MustCompile(`pid (\d+)`).FindStringSubmatch(err.Error())
	if m == nil || !strings.Contains(err.Error(), "test child: the server did not start") {
		t.Fatalf("error %q: want the child's name, the reason and its standard error", err)
	}
	if pid, _ := strconv.Atoi(m[1]); !gone(pid) {
		t.Errorf("process %d is still there", pid)
	}
}

// TestChildStoppedWhenContextEnds: when the context it was started with ends, the child gets
// SIGTERM and ends.
func TestChildStoppedWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, _, err := startTestChild(t, ctx, "serve", childSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.stop()
	cancel()
	select {
	case <-c.done():
	case <-time.After(stopGrace + 5*time.Second):
		t.Fatal("still running after the context ended")
	}
	if err := c.err(); err != nil || !strings.Contains(c.stderr(), "got SIGTERM") {
		t.Errorf("ended with %v, stderr %q; want status 0 after SIGTERM", err, c.stderr())
	}
}
