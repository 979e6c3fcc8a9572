package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/smsmfa/portal/internal/ids"
)

// Redis is the Store shared by every instance: Redis 6.2 or later (or Valkey), one server, a
// Sentinel-managed primary or a Cluster. Limits run as Lua scripts on Redis's own clock, so
// instances whose clocks differ still agree and no read-then-write race can let two requests
// take one slot.
//
// Keys are Prefix+"kv:"+key for values and Prefix+"rl:{r:"+key+"}" (and +":lock") for limits;
// the braces keep a limit's two keys in one Cluster slot.
type Redis struct {
	c      redis.UniversalClient
	prefix string
}

// Default timeouts, shorter than go-redis's, so that a request fails closed within about a
// second when Redis is gone instead of hanging; a URL's own dial_timeout, read_timeout,
// write_timeout, max_retries or dialer_retries wins.
const (
	defaultDialTimeout = 2 * time.Second
	defaultIOTimeout   = time.Second
	defaultMaxRetries  = 1
	// go-redis dials 5 times, 100 ms apart, before a command fails: with the command retry,
	// a second per call while Redis is down. Twice is enough to ride over a dropped connection.
	defaultDialerRetries = 2
)

// NewRedis connects to the Redis at rawURL and checks that it answers (a wrong address or
// password is reported at start, with ErrUnavailable wrapped). Every key is put under prefix
// (such as "mfa-portal:"), so several portals can share one Redis.
//
// rawURL is redis://[user:password@]host:port/db, or rediss:// for TLS (the server's
// certificate is checked against the system's roots). Options follow go-redis's URL
// parameters (dial_timeout=2s, read_timeout=1s, max_retries=1, ...). With
// master_name=NAME the host (and each addr=host:port) is a Sentinel watching the primary NAME;
// with cluster=true (or addr=host:port repeated) they are seed nodes of a Redis Cluster (no
// database in the path: a Cluster has only database 0). With Sentinel the URL's user and
// password are the Sentinels'; the primary's go in username= and password=.
// Errors never repeat the URL, which holds the password.
func NewRedis(ctx context.Context, rawURL, prefix string) (*Redis, error) {
	r, err := OpenRedis(rawURL, prefix)
	if err != nil {
		return nil, err
	}
	if err := r.Ping(ctx); err != nil {
		_ = r.Close()
		return nil, err
	}
	return r, nil
}

// OpenRedis is NewRedis without the first PING: the client connects on its first command and
// again after every outage, so a portal started while Redis is down serves the "try again"
// page and recovers by itself when Redis comes (issue #24), instead of exiting.
func OpenRedis(rawURL, prefix string) (*Redis, error) {
	if strings.ContainsAny(prefix, "{}") {
		return nil, fmt.Errorf("store: redis key prefix %q must not contain { or }: they pick Cluster slots", prefix)
	}
	build, err := redisClientFor(rawURL)
	if err != nil {
		return nil, err
	}
	return &Redis{c: build(), prefix: prefix}, nil
}

// CheckRedisURL reports, without connecting, what NewRedis refuses in rawURL before it dials,
// as a *URLError: not a URL, another scheme, no host, or options go-redis does not take (a
// database that is not a number, an unknown option). Configuration lists it with every other
// problem at start.
func CheckRedisURL(rawURL string) error {
	_, err := redisClientFor(rawURL)
	return err
}

// URLError is what is wrong with a REDIS_URL, in words that never repeat the URL: it holds the
// password.
type URLError struct {
	// Problem says what is wrong, such as "has no host".
	Problem string
	Err     error
}

func (e *URLError) Error() string { return "store: REDIS_URL " + e.Problem }

func (e *URLError) Unwrap() error { return e.Err }

