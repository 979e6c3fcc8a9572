package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/smsmfa/portal/internal/ids"
)

// RoundTrip writes a short-lived value under the key prefix, reads it back and deletes it:
// what the portal does on every request, proven end to end. A Redis that answers PING but
// refuses writes (a read-only replica after a failover, REPLICAOF, an ACL without write
// rights, out of memory under noeviction) fails it, with ErrUnavailable wrapped.
func (r *Redis) RoundTrip(ctx context.Context) error {
	key := PrefixHealth + ids.Token(8)
	want := []byte(ids.Token(8))
	if err := r.Set(ctx, key, want, 30*time.Second); err != nil {
		return err
	}
	got, err := r.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return unavailable("roundtrip", errors.New("the value just written is not there"))
	case err != nil:
		return err
	case !bytes.Equal(got, want):
		return unavailable("roundtrip", errors.New("read back another value than was written"))
	}
	return r.Delete(ctx, key)
}

// Info returns the fields of one INFO section (such as "memory" or "persistence") as name →
// value, as the server (for a Cluster, one node) answers them.
func (r *Redis) Info(ctx context.Context, section string) (map[string]string, error) {
	text, err := r.c.Info(ctx, section).Result()
	if err != nil {
		return nil, unavailable("info", err)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && !strings.HasPrefix(k, "#") {
			fields[k] = v
		}
	}
	return fields, nil
}

// ConfigGet returns one configuration parameter (CONFIG GET name), or an error when the server
// does not let this client read it (managed Redis services often rename or forbid CONFIG).
func (r *Redis) ConfigGet(ctx context.Context, name string) (string, error) {
	m, err := r.c.ConfigGet(ctx, name).Result()
	if err != nil {
		return "", unavailable("config get", err)
	}
	v, ok := m[name]
	if !ok {
		return "", fmt.Errorf("store: config get %s: no such parameter", name)
	}
	return v, nil
}

// RedisProblem sorts a Redis error into what an operator must do about it: "read-only" (a
// replica, or REPLICAOF), "password" (NOAUTH, WRONGPASS), "permission" (an ACL refused the
// command), "memory" (OOM under noeviction), "timeout", "unreachable" (no connection), or
// "error" for anything else. The words never repeat the URL or the password.
func RedisProblem(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	var re redis.Error
	if errors.As(err, &re) {
		msg = re.Error()
	}
	switch {
	case strings.Contains(msg, "READONLY"):
		return "read-only"
	case strings.Contains(msg, "NOAUTH"), strings.Contains(msg, "WRONGPASS"), strings.Contains(msg, "invalid password"):
		return "password"
	case strings.Contains(msg, "NOPERM"):
		return "permission"
	case strings.Contains(msg, "OOM"):
		return "memory"
	case errors.Is(err, context.DeadlineExceeded), strings.Contains(msg, "i/o timeout"):
		return "timeout"
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"), strings.Contains(msg, "dial tcp"),
		errors.Is(err, redis.ErrClosed):
		return "unreachable"
	}
	return "error"
}
