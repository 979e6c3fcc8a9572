// Package logging gives every log line the request's ID, from the context, and collects log
// output that several goroutines write (Buffer).
package logging

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"

	"github.com/smsmfa/portal/internal/ctxkey"
)

var requestIDKey = ctxkey.New[string]("request ID")

// WithRequestID returns a context carrying the request ID.
func WithRequestID(ctx context.Context, id string) context.Context { return requestIDKey.With(ctx, id) }

// RequestID returns the context's request ID, or "".
func RequestID(ctx context.Context) string { return requestIDKey.Value(ctx) }

type handler struct{ slog.Handler }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h handler) WithAttrs(as []slog.Attr) slog.Handler { return handler{h.Handler.WithAttrs(as)} }
func (h handler) WithGroup(n string) slog.Handler       { return handler{h.Handler.WithGroup(n)} }

// New returns a JSON logger on w that adds request_id to every line logged with a context.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(handler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// Buffer collects log output, such as a child process's stderr, that is written while it is
// read: its zero value is ready, and Write and String may be called at the same time.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; it never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
