package portaltest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// stopTimeout is how long a command may take to return once its context ends: generous, since
// the race detector on a shared machine slows a graceful shutdown down.
const stopTimeout = 20 * time.Second

// FreeAddr returns a loopback address that nothing listened on a moment ago, for a server the
// test starts later (or never, to stand for one that is down).
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// StartCommand runs a program's run function in the background, as its main would, and
// returns the banner run writes to stdout: "name: value" lines, up to the one named last (the
// rest of the output is drained). stop ends run's context and waits for run to return, failing
// the test if run returns an error or does not return in time; the test's cleanup calls it too.
func StartCommand(t testing.TB, last string, run func(ctx context.Context, stdout io.Writer) error) (banner map[string]string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, pw)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	stop = sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after its context ended", err)
			}
		case <-time.After(stopTimeout):
			t.Error("run did not return after its context ended")
		}
	})
	t.Cleanup(stop)
	banner = map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			// Unblock run's writes first, so that stop does not wait for nothing.
			_ = pr.CloseWithError(errors.New("bad banner"))
			t.Fatalf("banner line %q is not name: value", sc.Text())
		}
		banner[name] = value
		if name == last {
			// Keep draining so that run never blocks on a write.
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			return banner, stop
		}
	}
	_ = pr.CloseWithError(errors.New("banner ended early"))
	t.Fatalf("the banner ended before %q: %v (%v)", last, banner, sc.Err())
	return nil, stop
}
