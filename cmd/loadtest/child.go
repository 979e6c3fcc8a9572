package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/smsmfa/portal/internal/logging"
)

// stopGrace is how long a child process has to end after SIGTERM before it is killed.
const stopGrace = 10 * time.Second

// childSpec is a server process the load tool starts and measures: the built portal, the load
// tool itself as the bare or the floor server, redis-server.
type childSpec struct {
	// name names the process in errors, such as "portal" or "floor server".
	name string
	bin  string
	args []string
	// env is added to the load tool's own environment.
	env []string
	// ready returns once the process serves (healthz, dialable), or an error when ctx ends first.
	// Nil: started is ready.
	ready func(ctx context.Context) error
	// readyWithin bounds the wait for ready; zero waits as long as the context lasts.
	readyWithin time.Duration
	// stderr, when set, also receives the process's standard error, which is always kept.
	stderr io.Writer
	// grace replaces stopGrace (tests).
	grace time.Duration
}

// child is a started server process. It is stopped by stop, or when the context it was started
// with ends: SIGTERM, then SIGKILL after its grace.
type child struct {
	name     string
	cmd      *exec.Cmd
	grace    time.Duration
	log      logging.Buffer
	exited   chan struct{}
	waitErr  error // set before exited closes
	stopOnce sync.Once
}

// startChild starts the process and waits until it is ready. When it ends or is not ready in
// time, the error says so with what it wrote to its standard error, and it is stopped.
func startChild(ctx context.Context, s childSpec) (*child, error) {
	c := &child{name: s.name, grace: cmp.Or(s.grace, stopGrace), exited: make(chan struct{})}
	c.cmd = exec.Command(s.bin, s.args...)
	c.cmd.Env = append(os.Environ(), s.env...)
	c.cmd.Stderr = &c.log
	if s.stderr != nil {
		c.cmd.Stderr = io.MultiWriter(&c.log, s.stderr)
	}
	// Wait returns even if something the process started holds its standard error open.
	c.cmd.WaitDelay = c.grace
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the %s: %w", s.name, err)
	}
	go func() { c.waitErr = c.cmd.Wait(); close(c.exited) }()
	go func() {
		select {
		case <-ctx.Done():
			c.stop()
		case <-c.exited:
		}
	}()
	if err := c.waitReady(ctx, s); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// waitReady runs s.ready until it returns, the process ends, or s.readyWithin passes.
func (c *child) waitReady(ctx context.Context, s childSpec) error {
	if s.ready == nil {
		return nil
	}
	if s.readyWithin > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.readyWithin)
		defer cancel()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-c.exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := s.ready(ctx)
	if err == nil {
		return nil
	}
	select {
	case <-c.exited:
		return fmt.Errorf("the %s ended before it was ready: %v\n%s", c.name, c.waitErr, c.log.String())
	default:
		return fmt.Errorf("%s: %w\n%s", c.name, err, c.log.String())
	}
}

// pid is the process's ID, for its figures in /proc.
func (c *child) pid() int { return c.cmd.Process.Pid }

// stderr is what the process has written to its standard error so far.
func (c *child) stderr() string { return c.log.String() }

// done is closed once the process has ended; err then says how.
func (c *child) done() <-chan struct{} { return c.exited }

// err is how the process ended (after done), as exec.Cmd.Wait reports it.
func (c *child) err() error {
	<-c.exited
	return c.waitErr
}

// stop sends the process SIGTERM, kills it if it has not ended after its grace, and returns
// once it has ended. It may be called more than once, and at the same time.
func (c *child) stop() {
	c.stopOnce.Do(func() {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		t := time.NewTimer(c.grace)
		defer t.Stop()
		select {
		case <-c.exited:
		case <-t.C:
			_ = c.cmd.Process.Kill()
		}
	})
	<-c.exited
}

// healthz is a childSpec.ready: the server at base answers 200 to /healthz.
func healthz(base string) func(context.Context) error {
	return func(ctx context.Context) error { return waitHealthy(ctx, base) }
}

// dialable is a childSpec.ready: addr accepts a TCP connection.
func dialable(addr string) func(context.Context) error {
	return func(ctx context.Context) error {
		var d net.Dialer
		for {
			conn, err := d.DialContext(ctx, "tcp", addr)
			if err == nil {
				return conn.Close()
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s does not accept connections: %w", addr, err)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}
