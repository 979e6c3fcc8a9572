// Package config reads the portal's configuration from the environment once, into one typed
// struct, and reports every problem at once with the variable's name.
package config

import (
	"errors"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/internal/tracing"
	"github.com/smsmfa/portal/pingone"
)

// Config is everything the portal needs to run.
type Config struct {
	// PublicURL is where people reach the portal, such as https://mfa.example.com. The sign-in
	// redirect URI is PublicURL + "/auth/callback".
	PublicURL *url.URL
	Listen    string

	PingOneEnvironmentID string
	PingOneRegion        pingone.Region
	PingOneAPIBase       string
	PingOneAuthBase      string
	WorkerClientID       string
	WorkerClientSecret   string
	// WorkerTokenAuth is the worker app's token endpoint authentication method: "basic",
	// "post", or "" to find out from PingOne's first answer.
	WorkerTokenAuth string
	WebClientID     string
	WebClientSecret string
	DevicePolicyID  string
	PingOneTimeout  time.Duration
	// PingOneMaxRPS is the ceiling on calls per second to PingOne's API (0: none).
	PingOneMaxRPS float64

	// SessionKeys are the secrets that sign and encrypt session cookies; the first signs new
	// cookies, the others still open old ones (rotation).
	SessionKeys        [][]byte
	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration

	AllowedRegions []string
	DefaultRegion  string
	// DefaultLanguage is the pages' language when neither the person, their link, their
	// PingOne profile nor their browser chooses one of the portal's languages.
	DefaultLanguage string
	HelpdeskGroups  []string
	// HelpdeskReasonRequired makes a reason or ticket reference mandatory for staff actions.
	HelpdeskReasonRequired bool
	// HelpdeskStepUpMaxAge is how recent the staff member's MFA sign-in (StepUpACR) must be for
	// any help-desk page.
	HelpdeskStepUpMaxAge time.Duration
	// HelpdeskProtectedGroups are PingOne group IDs whose members the help desk cannot change
	// (besides the help-desk groups themselves).
	HelpdeskProtectedGroups []string
	// HelpdeskVerificationTTL is how long a caller verification holds for one agent and user.
	HelpdeskVerificationTTL time.Duration
	// HelpdeskBypassMax is the longest temporary access (PingOne's MFA bypass) the help desk
	// may give; HelpdeskAllowMFAOff still offers turning MFA off with no end (issue #23).
	HelpdeskBypassMax   time.Duration
	HelpdeskAllowMFAOff bool
	// Notices are the emails telling a person of a change to their phones or MFA (issue #23).
	Notices Notices
	// HelpdeskNewPhoneWait is how old a phone must be (added or changed in PingOne) before it
	// opens the help desk to its owner, counts for an approval, or verifies a caller.
	HelpdeskNewPhoneWait time.Duration
	// FirstPhoneProof is "email" when a person with no active phone must first type a code
	// emailed to their directory address, "none" otherwise.
	FirstPhoneProof string

	// StepUpACR is the PingOne sign-on policy that proves MFA; StepUpMaxAge is how recent that
	// sign-in must be to add or remove a method when the person already has an active one.
	StepUpACR    string
	StepUpMaxAge time.Duration
	// TrustedProxies are the addresses whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// StrongerMethodsURL links the add-phone page to stronger methods than SMS.
	StrongerMethodsURL string
	// AlternativeMethodsURL is where people set up a method other than SMS (a passkey, an
	// authenticator app): offered before the add-phone form, and instead of it when the MFA
	// policy lets no new phone be added.
	AlternativeMethodsURL string

	// MetricsAddr, when set, serves Prometheus metrics there (not on the public address).
	MetricsAddr string
	// PprofAddr, when set, serves Go's profiler at /debug/pprof/ there: off by default, and on
	// an address of its own, since stacks and heap show what the portal holds.
	PprofAddr string
	// MaxInFlight is the most requests this instance works on at once; past it people get the
	// "try again in a minute" page at once (health probes and static files are exempt).
	MaxInFlight int
	// OTLPEndpoint, when set, is the OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT) the
	// portal sends its traces to; empty sends none.
	OTLPEndpoint string

	LogLevel        slog.Level
	ShutdownTimeout time.Duration
	// DrainDelay is how long, after SIGTERM, the portal keeps serving with /readyz at 503 before
	// it stops accepting connections: time for the load balancer to take it out (0: none).
	DrainDelay time.Duration

	// RedisURL, when set, is the Redis every instance shares (limits, sessions, cool-downs);
	// empty keeps them in this process's memory (one instance). RedisKeyPrefix starts every key.
	RedisURL       string
	RedisKeyPrefix string
	// Limits are the abuse limits (LIMIT_* variables).
	Limits limits.Rules
}

