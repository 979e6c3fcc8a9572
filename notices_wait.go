package main

import (
	"context"

	"github.com/smsmfa/portal/internal/notice"
)

// waitNotices waits for the notices in flight until ctx ends: a stop does not hang on a mail
// server, and a notice cut off is already logged as not sent.
func waitNotices(ctx context.Context, s *notice.Sender) {
	done := make(chan struct{})
	go func() { s.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
