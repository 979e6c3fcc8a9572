package config

import (
	"errors"
	"log/slog"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/internal/tracing"
	"github.com/smsmfa/portal/pingone"
)

// The settings below are each read their own way; the table in config.go names them.

func publicURL(l *loader, s Setting, c *Config) {
	v := l.required(s.Name, l.str(s.Name))
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		l.bad(s.Name, "%q is not an http(s) URL", v)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		l.bad(s.Name, "must be https except on localhost (cookies and sign-in need it)")
	case u.Path != "" && u.Path != "/":
		l.bad(s.Name, "must not have a path: serve the portal at the root of its host")
	default:
		u.Path = ""
		c.PublicURL = u
	}
}

func region(l *loader, s Setting, c *Config) {
	r, err := pingone.ParseRegion(l.str(s.Name))
	if err != nil {
		l.bad(s.Name, "%v", strings.TrimPrefix(err.Error(), "unknown PingOne region "))
	}
	c.PingOneRegion = r
}

func tokenAuth(l *loader, s Setting, c *Config) {
	var err error
	if c.WorkerTokenAuth, err = pingone.ParseAuthStyle(l.str(s.Name)); err != nil {
		l.bad(s.Name, "%q is not basic or post", strings.ToLower(l.str(s.Name)))
	}
}

func maxRPS(l *loader, s Setting, c *Config) {
	v := l.str(s.Name)
	if v == "" {
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		l.bad(s.Name, "%q is not a number of calls per second (0 or more, e.g. 50)", v)
		return
	}
	c.PingOneMaxRPS = f
}

func sessionKeys(l *loader, s Setting, c *Config) {
	keys := l.secret(s.Name)
	if l.required(s.Name, keys) == "" {
		return
	}
	for i, k := range strings.Split(keys, ",") {
		k = strings.TrimSpace(k)
		if len(k) < 32 {
			l.bad(s.Name, "key %d has %d characters; each needs at least 32 (try: openssl rand -base64 48)", i+1, len(k))
			continue
		}
		c.SessionKeys = append(c.SessionKeys, []byte(k))
	}
}

// allowedRegions: every country must be chosen on purpose, since most SMS pumping goes to
// expensive ranges that "all countries" lets through.
func allowedRegions(l *loader, s Setting, c *Config) {
	switch regions := l.list(s.Name); {
	case len(regions) == 0:
		l.bad(s.Name, "is required: name the countries you hire in (e.g. US,CA,GB), or * for every country on purpose")
	case len(regions) == 1 && regions[0] == "*":
		// nil allows every region.
	case slices.Contains(regions, "*"):
		l.bad(s.Name, "* means every country and cannot be combined with codes")
	default:
		c.AllowedRegions = regions
		if _, err := phone.NewPolicy(c.AllowedRegions); err != nil {
			l.bad(s.Name, "%v", err)
		}
	}
}

// defaultRegion is read after ALLOWED_REGIONS, which it must be in.
func defaultRegion(l *loader, s Setting, c *Config) {
	d := strings.ToUpper(l.str(s.Name))
	if d == "" {
		return
	}
	if _, err := phone.NewPolicy([]string{d}); err != nil {
		l.bad(s.Name, "%q is not an ISO 3166 region code with phone numbers", d)
	} else if ap, err := phone.NewPolicy(c.AllowedRegions); err == nil && !ap.Allowed(d) {
		l.bad(s.Name, "%s is not in ALLOWED_REGIONS", d)
	} else {
		c.DefaultRegion = d
	}
}

func defaultLanguage(l *loader, s Setting, c *Config) {
	c.DefaultLanguage = s.Default
	if d := l.str(s.Name); d != "" {
		if tag, ok := messages.Match(d); ok {
			c.DefaultLanguage = tag
		} else {
			l.bad(s.Name, "%q is not one of the portal's languages (%s)", d, languageList())
		}
	}
}

func firstPhoneProof(l *loader, s Setting, c *Config) {
	switch v := strings.ToLower(l.str(s.Name)); v {
	case "", "none":
		c.FirstPhoneProof = "none"
	case "email":
		c.FirstPhoneProof = "email"
	default:
		l.bad(s.Name, "%q is not none or email", l.str(s.Name))
	}
}

