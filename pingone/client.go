// Package pingone calls PingOne's management API (users, groups, MFA devices, MFA settings)
// and its MFA device authentications with a worker application's token, which it fetches,
// caches and refreshes on the server alone; typed errors decide on PingOne's code and details.
package pingone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/time/rate"
)

// Config says which PingOne environment to call and as which worker application.
type Config struct {
	EnvironmentID string
	Region        Region
	// APIBase and AuthBase override the region's bases (tests, the demo, private endpoints).
	APIBase      string
	AuthBase     string
	ClientID     string
	ClientSecret string
	// AuthStyle is how the worker app authenticates at the token endpoint, as its
	// "Token Endpoint Authentication Method" in PingOne says: AuthStyleBasic
	// (client_secret_basic), AuthStylePost (client_secret_post), or "" to find out from the
	// token endpoint's answers (the header first, then the form after an invalid_client) and
	// keep to what worked.
	AuthStyle string
	// HTTPClient is used for every call, the token's included; nil means a client with
	// sensible timeouts and keep-alive connections.
	HTTPClient *http.Client
	// MaxRetries bounds the retries of an idempotent call; 0 means 3, negative means none.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff and any Retry-After honoured.
	RetryWaitMin, RetryWaitMax time.Duration
	// Logger receives one line per retry; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock for what the client keeps in memory (the MFA settings); nil means
	// time.Now.
	Now func() time.Time
	// Observe, when set, is told of every management call: its route (IDs replaced by
	// {id}), the status (0 when no answer came) and how long it took.
	Observe func(route string, status int, d time.Duration)
	// MaxRPS is a ceiling on the client's calls per second to PingOne, so that a surge (an
	// onboarding day) never trips the environment's rate limits; 0 means none. Callers over it
	// queue for as long as their context allows, and get a *ThrottledError when their deadline
	// comes before their turn.
	MaxRPS float64
	// ObserveQueue, when set, is told of every call that met the MaxRPS ceiling: how long it
	// had to wait for its turn, and whether it got one (false: its deadline came first).
	ObserveQueue func(wait time.Duration, admitted bool)
	// ObserveQueued, when set, is told when a call starts (+1) and stops (-1) waiting for its
	// turn under MaxRPS.
	ObserveQueued func(delta int)
	// DevicePolicyID names the device authentication policy DevicePolicy reads; "" reads the
	// environment's default policy.
	DevicePolicyID string
	// Tracer, when set, makes a client span per call (trace.go): its route as a template, its
	// status and its retries; nil makes none.
	Tracer trace.Tracer
}

// The values of Config.AuthStyle.
const (
	AuthStyleBasic = "basic"
	AuthStylePost  = "post"
)

// ParseAuthStyle reads a worker token method: "basic" or "post" (also as PingOne's console
// names them, client_secret_basic and client_secret_post, in any case), or "" to detect it.
func ParseAuthStyle(s string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "", AuthStyleBasic, AuthStylePost:
		return v, nil
	case "client_secret_basic", "client_secret_post":
		return strings.TrimPrefix(v, "client_secret_"), nil
	}
	return "", fmt.Errorf("pingone: token auth style %q is not basic, post or empty", s)
}

func oauthStyle(s string) (oauth2.AuthStyle, error) {
	v, err := ParseAuthStyle(s)
	switch {
	case err != nil:
		return 0, err
	case v == AuthStyleBasic:
		return oauth2.AuthStyleInHeader, nil
	case v == AuthStylePost:
		return oauth2.AuthStyleInParams, nil
	}
	return oauth2.AuthStyleAutoDetect, nil
}

// Client calls one PingOne environment. It is safe for concurrent use.
type Client struct {
	envID      string
	apiBase    string
	authBase   string
	http       *http.Client
	tokens     *tokenCache
	maxRetries int
	waitMin    time.Duration
	waitMax    time.Duration
	log        *slog.Logger
	observe    func(route string, status int, d time.Duration)
	settings   briefCache[MFASettings]
	// policy is the device authentication policy (devicepolicy.go); policyID names it, "" for
	// the environment's default.
	policy   briefCache[DevicePolicy]
	policyID string
	now      func() time.Time
	// limiter is the MaxRPS ceiling (nil: none).
	limiter       *rate.Limiter
	observeQueue  func(wait time.Duration, admitted bool)
	observeQueued func(delta int)
	tracer        trace.Tracer
}

