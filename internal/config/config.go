// Package config reads the portal's configuration from the environment once, into one typed
// struct, and reports every problem at once with the variable's name.
//
// Variables is the table of settings: a row per variable names it, gives its default and
// meaning (for the README and -help) and how it is read and where it goes in the Config. The
// kinds of setting read alike (durations, addresses, IDs, limits) are in kinds.go; the
// settings read their own way in settings.go, each after the rows it depends on; loader.go
// holds what they share (secrets from files, each problem once).
package config

import (
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/limits"
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

// Setting is one environment variable: its name, its default and meaning as the README and
// -help give them, and how Load reads it into the Config.
type Setting struct {
	Name string
	// Default is the value Load uses when the variable is unset or, in parentheses, what
	// happens then.
	Default string
	Meaning string
	// load reads the variable into the Config, reporting each problem under its name.
	load loadFunc
}

// Variables lists every variable, in the order of the README, -help and the problems reported.
var Variables = slices.Concat(settings, helpdeskToolSettings, noticeSettings)

// settings are the portal's variables; helpdesk_tools.go and notices.go add theirs.
var settings = []Setting{
	{"PORTAL_PUBLIC_URL", "(required)", "Where people reach the portal, e.g. https://mfa.example.com. HTTPS turns on Secure and __Host- cookies and HSTS.", publicURL},
	{"LISTEN_ADDR", ":8080", "Address to listen on; the -listen flag wins.", address(func(c *Config) *string { return &c.Listen })},
	{"PINGONE_ENVIRONMENT_ID", "(required)", "The PingOne environment's ID (a UUID).", uuid(true, func(c *Config) *string { return &c.PingOneEnvironmentID })},
	{"PINGONE_REGION", "NA", "NA, CA, EU, AU, SG or AP: picks PingOne's API and auth domains.", region},
	{"PINGONE_API_BASE", "(from region)", "Override of the API base, e.g. https://api.pingone.eu/v1; https (http only on loopback, for the emulator).", baseURL(func(c *Config) *string { return &c.PingOneAPIBase })},
	{"PINGONE_AUTH_BASE", "(from region)", "Override of the auth base, e.g. https://auth.pingone.eu; https (http only on loopback, for the emulator).", baseURL(func(c *Config) *string { return &c.PingOneAuthBase })},
	{"PINGONE_WORKER_CLIENT_ID", "(required)", "Worker application (Identity Data Admin role) for the management API.", required(func(c *Config) *string { return &c.WorkerClientID })},
	{"PINGONE_WORKER_CLIENT_SECRET", "(required, or _FILE)", "Its secret.", requiredSecret(func(c *Config) *string { return &c.WorkerClientSecret })},
	{"PINGONE_WORKER_TOKEN_AUTH", "(detect)", "basic or post: the worker app's Token Endpoint Authentication Method (Client Secret Basic or Client Secret Post); empty finds out on the first token.", tokenAuth},
	{"PINGONE_WEB_CLIENT_ID", "(required)", "Web application (OIDC, authorization code, PKCE) people sign in with.", required(func(c *Config) *string { return &c.WebClientID })},
	{"PINGONE_WEB_CLIENT_SECRET", "(required, or _FILE)", "Its secret.", requiredSecret(func(c *Config) *string { return &c.WebClientSecret })},
	{"PINGONE_DEVICE_POLICY_ID", "(the default)", "MFA policy (device authentication policy) sent with each new SMS device, and read for whether SMS may be added and the code's length, lifetime and tries; empty uses the environment's default policy.", uuid(false, func(c *Config) *string { return &c.DevicePolicyID })},
	{"PINGONE_TIMEOUT", "10s", "Longest wait for one PingOne answer.", duration(func(c *Config) *time.Duration { return &c.PingOneTimeout })},
	{"PINGONE_MAX_RPS", "0 (no ceiling)", "Most calls per second this instance makes to PingOne's API, below the tenant's rate limits; calls over it wait their turn within the request's deadline.", maxRPS},
	{"SESSION_KEYS", "(required, or _FILE)", "Comma-separated secrets of at least 32 characters; the first signs, the rest still verify (rotation).", sessionKeys},
	{"SESSION_IDLE_TIMEOUT", "30m", "Sign out after this long without a request.", duration(func(c *Config) *time.Duration { return &c.SessionIdleTimeout })},
	{"SESSION_MAX_AGE", "8h", "Sign out this long after signing in, whatever happens.", duration(func(c *Config) *time.Duration { return &c.SessionMaxAge })},
	{"ALLOWED_REGIONS", "(required)", "Comma-separated ISO 3166 codes whose numbers may be registered, e.g. US,CA,GB; * for every country, on purpose (SMS pumping targets expensive ranges).", allowedRegions},
	{"DEFAULT_REGION", "(browser language)", "Country picked first in the phone form, e.g. US.", defaultRegion},
	{"DEFAULT_LANGUAGE", "en", "Language of the pages when neither the person's choice, the link's ?lang=, their PingOne profile nor their browser picks one of the portal's: en, de, fr, es, pt-BR, ja, zh-Hans or ar.", defaultLanguage},
	{"HELPDESK_GROUP_IDS", "(none)", "Comma-separated PingOne group IDs whose members are help-desk staff.", groupIDs(func(c *Config) *[]string { return &c.HelpdeskGroups })},
	{"HELPDESK_REASON_REQUIRED", "false", "true: every help-desk action needs a reason or ticket reference.", boolean(func(c *Config) *bool { return &c.HelpdeskReasonRequired })},
	{"HELPDESK_STEP_UP_MAX_AGE", "1h", "How recent the staff member's MFA sign-in (STEP_UP_ACR) must be for any help-desk page.", duration(func(c *Config) *time.Duration { return &c.HelpdeskStepUpMaxAge })},
	{"HELPDESK_PROTECTED_GROUP_IDS", "(none)", "Comma-separated PingOne group IDs whose members the help desk cannot change.", groupIDs(func(c *Config) *[]string { return &c.HelpdeskProtectedGroups })},
	{"HELPDESK_VERIFICATION_TTL", "15m", "How long a verified caller stays verified for one agent and one user.", duration(func(c *Config) *time.Duration { return &c.HelpdeskVerificationTTL })},
	{"STEP_UP_ACR", "Multi_Factor", "PingOne sign-on policy that proves MFA, asked for before a person with an active phone adds or removes one.", word(func(c *Config) *string { return &c.StepUpACR }, " \t\"'<>", "%q is not a sign-on policy name")},
	{"STEP_UP_MAX_AGE", "10m", "How recent that MFA sign-in must be.", duration(func(c *Config) *time.Duration { return &c.StepUpMaxAge })},
	{"TRUSTED_PROXIES", "(none)", "Comma-separated IPs or CIDRs of your load balancers; X-Forwarded-For is believed only from them.", trustedProxies},
	{"STRONGER_METHODS_URL", "(none)", "https link, shown beside the SMS note, to your guide for stronger methods (authenticator app, passkey).", strongerMethodsURL},
	{"ALTERNATIVE_METHODS_URL", "(none)", "https link (http only on localhost) where people set up a passkey or an authenticator app instead: offered in one line before the add-phone form, and on the page that says new phones are turned off.", linkURL(func(c *Config) *string { return &c.AlternativeMethodsURL })},
	{"METRICS_ADDR", "(off)", "Address for Prometheus metrics at /metrics, e.g. :9090; kept off the public address.", address(func(c *Config) *string { return &c.MetricsAddr })},
	{"PPROF_ADDR", "(off)", "Address for Go's profiler at /debug/pprof/, e.g. 127.0.0.1:6060: on only while you profile, never on an address the cluster can reach (it shows stacks and memory).", address(func(c *Config) *string { return &c.PprofAddr })},
	{"MAX_IN_FLIGHT", "400", "Most requests one instance works on at once; past it people get the \"try again in a minute\" page (503, Retry-After) at once, so a surge cannot push the instance past its memory limit. Size it from the memory limit: see the README.", maxInFlight},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "(off)", "OpenTelemetry collector's OTLP/HTTP base URL, e.g. http://otel-collector:4318: a span per request and per PingOne call goes to its /v1/traces. Off when empty.", otlpEndpoint},
	{"LOG_LEVEL", "info", "debug, info, warn or error.", logLevel},
	{"SHUTDOWN_TIMEOUT", "15s", "How long requests in flight may finish after SIGTERM.", duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"DRAIN_DELAY", "0s", "After SIGTERM, how long the portal keeps serving with /readyz at 503 before it stops accepting connections, so the load balancer takes it out first (Kubernetes: 5s or so; the grace period must exceed DRAIN_DELAY plus SHUTDOWN_TIMEOUT).", drainDelay},
	{"REDIS_URL", "(none: in memory)", "Redis shared by several instances (limits, sessions, cool-downs): redis://[:password@]host:6379/0, rediss:// for TLS; ?master_name=NAME for Sentinel, ?cluster=true for Cluster. Required for more than one instance. Secret (or _FILE).", redisURL},
	{"REDIS_KEY_PREFIX", "mfa-portal:", "Prefix of every Redis key, so several portals can share one Redis.", word(func(c *Config) *string { return &c.RedisKeyPrefix }, "{} \t", "%q must not contain spaces, { or }")},
	{"LIMIT_SIGN_IN", "300/1m", "Sign-ins started per client network (an IPv4 address, an IPv6 /64). Size it for the largest office behind one address: see the README.", limit(func(r *limits.Rules) *limits.Rule { return &r.SignIn })},
	{"LIMIT_NEW_DEVICE", "5/1h", "Phones added per person.", limit(func(r *limits.Rules) *limits.Rule { return &r.NewDevice })},
	{"LIMIT_RESEND_COOLDOWN", "1/30s", "Codes per device in a short span: the wait before \"send a new code\" works again.", limit(func(r *limits.Rules) *limits.Rule { return &r.ResendShort })},
	{"LIMIT_RESEND", "5/1h", "Codes resent per person.", limit(func(r *limits.Rules) *limits.Rule { return &r.ResendHour })},
	{"LIMIT_TEXTS_TO_NUMBER", "3/5m", "Texts to any one phone number, whoever asks.", limit(func(r *limits.Rules) *limits.Rule { return &r.TextsToNumber })},
	{"LIMIT_ACTOR_TEXTS", "30/1h", "Texts sent by one acting person, staff included: bounds what one (stolen) staff session can send.", limit(func(r *limits.Rules) *limits.Rule { return &r.ActorTexts })},
	{"LIMIT_HELPDESK_TEXTS", "200/1h", "Texts the whole help desk sends for other people.", limit(func(r *limits.Rules) *limits.Rule { return &r.HelpdeskTexts })},
	{"LIMIT_WRONG_CODE", "5/15m", "Wrong codes per device; then none are accepted for the same span (a lockout).", wrongCode},
	{"LIMIT_HELPDESK_SEARCH", "60/1h", "Directory searches per help-desk staff member.", limit(func(r *limits.Rules) *limits.Rule { return &r.HelpdeskSearch })},
	{"LIMIT_HELPDESK_CALLER_CODES", "3/1h", "Caller-verification codes one staff member sends to one user.", limit(func(r *limits.Rules) *limits.Rule { return &r.CallerCodes })},
	{"LIMIT_HELPDESK_CALLER_CODES_USER", "5/1h", "Caller-verification codes sent to one user, whoever asks.", limit(func(r *limits.Rules) *limits.Rule { return &r.CallerCodesUser })},
	{"HELPDESK_NEW_PHONE_WAIT", "24h", "A phone added or changed this recently neither opens the help desk to its owner (nor counts for an approval) nor verifies a caller.", duration(func(c *Config) *time.Duration { return &c.HelpdeskNewPhoneWait })},
	{"FIRST_PHONE_PROOF", "none", "email: before a person with no active phone gets a first code, they type a code PingOne emails to their address in the directory.", firstPhoneProof},
}

// checks compare settings with one another, once every variable is read.
var checks = []func(l *loader, c *Config){sessionAges, ownListeners}

// Error lists every configuration problem.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "configuration: " + strings.Join(e.Problems, "; ")
}

// Load reads and checks the configuration. getenv is os.Getenv in production; tests pass
// their own. The error, when there is one, is an *Error naming every problem.
func Load(getenv func(string) string) (*Config, error) {
	l := &loader{getenv: getenv, readFile: os.ReadFile, secrets: map[string]string{}}
	c := &Config{Limits: limits.DefaultRules()}
	for _, s := range Variables {
		s.load(l, s, c)
	}
	for _, check := range checks {
		check(l, c)
	}
	if len(l.problems) > 0 {
		return nil, &Error{Problems: l.problems}
	}
	return c, nil
}
