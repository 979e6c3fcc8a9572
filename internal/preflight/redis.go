package preflight

import (
	"context"
	"fmt"
	"strings"

	"github.com/smsmfa/portal/internal/store"
)

// Redis is the part of the shared store the checks read: nil when REDIS_URL is unset.
type Redis interface {
	Ping(ctx context.Context) error
	// RoundTrip writes, reads and deletes a value under the key prefix.
	RoundTrip(ctx context.Context) error
	Info(ctx context.Context, section string) (map[string]string, error)
	ConfigGet(ctx context.Context, name string) (string, error)
}

// evictionFix says why a Redis that may evict keys is refused.
const evictionFix = "set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf or your service's parameter group): " +
	"under any other policy a full Redis throws keys away, the text limits, wrong-code lockouts and sign-in limits among them " +
	"(texts and guesses pass again) and people's sessions (they are signed out); with noeviction a full Redis refuses writes " +
	"and the portal says \"try again in a minute\" instead; give Redis the memory it needs (maxmemory)"

// redis checks the shared store: that it answers with the password given, takes a write under
// the key prefix, keeps every key (noeviction) and keeps them over a restart (AOF or RDB).
func (c *Checker) redis(ctx context.Context, add func(Result)) {
	if c.Redis == nil {
		add(Result{Name: "shared store", OK: true, Detail: "in memory (REDIS_URL unset): one instance only; set REDIS_URL to run several"})
		return
	}
	r := Result{Name: "Redis connection"}
	if err := c.Redis.Ping(ctx); err != nil {
		r.Detail = "Redis does not answer: " + redisWords(err)
		switch store.RedisProblem(err) {
		case "password":
			r.Fix = "put Redis's password in REDIS_URL (redis://:PASSWORD@host:6379/0, or a user: redis://USER:PASSWORD@host:6379/0)"
		default:
			r.Fix = "check REDIS_URL's host and port (rediss:// when Redis wants TLS), that Redis runs, and that this machine may reach it"
		}
		add(r)
		for _, n := range []string{"Redis write and read", "Redis eviction policy", "Redis persistence"} {
			add(Result{Name: n, Detail: "not checked: no connection to Redis", Fix: "fix the Redis connection first"})
		}
		return
	}
	r.OK, r.Detail = true, "Redis answers with the password given"
	if info, err := c.Redis.Info(ctx, "server"); err == nil && info["redis_version"] != "" {
		r.Detail += " (Redis " + info["redis_version"] + ")"
	}
	add(r)

	w := Result{Name: "Redis write and read"}
	if err := c.Redis.RoundTrip(ctx); err != nil {
		w.Detail = "writing, reading and deleting a key under REDIS_KEY_PREFIX failed: " + redisWords(err)
		switch store.RedisProblem(err) {
		case "read-only":
			w.Fix = "REDIS_URL names a read-only replica: point it at the primary (with Sentinel, ?master_name=NAME finds the primary after a failover)"
		case "permission":
			w.Fix = "give REDIS_URL's user read and write rights on the keys under REDIS_KEY_PREFIX (ACL: ~" + c.Config.RedisKeyPrefix + "* +@read +@write +@scripting)"
		case "memory":
			w.Fix = "Redis is full: give it more memory (maxmemory) or find what else fills it"
		default:
			w.Fix = "check that REDIS_URL's user may write under REDIS_KEY_PREFIX, then run the check again"
		}
	} else {
		w.OK, w.Detail = true, "a key under "+c.Config.RedisKeyPrefix+" was written, read back and deleted"
	}
	add(w)

	mem, err := c.Redis.Info(ctx, "memory")
	e := Result{Name: "Redis eviction policy"}
	switch policy := mem["maxmemory_policy"]; {
	case err != nil:
		e.Detail, e.Fix = "cannot read INFO memory: "+redisWords(err), "let REDIS_URL's user run INFO"
	case policy == "":
		e.Detail, e.Fix = "INFO memory does not say the eviction policy", evictionFix
	case policy != "noeviction":
		e.Detail, e.Fix = fmt.Sprintf("maxmemory-policy is %s: Redis may throw away the portal's keys when it is full", policy), evictionFix
	default:
		e.OK, e.Detail = true, "maxmemory-policy is noeviction: Redis never throws away a limit, a lockout or a session"
	}
	add(e)

	add(c.persistence(ctx))
}

// persistence warns when Redis keeps nothing over a restart: neither the append-only file nor
// RDB snapshots are on. A warning, not a failure: a restart resets the limits and signs
// everyone out, which some operators accept.
func (c *Checker) persistence(ctx context.Context) Result {
	r := Result{Name: "Redis persistence"}
	info, err := c.Redis.Info(ctx, "persistence")
	if err != nil {
		r.Detail, r.Fix = "cannot read INFO persistence: "+redisWords(err), "let REDIS_URL's user run INFO"
		return r
	}
	aof := info["aof_enabled"] == "1"
	save, serr := c.Redis.ConfigGet(ctx, "save")
	rdb := serr == nil && strings.TrimSpace(save) != ""
	switch {
	case aof && rdb:
		r.OK, r.Detail = true, "AOF and RDB snapshots on: limits, lockouts and sessions survive a restart"
	case aof:
		r.OK, r.Detail = true, "AOF on: limits, lockouts and sessions survive a restart"
	case rdb:
		r.OK, r.Detail = true, fmt.Sprintf("RDB snapshots on (save %s): a restart loses at most the writes since the last snapshot", save)
	case serr != nil:
		// Managed services often forbid CONFIG: say what could not be seen, without failing.
		r.OK, r.Warn = true, true
		r.Detail = "AOF is off and the RDB schedule cannot be read (CONFIG GET save refused): if RDB is off too, a Redis restart forgets every limit, lockout and session"
		r.Fix = "turn on AOF (appendonly yes) or RDB snapshots (save 3600 1 300 100 60 10000), or check your service's persistence setting"
	default:
		r.OK, r.Warn = true, true
		r.Detail = "neither AOF nor RDB snapshots are on: a Redis restart forgets every limit, lockout and session (everyone is signed out)"
		r.Fix = "turn on AOF (appendonly yes, appendfsync everysec) or RDB snapshots (save 3600 1 300 100 60 10000) in redis.conf"
	}
	return r
}

// redisWords is a Redis error without the store's prefixes, for a check's line.
func redisWords(err error) string {
	msg := err.Error()
	for _, p := range []string{"store: ", "store unavailable: "} {
		if i := strings.LastIndex(msg, p); i >= 0 {
			msg = msg[i+len(p):]
		}
	}
	return msg
}
