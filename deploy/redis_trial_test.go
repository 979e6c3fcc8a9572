package deploy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTrialRedisArgsRunRedis starts Debian's redis-server with the trial component's own
// arguments (the password and data folder put in) and asks it what it runs with: the settings
// the README promises are the ones Redis took, not just words in a YAML file. Without
// redis-server it skips, unless CI is set.
func TestTrialRedisArgsRunRedis(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server is not installed (apt-get install -y redis-server)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + ": CI is set, so this test must run")
		}
		t.Skip(msg)
	}
	var args []string
	for _, d := range build(t, "trial").deployments {
		if d.Name == "mfa-portal-redis" {
			args = d.Spec.Template.Spec.Containers[0].Args
		}
	}
	if len(args) == 0 {
		t.Fatal("no trial Redis arguments")
	}
	const password = "trial-password-for-the-test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	run := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1"}
	for i, a := range args {
		switch {
		case a == "$(REDIS_PASSWORD)":
			a = password
		case i > 0 && args[i-1] == "--dir":
			a = t.TempDir()
		}
		run = append(run, a)
	}
	cmd := exec.Command(bin, run...)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	var conn net.Conn
	for deadline := time.Now().Add(10 * time.Second); ; {
		if conn, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server %v did not start: %v\n%s", run, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	ask := func(words ...string) []string {
		t.Helper()
		fmt.Fprintf(conn, "*%d\r\n", len(words))
		for _, w := range words {
			fmt.Fprintf(conn, "$%d\r\n%s\r\n", len(w), w)
		}
		return readReply(t, r)
	}
	if got := ask("PING"); len(got) != 1 || !strings.HasPrefix(got[0], "-NOAUTH") {
		t.Errorf("PING without the password: %v, want NOAUTH", got)
	}
	if got := ask("AUTH", password); len(got) != 1 || got[0] != "OK" {
		t.Fatalf("AUTH: %v", got)
	}
	for setting, want := range map[string]string{"maxmemory-policy": "noeviction", "appendonly": "yes", "appendfsync": "everysec"} {
		if got := ask("CONFIG", "GET", setting); len(got) != 2 || got[1] != want {
			t.Errorf("%s: %v, want %s", setting, got, want)
		}
	}
	if got := ask("CONFIG", "GET", "maxmemory"); len(got) != 2 || got[1] == "0" {
		t.Errorf("maxmemory: %v, want a bound", got)
	}
}

// readReply reads one RESP reply: a status or error line as one string, an array of bulk
// strings as its items.
func readReply(t *testing.T, r *bufio.Reader) []string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	line = strings.TrimRight(line, "\r\n")
	switch line[0] {
	case '+':
		return []string{line[1:]}
	case '-':
		return []string{line}
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return []string{""}
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		return []string{string(buf[:n])}
	case '*':
		n, _ := strconv.Atoi(line[1:])
		var items []string
		for range n {
			items = append(items, readReply(t, r)...)
		}
		return items
	}
	t.Fatalf("unexpected reply %q", line)
	return nil
}
