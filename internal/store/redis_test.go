package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/smsmfa/portal/internal/logging"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/testkit/redistest"
)

func newRedis(t *testing.T, url, prefix string) *store.Redis {
	t.Helper()
	r, err := store.NewRedis(context.Background(), url, prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// rawClient looks at the server without the store, to see what the store really wrote.
func rawClient(t *testing.T, srv *redistest.Server, db int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: srv.Password(), DB: db})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestRedisSharedAcrossInstances is the reason for the store: two portal instances, each with
// its own client, hold one limit together, in sequence and in parallel.
func TestRedisSharedAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	a := newRedis(t, srv.URL(0), "portal:")
	b := newRedis(t, srv.URL(0), "portal:")

	for i, s := range []store.Store{a, b, a} {
		if r, err := s.Reserve(ctx, "texts:+15125551234", 3, time.Hour); err != nil || !r.OK {
			t.Fatalf("reservation %d: %+v, %v", i+1, r, err)
		}
	}
	if r, _ := b.Reserve(ctx, "texts:+15125551234", 3, time.Hour); r.OK {
		t.Fatal("instance b passed a limit that a and b had filled")
	}

	if err := a.Set(ctx, "session:abc", []byte("alice"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(ctx, "session:abc"); err != nil || string(v) != "alice" {
		t.Fatalf("b reads a's session: %q, %v", v, err)
	}
	if err := b.Delete(ctx, "session:abc"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, "session:abc"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a still has the session b signed out: %v", err)
	}

	var granted atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		s := []store.Store{a, b}[i%2]
		wg.Go(func() {
			r, err := s.Reserve(ctx, "race", 3, time.Hour)
			if err != nil {
				t.Error(err)
			}
			if r.OK {
				granted.Add(1)
			}
		})
	}
	wg.Wait()
	if granted.Load() != 3 {
		t.Fatalf("%d of 50 reservations over two instances granted against a limit of 3", granted.Load())
	}
}

// TestRedisKeys checks what lands in Redis: in the URL's database, under the prefix, each key
// with a TTL (nothing grows without bound), and nothing shared between prefixes.
func TestRedisKeys(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	s := newRedis(t, srv.URL(3), "mfa-portal:")
	other := newRedis(t, srv.URL(3), "other-portal:")

	if err := s.Set(ctx, "session:1", []byte("x"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetNX(ctx, "cooldown:1", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, "texts:+15125551234", 3, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.Attempt(ctx, "code:dev1", 2, 15*time.Minute, 15*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Wait(ctx, "texts:+15125559999", 3, time.Minute); err != nil {
		t.Fatal(err)
	}

	raw := rawClient(t, srv, 3)
	keys, err := raw.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	// session, cooldown, the texts log, and the code log and its lock; Wait on a
	// fresh key writes nothing.
	if len(keys) != 5 {
		t.Fatalf("keys in db 3: %q, want 5", keys)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "mfa-portal:") {
			t.Errorf("key %q lacks the prefix", k)
		}
		ttl, err := raw.PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 {
			t.Errorf("key %q has no expiry (PTTL %v, %v)", k, ttl, err)
		}
	}
	if n, _ := rawClient(t, srv, 0).DBSize(ctx).Result(); n != 0 {
		t.Errorf("db 0 has %d keys; the URL named db 3", n)
	}

	// The same names under another prefix are another portal's.
	if _, err := other.Get(ctx, "session:1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another prefix reads the session: %v", err)
	}
	if r, _ := other.Attempt(ctx, "code:dev1", 2, 15*time.Minute, 15*time.Minute); !r.OK {
		t.Error("another prefix shares the lock")
	}
}

// TestRedisOutage kills Redis mid-use: every call fails closed with ErrUnavailable (no slot is
// granted, no session is "not found"), Ping says so, and the same store recovers by itself when
// Redis is back.
func TestRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	var logs logging.Buffer
	store.SetRedisLogger(slog.New(slog.NewJSONHandler(&logs, nil)))
	s := newRedis(t, srv.URL(0), "portal:")
	if r, err := s.Reserve(ctx, "k", 3, time.Hour); err != nil || !r.OK {
		t.Fatal(r, err)
	}
	held, err := s.Reserve(ctx, "k", 3, time.Hour)
	if err != nil || !held.OK {
		t.Fatal(held, err)
	}

	srv.Kill()
	start := time.Now()
	checkAllUnavailable(t, s)
	if err := held.Cancel(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Cancel while down: %v", err)
	}
	// Failing closed must also be quick: a request is not held for long while Redis is gone.
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("the failing calls took %v", d)
	}
	err = s.Ping(ctx)
	if !errors.Is(err, store.ErrUnavailable) || strings.Contains(err.Error(), srv.Password()) {
		t.Fatalf("Ping while down: %v", err)
	}

	// go-redis's complaints come out as JSON warnings through the portal's logger.
	if logs.String() == "" {
		t.Error("go-redis logged nothing through SetRedisLogger while Redis was down")
	}
	for line := range strings.Lines(logs.String()) {
		var rec struct{ Level, Msg, Message string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Level != "WARN" || rec.Msg != "redis client" {
			t.Errorf("log line %q, %v", line, err)
		}
		if strings.Contains(line, srv.Password()) {
			t.Errorf("log line has the password: %s", line)
		}
	}

	srv.Restart()
	deadline := time.Now().Add(15 * time.Second)
	for s.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the store did not recover within 15s: %v", s.Ping(ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The restarted Redis kept nothing (no persistence in the test): the limit starts afresh.
	for i := range 3 {
		if r, err := s.Reserve(ctx, "k", 3, time.Hour); err != nil || !r.OK {
			t.Fatalf("reservation %d after recovery: %+v, %v", i+1, r, err)
		}
	}
	if r, _ := s.Reserve(ctx, "k", 3, time.Hour); r.OK {
		t.Fatal("limit not enforced after recovery")
	}
}

// TestNewRedisErrors checks that bad settings are reported at start, and that no error repeats
// the password the URL carries.
func TestNewRedisErrors(t *testing.T) {
	srv := redistest.Start(t)
	const secret = "s3cr3t-Passw0rd"
	down := "127.0.0.1:1" // nothing listens on port 1
	cases := []struct {
		name        string
		url, prefix string
		unavailable bool
	}{
		{"wrong password", "redis://:" + secret + "@" + srv.Addr() + "/0", "p:", true},
		{"nothing listening", "redis://:" + secret + "@" + down + "/0?dial_timeout=300ms", "p:", true},
		{"not a URL", "redis://:" + secret + "@127.0.0.1:bad port/0", "p:", false},
		{"wrong scheme", "http://:" + secret + "@" + srv.Addr(), "p:", false},
		{"bad database", "redis://:" + secret + "@" + srv.Addr() + "/x", "p:", false},
		{"unknown option", "redis://:" + secret + "@" + srv.Addr() + "/0?colour=blue", "p:", false},
		{"braces in prefix", srv.URL(0), "p{1}:", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := store.NewRedis(context.Background(), c.url, c.prefix)
			if err == nil {
				_ = s.Close()
				t.Fatal("no error")
			}
			if errors.Is(err, store.ErrUnavailable) != c.unavailable {
				t.Errorf("errors.Is(ErrUnavailable) = %v, want %v: %v", !c.unavailable, c.unavailable, err)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), srv.Password()) {
				t.Errorf("error repeats the password: %v", err)
			}
		})
	}
}

// TestRedisSentinel reaches the primary through a real Sentinel (master_name in the URL, the
// primary's password as password=): limits and values work, and land on the primary.
func TestRedisSentinel(t *testing.T) {
	primary := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, primary, "portal")
	ctx := context.Background()
	url := fmt.Sprintf("redis://%s/2?master_name=portal&password=%s&dial_timeout=500ms", sentinel.Addr(), primary.Password())
	s := newRedis(t, url, "mfa-portal:")

	for i := range 2 {
		if r, err := s.Reserve(ctx, "texts:+15125551234", 2, time.Hour); err != nil || !r.OK {
			t.Fatalf("reservation %d through Sentinel: %+v, %v", i+1, r, err)
		}
	}
	if r, err := s.Reserve(ctx, "texts:+15125551234", 2, time.Hour); err != nil || r.OK {
		t.Fatalf("third reservation: %+v, %v; want refused", r, err)
	}
	if err := s.Set(ctx, "session:1", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, err := rawClient(t, primary, 2).Get(ctx, "mfa-portal:kv:session:1").Result(); err != nil || v != "v" {
		t.Fatalf("the primary's db 2 holds %q, %v", v, err)
	}
}
