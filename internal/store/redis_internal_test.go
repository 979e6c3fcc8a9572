package store

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestNewRedisClientKinds checks that a URL picks the right client (no connection is made):
// one server, Sentinel (master_name) or Cluster (cluster=true or several addr), TLS for rediss.
func TestNewRedisClientKinds(t *testing.T) {
	cases := []struct {
		url     string
		cluster bool
		tls     bool
		addr    string
		db      int
	}{
		{url: "redis://:pw@127.0.0.1:6380/2", addr: "127.0.0.1:6380", db: 2},
		{url: "rediss://user:pw@127.0.0.1:6380/0", tls: true, addr: "127.0.0.1:6380"},
		{url: "redis://:pw@127.0.0.1:26379/0?master_name=portal&addr=127.0.0.1:26380", addr: "FailoverClient"},
		{url: "rediss://:pw@127.0.0.1:7000?cluster=true", cluster: true, tls: true},
		{url: "redis://:pw@127.0.0.1:7000?addr=127.0.0.1:7001&addr=127.0.0.1:7002", cluster: true},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			build, err := redisClientFor(c.url)
			if err != nil {
				t.Fatal(err)
			}
			u := build()
			defer u.Close()
			switch cl := u.(type) {
			case *redis.ClusterClient:
				if !c.cluster {
					t.Fatal("got a cluster client")
				}
				o := cl.Options()
				if (o.TLSConfig != nil) != c.tls || !o.ContextTimeoutEnabled || o.ReadTimeout != defaultIOTimeout {
					t.Fatalf("cluster options: tls %v, context timeouts %v, read timeout %v", o.TLSConfig != nil, o.ContextTimeoutEnabled, o.ReadTimeout)
				}
			case *redis.Client:
				if c.cluster {
					t.Fatal("got a single-server client")
				}
				o := cl.Options()
				if c.addr == "FailoverClient" {
					// A Sentinel-managed client dials through the Sentinels, not one address.
					if o.Addr != "FailoverClient" {
						t.Fatalf("sentinel URL made a plain client to %s", o.Addr)
					}
					return
				}
				if o.Addr != c.addr || o.DB != c.db || (o.TLSConfig != nil) != c.tls {
					t.Fatalf("options: addr %s db %d tls %v", o.Addr, o.DB, o.TLSConfig != nil)
				}
				if !o.ContextTimeoutEnabled || o.DialTimeout != defaultDialTimeout || o.MaxRetries != defaultMaxRetries || o.DialerRetries != defaultDialerRetries {
					t.Fatalf("timeouts not defaulted: %+v", o)
				}
			default:
				t.Fatalf("client %T", u)
			}
		})
	}
}
