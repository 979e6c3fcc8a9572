package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// startBinary builds the portal and starts it in demo mode; it returns the portal's address.
func startBinary(t *testing.T, env ...string) (*exec.Cmd, string, *portaltest.Logs) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "portal")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-demo", "-listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	stdout, _ := cmd.StdoutPipe()
	var stderr portaltest.Logs
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "portal: http://"); ok {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return cmd, v, &stderr
		}
	}
	t.Fatalf("no banner; stderr:\n%s", stderr.String())
	return nil, "", nil
}

// slowRequest sends the headers and half the body of a POST, and returns a func that sends
// the rest and reads the status line.
func slowRequest(t *testing.T, addr string) func() string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	body := "csrf=aaaaaaaaaaaaaaaaaaaa"
	fmt.Fprintf(conn, "POST /auth/logout HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:10])
	return func() string {
		_, _ = io.WriteString(conn, body[10:])
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, _ := bufio.NewReader(conn).ReadString('\n')
		return line
	}
}

func TestSIGTERMLetsRequestsInFlightFinish(t *testing.T) {
	cmd, addr, stderr := startBinary(t)
	finish := slowRequest(t, addr)
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	// New connections are refused while the request in flight is still served.
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted after SIGTERM")
	}
	if status := finish(); !strings.HasPrefix(status, "HTTP/1.1 ") {
		t.Fatalf("the request in flight got no answer: %q", status)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the portal did not exit after SIGTERM")
	}
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no stop line in the log:\n%s", stderr.String())
	}
}

func TestSIGTERMShutdownIsBounded(t *testing.T) {
	cmd, addr, stderr := startBinary(t, "SHUTDOWN_TIMEOUT=1s")
	_ = slowRequest(t, addr) // never finished
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if took := time.Since(start); err != nil || took > 5*time.Second {
		t.Fatalf("exit %v after %v\n%s", err, took, stderr.String())
	}
	if !strings.Contains(stderr.String(), "shutdown timeout reached") {
		t.Errorf("no warning about the cut-off request:\n%s", stderr.String())
	}
}