// Secure reports whether the portal is served over HTTPS, which decides cookie flags and HSTS.
func (c *Config) Secure() bool { return c.PublicURL != nil && c.PublicURL.Scheme == "https" }

// RedirectURL is the OIDC redirect URI to register in PingOne.
func (c *Config) RedirectURL() string {
	return strings.TrimRight(c.PublicURL.String(), "/") + "/auth/callback"
}

// Variables lists every variable, with its default and meaning, for the README and -help.
var Variables = []struct{ Name, Default, Meaning string }{
	{"PORTAL_PUBLIC_URL", "(required)", "Where people reach the portal, e.g. https://mfa.example.com. HTTPS turns on Secure and __Host- cookies and HSTS."},
	{"LISTEN_ADDR", ":8080", "Address to listen on; the -listen flag wins."},
	{"PINGONE_ENVIRONMENT_ID", "(required)", "The PingOne environment's ID (a UUID)."},
	{"PINGONE_REGION", "NA", "NA, CA, EU, AU, SG or AP: picks PingOne's API and auth domains."},
	{"PINGONE_API_BASE", "(from region)", "Override of the API base, e.g. https://api.pingone.eu/v1; https (http only on loopback, for the emulator)."},
	{"PINGONE_AUTH_BASE", "(from region)", "Override of the auth base, e.g. https://auth.pingone.eu; https (http only on loopback, for the emulator)."},
	{"PINGONE_WORKER_CLIENT_ID", "(required)", "Worker application (Identity Data Admin role) for the management API."},
	{"PINGONE_WORKER_CLIENT_SECRET", "(required, or _FILE)", "Its secret."},
	{"PINGONE_WORKER_TOKEN_AUTH", "(detect)", "basic or post: the worker app's Token Endpoint Authentication Method (Client Secret Basic or Client Secret Post); empty finds out on the first token."},
	{"PINGONE_WEB_CLIENT_ID", "(required)", "Web application (OIDC, authorization code, PKCE) people sign in with."},
	{"PINGONE_WEB_CLIENT_SECRET", "(required, or _FILE)", "Its secret."},
	{"PINGONE_DEVICE_POLICY_ID", "(the default)", "MFA policy (device authentication policy) sent with each new SMS device, and read for whether SMS may be added and the code's length, lifetime and tries; empty uses the environment's default policy."},
	{"PINGONE_TIMEOUT", "10s", "Longest wait for one PingOne answer."},
	{"PINGONE_MAX_RPS", "0 (no ceiling)", "Most calls per second this instance makes to PingOne's API, below the tenant's rate limits; calls over it wait their turn within the request's deadline."},
	{"SESSION_KEYS", "(required, or _FILE)", "Comma-separated secrets of at least 32 characters; the first signs, the rest still verify (rotation)."},
	{"SESSION_IDLE_TIMEOUT", "30m", "Sign out after this long without a request."},
	{"SESSION_MAX_AGE", "8h", "Sign out this long after signing in, whatever happens."},
	{"ALLOWED_REGIONS", "(required)", "Comma-separated ISO 3166 codes whose numbers may be registered, e.g. US,CA,GB; * for every country, on purpose (SMS pumping targets expensive ranges)."},
	{"DEFAULT_REGION", "(browser language)", "Country picked first in the phone form, e.g. US."},
	{"DEFAULT_LANGUAGE", "en", "Language of the pages when neither the person's choice, the link's ?lang=, their PingOne profile nor their browser picks one of the portal's: en, de, fr, es, pt-BR, ja, zh-Hans or ar."},
	{"HELPDESK_GROUP_IDS", "(none)", "Comma-separated PingOne group IDs whose members are help-desk staff."},
	{"HELPDESK_REASON_REQUIRED", "false", "true: every help-desk action needs a reason or ticket reference."},
	{"HELPDESK_STEP_UP_MAX_AGE", "1h", "How recent the staff member's MFA sign-in (STEP_UP_ACR) must be for any help-desk page."},
	{"HELPDESK_PROTECTED_GROUP_IDS", "(none)", "Comma-separated PingOne group IDs whose members the help desk cannot change."},
	{"HELPDESK_VERIFICATION_TTL", "15m", "How long a verified caller stays verified for one agent and one user."},
	{"STEP_UP_ACR", "Multi_Factor", "PingOne sign-on policy that proves MFA, asked for before a person with an active phone adds or removes one."},
	{"STEP_UP_MAX_AGE", "10m", "How recent that MFA sign-in must be."},
	{"TRUSTED_PROXIES", "(none)", "Comma-separated IPs or CIDRs of your load balancers; X-Forwarded-For is believed only from them."},
	{"STRONGER_METHODS_URL", "(none)", "https link, shown beside the SMS note, to your guide for stronger methods (authenticator app, passkey)."},
	{"ALTERNATIVE_METHODS_URL", "(none)", "https link (http only on localhost) where people set up a passkey or an authenticator app instead: offered in one line before the add-phone form, and on the page that says new phones are turned off."},
	{"METRICS_ADDR", "(off)", "Address for Prometheus metrics at /metrics, e.g. :9090; kept off the public address."},
	{"PPROF_ADDR", "(off)", "Address for Go's profiler at /debug/pprof/, e.g. 127.0.0.1:6060: on only while you profile, never on an address the cluster can reach (it shows stacks and memory)."},
	{"MAX_IN_FLIGHT", "400", "Most requests one instance works on at once; past it people get the \"try again in a minute\" page (503, Retry-After) at once, so a surge cannot push the instance past its memory limit. Size it from the memory limit: see the README."},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "(off)", "OpenTelemetry collector's OTLP/HTTP base URL, e.g. http://otel-collector:4318: a span per request and per PingOne call goes to its /v1/traces. Off when empty."},
	{"LOG_LEVEL", "info", "debug, info, warn or error."},
	{"SHUTDOWN_TIMEOUT", "15s", "How long requests in flight may finish after SIGTERM."},
	{"DRAIN_DELAY", "0s", "After SIGTERM, how long the portal keeps serving with /readyz at 503 before it stops accepting connections, so the load balancer takes it out first (Kubernetes: 5s or so; the grace period must exceed DRAIN_DELAY plus SHUTDOWN_TIMEOUT)."},
	{"REDIS_URL", "(none: in memory)", "Redis shared by several instances (limits, sessions, cool-downs): redis://[:password@]host:6379/0, rediss:// for TLS; ?master_name=NAME for Sentinel, ?cluster=true for Cluster. Required for more than one instance. Secret (or _FILE)."},
	{"REDIS_KEY_PREFIX", "mfa-portal:", "Prefix of every Redis key, so several portals can share one Redis."},
	{"LIMIT_SIGN_IN", "300/1m", "Sign-ins started per client network (an IPv4 address, an IPv6 /64). Size it for the largest office behind one address: see the README."},
	{"LIMIT_NEW_DEVICE", "5/1h", "Phones added per person."},
	{"LIMIT_RESEND_COOLDOWN", "1/30s", "Codes per device in a short span: the wait before \"send a new code\" works again."},
	{"LIMIT_RESEND", "5/1h", "Codes resent per person."},
	{"LIMIT_TEXTS_TO_NUMBER", "3/5m", "Texts to any one phone number, whoever asks."},
	{"LIMIT_ACTOR_TEXTS", "30/1h", "Texts sent by one acting person, staff included: bounds what one (stolen) staff session can send."},
	{"LIMIT_HELPDESK_TEXTS", "200/1h", "Texts the whole help desk sends for other people."},
	{"LIMIT_WRONG_CODE", "5/15m", "Wrong codes per device; then none are accepted for the same span (a lockout)."},
	{"LIMIT_HELPDESK_SEARCH", "60/1h", "Directory searches per help-desk staff member."},
	{"LIMIT_HELPDESK_CALLER_CODES", "3/1h", "Caller-verification codes one staff member sends to one user."},
	{"LIMIT_HELPDESK_CALLER_CODES_USER", "5/1h", "Caller-verification codes sent to one user, whoever asks."},
	{"HELPDESK_NEW_PHONE_WAIT", "24h", "A phone added or changed this recently neither opens the help desk to its owner (nor counts for an approval) nor verifies a caller."},
	{"FIRST_PHONE_PROOF", "none", "email: before a person with no active phone gets a first code, they type a code PingOne emails to their address in the directory."},
}

