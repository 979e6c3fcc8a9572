// Package redistest runs a real redis-server (Debian's, /usr/bin/redis-server) for tests: on a
// free loopback port, in a temporary directory, with a password and no persistence, stopped
// when the test ends. Without redis-server the test is skipped with a message, or fails when
// the environment variable CI is set, so that CI can never pass by skipping.
package redistest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/ids"
)

// Server is one redis-server process, which can be killed and started again on the same port
// to test an outage.
type Server struct {
	t        testing.TB
	bin      string
	dir      string
	port     int
	password string
	// monitor, for a Sentinel, is the primary it watches and the name it gives it.
	monitor     *Server
	monitorName string
	// cluster runs the server as a one-node Redis Cluster holding every slot.
	cluster bool

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan error // receives the running process's exit
}

// Binary returns the redis-server to run: $REDIS_SERVER, else /usr/bin/redis-server, else one
// on $PATH; "" when there is none (or $REDIS_SERVER names a file that is not there).
func Binary() string {
	if b := os.Getenv("REDIS_SERVER"); b != "" {
		if _, err := os.Stat(b); err != nil {
			return ""
		}
		return b
	}
	if _, err := os.Stat("/usr/bin/redis-server"); err == nil {
		return "/usr/bin/redis-server"
	}
	if b, err := exec.LookPath("redis-server"); err == nil {
		return b
	}
	return ""
}

// Start runs a redis-server for the test and stops it at the test's end.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, false)
}

// StartCluster runs a one-node Redis Cluster holding all 16384 slots: a real Cluster, which
// refuses a script or command whose keys lie in different slots (CROSSSLOT).
func StartCluster(t testing.TB) *Server {
	t.Helper()
	s := start(t, true)
	if _, err := s.Do("CLUSTER", "ADDSLOTSRANGE", "0", "16383"); err != nil {
		t.Fatalf("redistest: assigning the slots: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := s.Do("CLUSTER", "INFO")
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("redistest: cluster not ok within 10s: %q, %v", info, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func start(t testing.TB, cluster bool) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		msg := "redis-server not found (apt-get install redis-server, or set REDIS_SERVER)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + ": CI is set, so the Redis tests must run")
		}
		t.Skip(msg)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), password: ids.Token(12), cluster: cluster}
	s.startOnFreePort("redis-server")
	return s
}

// StartSentinel runs a redis-server in Sentinel mode, without a password of its own, watching
// primary under the name name, and stops it at the test's end.
func StartSentinel(t testing.TB, primary *Server, name string) *Server {
	t.Helper()
	s := &Server{t: t, bin: primary.bin, dir: t.TempDir(), monitor: primary, monitorName: name}
	s.startOnFreePort("redis-server --sentinel")
	return s
}

// startOnFreePort starts s on a free port and kills it at the test's end; what names the
// command in the failure message. A port found free can be taken by someone else before redis
// binds it, so it tries a few.
func (s *Server) startOnFreePort(what string) {
	s.t.Helper()
	var err error
	for range 5 {
		if s.port, err = freePort(); err != nil {
			continue
		}
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		s.t.Fatalf("redistest: starting %s: %v", what, err)
	}
	s.t.Cleanup(s.Kill)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Addr is the server's host:port on 127.0.0.1.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Password is the server's requirepass.
func (s *Server) Password() string { return s.password }

// URL is a redis:// URL for database db, with the password and short timeouts so that an
// outage shows quickly.
func (s *Server) URL(db int) string {
	return fmt.Sprintf("redis://:%s@%s/%d?dial_timeout=500ms&read_timeout=500ms&write_timeout=500ms",
		s.password, s.Addr(), db)
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	args := []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(s.port),
		"--dir", s.dir, "--daemonize", "no", "--loglevel", "warning",
		"--logfile", filepath.Join(s.dir, "redis.log")}
	if s.monitor != nil {
		// A Sentinel rewrites its configuration file, so it needs one of its own.
		conf := filepath.Join(s.dir, "sentinel.conf")
		text := fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 1\nsentinel auth-pass %s %s\n",
			s.monitorName, s.monitor.port, s.monitorName, s.monitor.password)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			return err
		}
		args = append([]string{conf, "--sentinel"}, args...)
	} else {
		args = append(args, "--save", "", "--appendonly", "no", "--requirepass", s.password)
	}
	if s.cluster {
		args = append(args, "--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(s.dir, "nodes.conf"),
			"--masterauth", s.password)
	}
	cmd := exec.Command(s.bin, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running %s: %w", s.bin, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := s.ping(); err == nil {
			s.cmd, s.exited = cmd, done
			return nil
		}
		select {
		case err := <-done:
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server on port %d exited (%v): %s", s.port, err, strings.TrimSpace(string(log)))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("redis-server on port %d did not answer within 10s", s.port)
		}
	}
}

// ping speaks just enough RESP to know the server is up, without the client under test.
func (s *Server) ping() error {
	c, err := net.DialTimeout("tcp", s.Addr(), 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	want := []string{"+PONG"}
	if s.password != "" {
		fmt.Fprintf(c, "AUTH %s\r\n", s.password)
		want = []string{"+OK", "+PONG"}
	}
	fmt.Fprintf(c, "PING\r\n")
	r := bufio.NewReader(c)
	for _, want := range want {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if strings.TrimSpace(line) != want {
			return fmt.Errorf("redis answered %q, want %q", strings.TrimSpace(line), want)
		}
	}
	return nil
}

// Do sends one command (after AUTH) and returns a simple, integer or bulk answer as text, for
// setting a server up without the client under test.
func (s *Server) Do(args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	if s.password != "" {
		fmt.Fprintf(c, "AUTH %s\r\n", s.password)
		if line, err := r.ReadString('\n'); err != nil || strings.TrimSpace(line) != "+OK" {
			return "", fmt.Errorf("AUTH: %q, %v", line, err)
		}
	}
	fmt.Fprintf(c, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c, "$%d\r\n%s\r\n", len(a), a)
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch {
	case line == "":
		return "", fmt.Errorf("empty answer")
	case line[0] == '-':
		return "", fmt.Errorf("redis: %s", line[1:])
	case line[0] == '+' || line[0] == ':':
		return line[1:], nil
	case line[0] == '$' || line[0] == '=':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	default:
		return "", fmt.Errorf("answer %q not understood", line)
	}
}

// Kill stops the server at once (SIGKILL, no goodbye to clients), as a crash would.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd, s.exited = nil, nil
}

// Restart starts the server again on the same port and password, empty (no persistence).
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	var err error
	// The old socket may linger for a moment; retry rather than give up on the port.
	for range 20 {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("redistest: restarting redis-server: %v", err)
}