// redisClientFor reads a URL into the client it asks for (one server, Sentinel or Cluster) and
// returns what builds that client.
func redisClientFor(rawURL string) (func() redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &URLError{Problem: "is not a URL: " + err.Error(), Err: err}
	}
	switch {
	case u.Scheme != "redis" && u.Scheme != "rediss":
		return nil, &URLError{Problem: "is not a redis:// or rediss:// URL"}
	case u.Host == "":
		// go-redis would quietly take localhost.
		return nil, &URLError{Problem: "has no host"}
	}
	q := u.Query()
	cluster := q.Get("cluster") == "true"
	q.Del("cluster")
	u.RawQuery = q.Encode()
	switch {
	case q.Has("master_name"):
		return parseClient(u.String(), " (sentinel)", redis.ParseFailoverURL, func(o *redis.FailoverOptions) {
			tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.DialerRetries, &o.ContextTimeoutEnabled)
		}, redis.NewFailoverClient)
	case cluster || q.Has("addr"):
		return parseClient(u.String(), " (cluster)", redis.ParseClusterURL, func(o *redis.ClusterOptions) {
			tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.DialerRetries, &o.ContextTimeoutEnabled)
		}, redis.NewClusterClient)
	default:
		return parseClient(u.String(), "", redis.ParseURL, func(o *redis.Options) {
			tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.DialerRetries, &o.ContextTimeoutEnabled)
		}, redis.NewClient)
	}
}

// parseClient parses a URL into one kind of client's options (kind names it in an error),
// lets set tune them, and returns what builds the client: the three kinds' option types share
// the fields the portal sets, but no type.
func parseClient[O any, C redis.UniversalClient](rawURL, kind string, parse func(string) (*O, error), set func(*O), build func(*O) C) (func() redis.UniversalClient, error) {
	o, err := parse(rawURL)
	if err != nil {
		return nil, &URLError{Problem: "options" + kind + ": " + err.Error(), Err: err}
	}
	set(o)
	return func() redis.UniversalClient { return build(o) }, nil
}

// tune fills in the timeouts and retries a URL left unset, and makes every command honour
// its context's deadline.
func tune(dial, read, write *time.Duration, retries, dialRetries *int, contextTimeout *bool) {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{dial, defaultDialTimeout}, {read, defaultIOTimeout}, {write, defaultIOTimeout}} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if *retries == 0 {
		*retries = defaultMaxRetries
	}
	if *dialRetries == 0 {
		*dialRetries = defaultDialerRetries
	}
	*contextTimeout = true
}

func (r *Redis) kvKey(key string) string { return r.prefix + "kv:" + key }

// limitKeys returns a limit's log and lock keys, in one Cluster slot: the hash tag is the
// text from the first "{" to the next "}", which "r:" keeps non-empty and which the prefix
// (without braces) cannot disturb.
func (r *Redis) limitKeys(key string) []string {
	log := r.prefix + "rl:{r:" + key + "}"
	return []string{log, log + ":lock"}
}

// The limit scripts work in microseconds of Redis's TIME. KEYS[1] is a sorted set of the
// reservations in the window (member: a random ID, score: when); KEYS[2] is the lock, whose
// value is the ID of the attempt that set it.
const luaClock = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
`

// luaWait computes, after pruning, how many microseconds until a slot of limit is free (0:
// now), into wait.
const luaWait = `
local wait = 0
local lockms = redis.call('PTTL', KEYS[2])
if lockms > 0 then
  wait = lockms * 1000
else
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local n = redis.call('ZCARD', KEYS[1])
  if n >= limit then
    local e = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
    wait = tonumber(e[2]) + window - now
    if wait < 1 then wait = 1 end
  end
end
`

// reserveScript: ARGV limit, window µs, lock µs (0: none), ID. Returns {granted, wait µs, remaining}.
var reserveScript = redis.NewScript(luaClock + `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lockfor = tonumber(ARGV[3])
` + luaWait + `
if wait > 0 then return {0, wait, 0} end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
local n = redis.call('ZCARD', KEYS[1])
if lockfor > 0 and n >= limit then
  redis.call('SET', KEYS[2], ARGV[4], 'PX', math.ceil(lockfor / 1000))