// NewHTTPClient returns an HTTP client with the timeouts the portal uses for PingOne.
func NewHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// One idle connection per caller a surge brings (500 at once and more): fewer than that
	// and each burst dials new connections (and, to the real PingOne, new TLS handshakes).
	tr.MaxIdleConnsPerHost = 512
	tr.MaxIdleConns = 512
	tr.ResponseHeaderTimeout = 10 * time.Second
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.EnvironmentID == "" {
		return nil, errors.New("pingone: environment ID is required")
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("pingone: worker client ID and secret are required")
	}
	api, auth, err := cfg.bases()
	if err != nil {
		return nil, err
	}
	style, err := oauthStyle(cfg.AuthStyle)
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = NewHTTPClient()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{
		now:        cfg.Now,
		envID:      cfg.EnvironmentID,
		apiBase:    strings.TrimRight(api, "/"),
		authBase:   strings.TrimRight(auth, "/"),
		http:       hc,
		maxRetries: cfg.MaxRetries,
		waitMin:    cfg.RetryWaitMin,
		waitMax:    cfg.RetryWaitMax,
		log:        cfg.Logger,
		observe:    cfg.Observe,
		policyID:   cfg.DevicePolicyID,
		tracer:     cfg.Tracer,
	}
	if c.tracer == nil {
		c.tracer = noop.NewTracerProvider().Tracer(tracerName)
	}
	if cfg.MaxRPS < 0 {
		return nil, fmt.Errorf("pingone: MaxRPS %v is negative", cfg.MaxRPS)
	}
	if cfg.MaxRPS > 0 {
		// A burst of one spaces the calls evenly: PingOne counts per second, and a burst
		// allowed at the start of a second would add to the calls of the second before.
		c.limiter = rate.NewLimiter(rate.Limit(cfg.MaxRPS), 1)
		c.observeQueue, c.observeQueued = cfg.ObserveQueue, cfg.ObserveQueued
	}
	c.defaults()
	c.tokens = newTokenCache(clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     c.authBase + "/" + url.PathEscape(cfg.EnvironmentID) + "/as/token",
	}, style, &http.Client{Transport: WithTransactionID(hc.Transport), Timeout: hc.Timeout})
	c.tokens.tracer = c.tracer
	return c, nil
}

// bases are the API and auth bases cfg calls: its region's (North America when none is
// named), or the overrides.
func (cfg Config) bases() (api, auth string, err error) {
	if cfg.Region == "" {
		cfg.Region = RegionNA
	}
	api, auth = cfg.Region.APIBase(), cfg.Region.AuthBase()
	if cfg.APIBase != "" {
		api = cfg.APIBase
	}
	if cfg.AuthBase != "" {
		auth = cfg.AuthBase
	}
	if api == "" || auth == "" {
		return "", "", fmt.Errorf("pingone: unknown region %q", cfg.Region)
	}
	return api, auth, nil
}

// defaults fills in the retries, backoff bounds and logger Config leaves to the client.
func (c *Client) defaults() {
	if c.maxRetries == 0 {
		c.maxRetries = 3
	} else if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.waitMin <= 0 {
		c.waitMin = 200 * time.Millisecond
	}
	if c.waitMax <= 0 {
		c.waitMax = 5 * time.Second
	}
	if c.log == nil {
		c.log = slog.Default()
	}
}

// EnvironmentID returns the environment the client calls.
func (c *Client) EnvironmentID() string { return c.envID }

// AuthBase returns the auth base, such as https://auth.pingone.com.
func (c *Client) AuthBase() string { return c.authBase }

// Issuer returns the environment's OpenID Provider issuer.
func (c *Client) Issuer() string { return c.authBase + "/" + c.envID + "/as" }

// CheckToken obtains a worker token (from the cache when it is still fresh), proving that
// PingOne is reachable and the worker credentials work.
func (c *Client) CheckToken(ctx context.Context) error {
	_, err := c.tokens.token(ctx)
	return err
}
