package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone/pingonetest"
	"github.com/smsmfa/portal/testkit/redistest"
)

// harness is one fresh, empty store for one test, and a way to let time pass for it.
type harness struct {
	s       store.Store
	advance func(time.Duration)
	// ttl is how long the value under key (a raw key, as given to Set) has left (0: none).
	ttl func(key string) time.Duration
}

// Windows in the suite: long ones never pass during a test; short ones are passed with advance
// (instant on Memory's fake clock, real sleeps on Redis, whose scripts use Redis's own clock).
const (
	long  = time.Hour
	short = 600 * time.Millisecond
)

// families are the record families of the contract every Store keeps, each in its own file
// (suite_<family>_test.go): a new family of records adds one row here and one file.
var families = []struct {
	name string
	run  func(t *testing.T, newStore func(t *testing.T) harness)
}{
	{"values", suiteValues},
	{"reservations", suiteReservations},
	{"counters", suiteCounters},
	{"sessions", suiteSessions},
	{"devicecache", suiteDeviceCache},
	{"replacements", suiteReplacements},
	{"history", suiteHistory},
	{"callers", testCallerRecords},
	{"approvals", testApprovalRecords},
}

// runSuite is the contract every Store keeps; it runs against Memory and Redis alike.
func runSuite(t *testing.T, newStore func(t *testing.T) harness) {
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) { f.run(t, newStore) })
	}
}

func TestMemory(t *testing.T) {
	runSuite(t, func(t *testing.T) harness {
		clock := &pingonetest.Clock{Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
		m := store.NewMemory(store.MemoryOptions{Now: clock.Now})
		t.Cleanup(func() { _ = m.Close() })
		return harness{s: m, advance: clock.Advance, ttl: func(key string) time.Duration { return store.MemoryTTL(m, key) }}
	})
}

func TestRedis(t *testing.T) {
	srv := redistest.Start(t)
	runSuite(t, func(t *testing.T) harness {
		// Each test has its own prefix on the one server, so tests cannot see each other's keys.
		prefix := fmt.Sprintf("test:%s:", t.Name())
		r, err := store.NewRedis(context.Background(), srv.URL(1), prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		return harness{s: r, advance: time.Sleep, ttl: redisTTL(t, rawClient(t, srv, 1), prefix)}
	})
}

// TestRedisCluster runs the contract on a real (one-node) Redis Cluster through go-redis's
// cluster client: a limit's two keys must share a slot, or Redis refuses the scripts.
func TestRedisCluster(t *testing.T) {
	srv := redistest.StartCluster(t)
	url := fmt.Sprintf("redis://:%s@%s?cluster=true&dial_timeout=500ms", srv.Password(), srv.Addr())
	runSuite(t, func(t *testing.T) harness {
		prefix := fmt.Sprintf("test:%s:", t.Name())
		r, err := store.NewRedis(context.Background(), url, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		return harness{s: r, advance: time.Sleep, ttl: redisTTL(t, rawClient(t, srv, 0), prefix)}
	})
}

// redisTTL reads a value's TTL on the server itself, where Redis puts it (prefix, "kv:", key).
func redisTTL(t *testing.T, c *redis.Client, prefix string) func(key string) time.Duration {
	return func(key string) time.Duration {
		d, err := c.PTTL(context.Background(), prefix+"kv:"+key).Result()
		if err != nil {
			t.Fatalf("PTTL %s: %v", key, err)
		}
		return max(d, 0)
	}
}