// limitVars are the LIMIT_* variables and the rule each sets.
var limitVars = []struct {
	name string
	rule func(*limits.Rules) *limits.Rule
}{
	{"LIMIT_SIGN_IN", func(r *limits.Rules) *limits.Rule { return &r.SignIn }},
	{"LIMIT_NEW_DEVICE", func(r *limits.Rules) *limits.Rule { return &r.NewDevice }},
	{"LIMIT_RESEND_COOLDOWN", func(r *limits.Rules) *limits.Rule { return &r.ResendShort }},
	{"LIMIT_RESEND", func(r *limits.Rules) *limits.Rule { return &r.ResendHour }},
	{"LIMIT_TEXTS_TO_NUMBER", func(r *limits.Rules) *limits.Rule { return &r.TextsToNumber }},
	{"LIMIT_ACTOR_TEXTS", func(r *limits.Rules) *limits.Rule { return &r.ActorTexts }},
	{"LIMIT_HELPDESK_TEXTS", func(r *limits.Rules) *limits.Rule { return &r.HelpdeskTexts }},
	{"LIMIT_HELPDESK_SEARCH", func(r *limits.Rules) *limits.Rule { return &r.HelpdeskSearch }},
	{"LIMIT_HELPDESK_CALLER_CODES", func(r *limits.Rules) *limits.Rule { return &r.CallerCodes }},
	{"LIMIT_HELPDESK_CALLER_CODES_USER", func(r *limits.Rules) *limits.Rule { return &r.CallerCodesUser }},
}