end
return {1, 0, limit - n}
`)

// waitScript: ARGV limit, window µs. Returns wait µs. It prunes, so it writes; it counts nothing.
var waitScript = redis.NewScript(luaClock + `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
` + luaWait + `
return wait
`)

// cancelScript: ARGV ID. Removes the reservation, and the lock if this attempt set it.
var cancelScript = redis.NewScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 0
`)

// Reserve implements Store.
func (r *Redis) Reserve(ctx context.Context, key string, limit int, window time.Duration) (Reservation, error) {
	return reserveWith(ctx, r.reserve, key, limit, window)
}

// Attempt implements Store.
func (r *Redis) Attempt(ctx context.Context, key string, maxFailures int, window, lockFor time.Duration) (Reservation, error) {
	return attemptWith(ctx, r.reserve, key, maxFailures, window, lockFor)
}

func (r *Redis) reserve(ctx context.Context, op, key string, limit int, window, lockFor time.Duration) (Reservation, error) {
	id := ids.Token(16)
	keys := r.limitKeys(key)
	res, err := reserveScript.Run(ctx, r.c, keys, limit, window.Microseconds(), lockFor.Microseconds(), id).Int64Slice()
	if err != nil {
		return Reservation{}, unavailable(op, err)
	}
	if len(res) != 3 {
		return Reservation{}, unavailable(op, fmt.Errorf("reserve script answered %d values, want 3", len(res)))
	}
	if res[0] != 1 {
		return Reservation{RetryAfter: time.Duration(res[1]) * time.Microsecond}, nil
	}
	return Reservation{OK: true, Remaining: int(res[2]), cancel: func(ctx context.Context) error {
		if err := cancelScript.Run(ctx, r.c, keys, id).Err(); err != nil {
			return unavailable("cancel", err)
		}
		return nil
	}}, nil
}

// Wait implements Store.
func (r *Redis) Wait(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	if err := checkLimit(limit, window); err != nil {
		return 0, err
	}
	us, err := waitScript.Run(ctx, r.c, r.limitKeys(key), limit, window.Microseconds()).Int64()
	if err != nil {
		return 0, unavailable("wait", err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// Reset implements Store.
func (r *Redis) Reset(ctx context.Context, key string) error {
	// Both keys share a slot, so one DEL serves a Cluster too.
	if err := r.c.Del(ctx, r.limitKeys(key)...).Err(); err != nil {
		return unavailable("reset", err)
	}
	return nil
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := r.c.Get(ctx, r.kvKey(key)).Bytes()
	return found("get", v, err)
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkTTL(ttl); err != nil {
		return err
	}
	if err := r.c.Set(ctx, r.kvKey(key), value, ttl).Err(); err != nil {
		return unavailable("set", err)
	}
	return nil
}

// SetNX implements Store.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := checkTTL(ttl); err != nil {
		return false, err
	}
	// SET NX PX answers nil when the key exists.
	err := r.c.SetArgs(ctx, r.kvKey(key), value, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, unavailable("setnx", err)
	}
	return true, nil
}

// Take implements Store.
func (r *Redis) Take(ctx context.Context, key string) ([]byte, error) {
	v, err := r.c.GetDel(ctx, r.kvKey(key)).Bytes()
	return found("take", v, err)
}

// found answers what a command reading key's bytes for op answered: ErrNotFound when the key
// is missing.
func found(op string, v []byte, err error) ([]byte, error) {
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, unavailable(op, err)
	}
	return v, nil
}

// Delete implements Store.
func (r *Redis) Delete(ctx context.Context, key string) error {
	if err := r.c.Del(ctx, r.kvKey(key)).Err(); err != nil {
		return unavailable("delete", err)
	}
	return nil
}

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// SetRedisLogger sends go-redis's own messages (such as a failed dial) to l as warnings,
// instead of plain lines on standard error among the portal's JSON logs. It is process-wide.
func SetRedisLogger(l *slog.Logger) { redis.SetLogger(redisLogger{l}) }

type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, "redis client", "message", fmt.Sprintf(format, v...))
}

// Close implements Store.
func (r *Redis) Close() error {
	if err := r.c.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("store: closing redis: %w", err)
	}
	return nil
}