func trustedProxies(l *loader, s Setting, c *Config) {
	for _, p := range l.list(s.Name) {
		if !strings.Contains(p, "/") {
			if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
				p += "/32"
			} else {
				p += "/128"
			}
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			l.bad(s.Name, "%q is not an IP address or CIDR", p)
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
}

func strongerMethodsURL(l *loader, s Setting, c *Config) {
	if v := l.str(s.Name); v != "" {
		if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" {
			l.bad(s.Name, "%q is not an https URL", v)
		} else {
			c.StrongerMethodsURL = v
		}
	}
}

func maxInFlight(l *loader, s Setting, c *Config) {
	c.MaxInFlight = 400
	if v := l.str(s.Name); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 {
			l.bad(s.Name, "%q is not a whole number of requests, 1 or more (such as 400)", v)
		} else {
			c.MaxInFlight = n
		}
	}
}

func otlpEndpoint(l *loader, s Setting, c *Config) {
	if v := l.str(s.Name); v != "" {
		if _, err := tracing.TracesURL(v); err != nil {
			l.bad(s.Name, "%v", err)
		} else {
			c.OTLPEndpoint = v
		}
	}
}

func logLevel(l *loader, s Setting, c *Config) {
	switch strings.ToLower(l.str(s.Name)) {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		l.bad(s.Name, "%q is not one of debug, info, warn, error", l.str(s.Name))
	}
}

func drainDelay(l *loader, s Setting, c *Config) {
	if v := l.str(s.Name); v != "" {
		if d, err := time.ParseDuration(v); err != nil || d < 0 {
			l.bad(s.Name, "%q is not a duration of 0 or more, such as 5s", v)
		} else {
			c.DrainDelay = d
		}
	}
}

func redisURL(l *loader, s Setting, c *Config) {
	c.RedisURL = l.secret(s.Name)
	if c.RedisURL != "" {
		// Read as the store reads it when it connects; its words never repeat the value, which
		// holds the password.
		var ue *store.URLError
		if err := store.CheckRedisURL(c.RedisURL); errors.As(err, &ue) {
			l.bad(s.Name, "%s", ue.Problem)
		}
	}
}

// wrongCode sets the lockout: so many wrong codes in the window, then none accepted for as long.
func wrongCode(l *loader, s Setting, c *Config) {
	if v := l.str(s.Name); v != "" {
		wc := &c.Limits.WrongCode
		if r, err := limits.ParseRule(wc.Name, v); err != nil {
			l.bad(s.Name, "%v", err)
		} else {
			wc.Failures, wc.Window, wc.LockFor = r.Limit, r.Window, r.Window
		}
	}
}

// sessionAges: a session cannot idle longer than it may live.
func sessionAges(l *loader, c *Config) {
	if c.SessionIdleTimeout > c.SessionMaxAge {
		l.bad("SESSION_IDLE_TIMEOUT", "%v is longer than SESSION_MAX_AGE %v", c.SessionIdleTimeout, c.SessionMaxAge)
	}
}

// ownListeners: each address serves one thing, since metrics or the profiler on the public
// port would open them to everyone who reaches the portal.
func ownListeners(l *loader, c *Config) {
	for _, other := range []struct{ name, addr string }{{"METRICS_ADDR", c.MetricsAddr}, {"PPROF_ADDR", c.PprofAddr}} {
		if other.addr != "" && sameListener(c.Listen, other.addr) {
			l.bad(other.name, "%q is the same port as LISTEN_ADDR %q: give it an address of its own (it must stay off the public one)", other.addr, c.Listen)
		}
	}
	if c.MetricsAddr != "" && c.PprofAddr != "" && sameListener(c.MetricsAddr, c.PprofAddr) {
		l.bad("PPROF_ADDR", "%q is the same port as METRICS_ADDR %q: give the profiler an address of its own", c.PprofAddr, c.MetricsAddr)
	}
}
