package redistest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// recorder stands in for the test given to Start, to see whether it skips or fails.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Fatal(args ...any) { r.fatal = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Skip(args ...any)  { r.skip = fmt.Sprint(args...); runtime.Goexit() }

// TestMissingServer checks the rule for a machine without redis-server: skip with a message,
// but fail when CI is set, so CI cannot pass by skipping.
func TestMissingServer(t *testing.T) {
	t.Setenv("REDIS_SERVER", "/nonexistent/redis-server")
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Start(r)
		}()
		<-done
		switch {
		case ci == "" && (r.skip == "" || r.fatal != ""):
			t.Errorf("without CI: skip %q, fatal %q; want a skip", r.skip, r.fatal)
		case ci != "" && (r.fatal == "" || r.skip != "" || !strings.Contains(r.fatal, "CI is set")):
			t.Errorf("with CI: skip %q, fatal %q; want a failure", r.skip, r.fatal)
		}
	}
}

// TestKillRestart checks the outage tool itself: after Kill nothing answers, after Restart the
// same address does.
func TestKillRestart(t *testing.T) {
	s := Start(t)
	if err := s.ping(); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	if err := s.ping(); err == nil {
		t.Fatal("answers after Kill")
	}
	s.Restart()
	if err := s.ping(); err != nil {
		t.Fatalf("after Restart: %v", err)
	}
}