// Error lists every configuration problem.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "configuration: " + strings.Join(e.Problems, "; ")
}

// Load reads and checks the configuration. getenv is os.Getenv in production; tests pass
// their own. The error, when there is one, is an *Error naming every problem.
func Load(getenv func(string) string) (*Config, error) {
	l := &loader{getenv: getenv, readFile: os.ReadFile}
	c := &Config{}

	if v := l.required("PORTAL_PUBLIC_URL", l.str("PORTAL_PUBLIC_URL")); v != "" {
		u, err := url.Parse(v)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			l.bad("PORTAL_PUBLIC_URL", "%q is not an http(s) URL", v)
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			l.bad("PORTAL_PUBLIC_URL", "must be https except on localhost (cookies and sign-in need it)")
		case u.Path != "" && u.Path != "/":
			l.bad("PORTAL_PUBLIC_URL", "must not have a path: serve the portal at the root of its host")
		default:
			u.Path = ""
			c.PublicURL = u
		}
	}
	c.Listen = l.addr("LISTEN_ADDR", ":8080")

	c.PingOneEnvironmentID = l.required("PINGONE_ENVIRONMENT_ID", l.str("PINGONE_ENVIRONMENT_ID"))
	if c.PingOneEnvironmentID != "" && !ids.IsUUID(c.PingOneEnvironmentID) {
		l.bad("PINGONE_ENVIRONMENT_ID", "%q is not a UUID", c.PingOneEnvironmentID)
	}
	region, err := pingone.ParseRegion(l.str("PINGONE_REGION"))
	if err != nil {
		l.bad("PINGONE_REGION", "%v", strings.TrimPrefix(err.Error(), "unknown PingOne region "))
	}
	c.PingOneRegion = region
	c.PingOneAPIBase = l.baseURL("PINGONE_API_BASE")
	c.PingOneAuthBase = l.baseURL("PINGONE_AUTH_BASE")
	c.WorkerClientID = l.required("PINGONE_WORKER_CLIENT_ID", l.str("PINGONE_WORKER_CLIENT_ID"))
	c.WorkerClientSecret = l.required("PINGONE_WORKER_CLIENT_SECRET", l.secret("PINGONE_WORKER_CLIENT_SECRET"))
	if c.WorkerTokenAuth, err = pingone.ParseAuthStyle(l.str("PINGONE_WORKER_TOKEN_AUTH")); err != nil {
		l.bad("PINGONE_WORKER_TOKEN_AUTH", "%q is not basic or post", strings.ToLower(l.str("PINGONE_WORKER_TOKEN_AUTH")))
	}
	c.WebClientID = l.required("PINGONE_WEB_CLIENT_ID", l.str("PINGONE_WEB_CLIENT_ID"))
	c.WebClientSecret = l.required("PINGONE_WEB_CLIENT_SECRET", l.secret("PINGONE_WEB_CLIENT_SECRET"))
	c.DevicePolicyID = l.str("PINGONE_DEVICE_POLICY_ID")
	if c.DevicePolicyID != "" && !ids.IsUUID(c.DevicePolicyID) {
		l.bad("PINGONE_DEVICE_POLICY_ID", "%q is not a UUID", c.DevicePolicyID)
	}
	c.PingOneTimeout = l.duration("PINGONE_TIMEOUT", 10*time.Second)
	if v := l.str("PINGONE_MAX_RPS"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			l.bad("PINGONE_MAX_RPS", "%q is not a number of calls per second (0 or more, e.g. 50)", v)
		} else {
			c.PingOneMaxRPS = f
		}
	}

	keys := l.secret("SESSION_KEYS")
	if l.required("SESSION_KEYS", keys) != "" {
		for i, k := range strings.Split(keys, ",") {
			k = strings.TrimSpace(k)
			if len(k) < 32 {
				l.bad("SESSION_KEYS", "key %d has %d characters; each needs at least 32 (try: openssl rand -base64 48)", i+1, len(k))
				continue
			}
			c.SessionKeys = append(c.SessionKeys, []byte(k))
		}
	}
	c.SessionIdleTimeout = l.duration("SESSION_IDLE_TIMEOUT", 30*time.Minute)
	c.SessionMaxAge = l.duration("SESSION_MAX_AGE", 8*time.Hour)
	if c.SessionIdleTimeout > c.SessionMaxAge {
		l.bad("SESSION_IDLE_TIMEOUT", "%v is longer than SESSION_MAX_AGE %v", c.SessionIdleTimeout, c.SessionMaxAge)
	}

	// Every country must be chosen on purpose: most SMS pumping goes to expensive ranges that
	// "all countries" lets through.
	switch regions := l.list("ALLOWED_REGIONS"); {
	case len(regions) == 0:
		l.bad("ALLOWED_REGIONS", "is required: name the countries you hire in (e.g. US,CA,GB), or * for every country on purpose")
	case len(regions) == 1 && regions[0] == "*":
		// nil allows every region.
	case slices.Contains(regions, "*"):
		l.bad("ALLOWED_REGIONS", "* means every country and cannot be combined with codes")
	default:
		c.AllowedRegions = regions
		if _, err := phone.NewPolicy(c.AllowedRegions); err != nil {
			l.bad("ALLOWED_REGIONS", "%v", err)
		}
	}
	if d := strings.ToUpper(l.str("DEFAULT_REGION")); d != "" {
		if _, err := phone.NewPolicy([]string{d}); err != nil {
			l.bad("DEFAULT_REGION", "%q is not an ISO 3166 region code with phone numbers", d)
		} else if ap, err := phone.NewPolicy(c.AllowedRegions); err == nil && !ap.Allowed(d) {
			l.bad("DEFAULT_REGION", "%s is not in ALLOWED_REGIONS", d)
		} else {
			c.DefaultRegion = d
		}
	}
	c.DefaultLanguage = "en"
	if d := l.str("DEFAULT_LANGUAGE"); d != "" {
		if tag, ok := messages.Match(d); ok {
			c.DefaultLanguage = tag
		} else {
			l.bad("DEFAULT_LANGUAGE", "%q is not one of the portal's languages (%s)", d, languageList())
		}
	}
	c.HelpdeskGroups = l.groupIDs("HELPDESK_GROUP_IDS")

	c.StepUpACR = l.str("STEP_UP_ACR")
	if c.StepUpACR == "" {
		c.StepUpACR = "Multi_Factor"
	} else if strings.ContainsAny(c.StepUpACR, " \t\"'<>") {
		l.bad("STEP_UP_ACR", "%q is not a sign-on policy name", c.StepUpACR)
	}
	c.StepUpMaxAge = l.duration("STEP_UP_MAX_AGE", 10*time.Minute)
	c.HelpdeskStepUpMaxAge = l.duration("HELPDESK_STEP_UP_MAX_AGE", time.Hour)
	c.HelpdeskVerificationTTL = l.duration("HELPDESK_VERIFICATION_TTL", 15*time.Minute)
	c.HelpdeskProtectedGroups = l.groupIDs("HELPDESK_PROTECTED_GROUP_IDS")
	c.HelpdeskNewPhoneWait = l.duration("HELPDESK_NEW_PHONE_WAIT", 24*time.Hour)
	switch v := strings.ToLower(l.str("FIRST_PHONE_PROOF")); v {
	case "", "none":
		c.FirstPhoneProof = "none"
	case "email":
		c.FirstPhoneProof = "email"
	default:
		l.bad("FIRST_PHONE_PROOF", "%q is not none or email", l.str("FIRST_PHONE_PROOF"))
	}
	for _, p := range l.list("TRUSTED_PROXIES") {
		if !strings.Contains(p, "/") {
			if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
				p += "/32"
			} else {
				p += "/128"
			}
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			l.bad("TRUSTED_PROXIES", "%q is not an IP address or CIDR", p)
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	if v := l.str("STRONGER_METHODS_URL"); v != "" {
		if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" {
			l.bad("STRONGER_METHODS_URL", "%q is not an https URL", v)
		} else {
			c.StrongerMethodsURL = v
		}
	}

	c.AlternativeMethodsURL = l.linkURL("ALTERNATIVE_METHODS_URL")

	switch strings.ToLower(l.str("HELPDESK_REASON_REQUIRED")) {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		c.HelpdeskReasonRequired = true
	default:
		l.bad("HELPDESK_REASON_REQUIRED", "%q is not true or false", l.str("HELPDESK_REASON_REQUIRED"))
	}

	switch strings.ToLower(l.str("LOG_LEVEL")) {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		l.bad("LOG_LEVEL", "%q is not one of debug, info, warn, error", l.str("LOG_LEVEL"))
	}
	c.ShutdownTimeout = l.duration("SHUTDOWN_TIMEOUT", 15*time.Second)
	if v := l.str("DRAIN_DELAY"); v != "" {
		if d, err := time.ParseDuration(v); err != nil || d < 0 {
			l.bad("DRAIN_DELAY", "%q is not a duration of 0 or more, such as 5s", v)
		} else {
			c.DrainDelay = d
		}
	}
	c.MetricsAddr = l.addr("METRICS_ADDR", "")
	c.PprofAddr = l.addr("PPROF_ADDR", "")
	// Each address serves one thing: metrics or the profiler on the public port would open
	// them to everyone who reaches the portal.
	for _, other := range []struct{ name, addr string }{{"METRICS_ADDR", c.MetricsAddr}, {"PPROF_ADDR", c.PprofAddr}} {
		if other.addr != "" && sameListener(c.Listen, other.addr) {
			l.bad(other.name, "%q is the same port as LISTEN_ADDR %q: give it an address of its own (it must stay off the public one)", other.addr, c.Listen)
		}
	}
	if c.MetricsAddr != "" && c.PprofAddr != "" && sameListener(c.MetricsAddr, c.PprofAddr) {
		l.bad("PPROF_ADDR", "%q is the same port as METRICS_ADDR %q: give the profiler an address of its own", c.PprofAddr, c.MetricsAddr)
	}
	c.MaxInFlight = 400
	if v := l.str("MAX_IN_FLIGHT"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 {
			l.bad("MAX_IN_FLIGHT", "%q is not a whole number of requests, 1 or more (such as 400)", v)
		} else {
			c.MaxInFlight = n
		}
	}

	if v := l.str("OTEL_EXPORTER_OTLP_ENDPOINT"); v != "" {
		if _, err := tracing.TracesURL(v); err != nil {
			l.bad("OTEL_EXPORTER_OTLP_ENDPOINT", "%v", err)
		} else {
			c.OTLPEndpoint = v
		}
	}

	c.RedisURL = l.secret("REDIS_URL")
	if c.RedisURL != "" {
		// Read as the store reads it when it connects; its words never repeat the value, which
		// holds the password.
		var ue *store.URLError
		if err := store.CheckRedisURL(c.RedisURL); errors.As(err, &ue) {
			l.bad("REDIS_URL", "%s", ue.Problem)
		}
	}
	c.RedisKeyPrefix = l.str("REDIS_KEY_PREFIX")
	if c.RedisKeyPrefix == "" {
		c.RedisKeyPrefix = "mfa-portal:"
	} else if strings.ContainsAny(c.RedisKeyPrefix, "{} \t") {
		l.bad("REDIS_KEY_PREFIX", "%q must not contain spaces, { or }", c.RedisKeyPrefix)
	}
	c.Limits = limits.DefaultRules()
	for _, v := range limitVars {
		if s := l.str(v.name); s != "" {
			r := v.rule(&c.Limits)
			parsed, err := limits.ParseRule(r.Name, s)
			if err != nil {
				l.bad(v.name, "%v", err)
				continue
			}
			*r = parsed
		}
	}
	if s := l.str("LIMIT_WRONG_CODE"); s != "" {
		wc := &c.Limits.WrongCode
		if r, err := limits.ParseRule(wc.Name, s); err != nil {
			l.bad("LIMIT_WRONG_CODE", "%v", err)
		} else {
			wc.Failures, wc.Window, wc.LockFor = r.Limit, r.Window, r.Window
		}
	}

	loadHelpdeskTools(l, c)
	loadNotices(l, c)

	if len(l.problems) > 0 {
		return nil, &Error{Problems: l.problems}
	}
	return c, nil
}
