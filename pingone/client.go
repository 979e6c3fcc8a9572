// Package pingone calls PingOne's management API (users, groups, MFA devices, MFA settings)
// and its MFA device authentications with a worker application's token, which it fetches,
// caches and refreshes on the server alone; typed errors decide on PingOne's code and details.
package pingone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
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
	if cfg.Region == "" {
		cfg.Region = RegionNA
	}
	api, auth := cfg.Region.APIBase(), cfg.Region.AuthBase()
	if cfg.APIBase != "" {
		api = cfg.APIBase
	}
	if cfg.AuthBase != "" {
		auth = cfg.AuthBase
	}
	if api == "" || auth == "" {
		return nil, fmt.Errorf("pingone: unknown region %q", cfg.Region)
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
	c.tokens = newTokenCache(clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     c.authBase + "/" + url.PathEscape(cfg.EnvironmentID) + "/as/token",
	}, style, &http.Client{Transport: WithTransactionID(hc.Transport), Timeout: hc.Timeout})
	c.tokens.tracer = c.tracer
	return c, nil
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

// tokenCache holds one worker token for the process. Fetching happens under a one-slot
// semaphore, so however many requests arrive with a cold cache, one token request is made;
// waiters give up when their context ends.
type tokenCache struct {
	// cfgs are the ways to authenticate that may be tried, in order: one when the style is
	// configured, header then form when it is to be found out.
	cfgs []*clientcredentials.Config
	hc   *http.Client
	sem  chan struct{}
	tok  *oauth2.Token
	skew time.Duration
	// tracer makes a span for each token request (not for a token from the cache).
	tracer trace.Tracer
}

func newTokenCache(base clientcredentials.Config, style oauth2.AuthStyle, hc *http.Client) *tokenCache {
	t := &tokenCache{hc: hc, sem: make(chan struct{}, 1), skew: time.Minute}
	styles := []oauth2.AuthStyle{style}
	if style == oauth2.AuthStyleAutoDetect {
		// Found out here rather than by x/oauth2, which tries the form after any failure of
		// the header, so that a token endpoint that is down would read as a refused secret.
		styles = []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams}
	}
	for _, st := range styles {
		c := base
		c.AuthStyle = st
		t.cfgs = append(t.cfgs, &c)
	}
	return t
}

func (t *tokenCache) token(ctx context.Context) (_ string, err error) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-t.sem }()
	if t.tok != nil && t.tok.AccessToken != "" && (t.tok.Expiry.IsZero() || time.Until(t.tok.Expiry) > t.skew) {
		return t.tok.AccessToken, nil
	}
	var sent callSends
	if t.tracer != nil {
		var span trace.Span
		ctx, span = startCallSpan(ctx, t.tracer, http.MethodPost, tokenRoute)
		defer func() { endCallSpan(span, sent, err) }()
	}
	var first error
	for i, cfg := range t.cfgs {
		tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, t.hc))
		if err == nil {
			sent.sent(http.StatusOK)
			// The way that worked is the app's: keep to it.
			t.cfgs = t.cfgs[i : i+1]
			t.tok = tok
			return tok.AccessToken, nil
		}
		err = tokenFailure(err)
		var refused *TokenError
		if errors.As(err, &refused) {
			sent.sent(refused.StatusCode)
		} else {
			sent.sent(0)
		}
		if first == nil {
			first = err
		}
		var te *TokenError
		if !errors.As(err, &te) || te.Code != "invalid_client" {
			// Only a refused client authentication says to try the other way.
			break
		}
	}
	return "", first
}

// invalidate drops the cached token if it is still the one that was refused, so that a burst
// of 401s leads to one new token, not one each.
func (t *tokenCache) invalidate(ctx context.Context, refused string) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	if t.tok != nil && t.tok.AccessToken == refused {
		t.tok = nil
	}
	<-t.sem
}

// TokenError is the token endpoint's refusal of the worker's credentials, or its failure to
// answer properly. It carries the OAuth error code and description PingOne sent, never the
// secret.
type TokenError struct {
	// StatusCode is the token endpoint's HTTP status.
	StatusCode int
	// Code is the OAuth error code, such as invalid_client or unauthorized_client.
	Code        string
	Description string
}

func (e *TokenError) Error() string {
	s := fmt.Sprintf("pingone: worker token: %d", e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// tokenFailure sorts a failed token request into a refusal (*TokenError), no answer
// (*NetError) or anything else.
func tokenFailure(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		// The token endpoint's error names the problem (invalid_client, ...), never a secret.
		return &TokenError{StatusCode: re.Response.StatusCode, Code: re.ErrorCode, Description: re.ErrorDescription}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &NetError{Method: http.MethodPost, Path: "/as/token", Err: err}
	}
	return fmt.Errorf("pingone: worker token: %w", err)
}

// IsTokenRefused reports whether PingOne's token endpoint refused the worker app (a wrong or
// rotated secret, a disabled app, a wrong authentication method): a setup fault that no retry
// mends, unlike PingOne being unavailable.
func IsTokenRefused(err error) bool {
	var te *TokenError
	return errors.As(err, &te) && te.StatusCode >= 400 && te.StatusCode < 500 && te.StatusCode != http.StatusTooManyRequests
}

// IsMisconfigured reports whether err means the portal's PingOne set-up is wrong rather than
// PingOne being down: the worker token was refused, or the worker lacks a role (IsForbidden).
func IsMisconfigured(err error) bool {
	return IsTokenRefused(err) || IsForbidden(err)
}

// request describes one management call.
type request struct {
	method      string
	path        string // below {api}/environments/{envID}
	query       url.Values
	contentType string
	body        any
	// idempotent calls are retried; a POST that creates or changes state is not.
	idempotent bool
	// auth calls go to the auth host ({auth}/{envID}/...), such as the MFA device
	// authentications, instead of the management API.
	auth bool
}

func (c *Client) endpoint(r request) string {
	u := c.apiBase + "/environments/" + url.PathEscape(c.envID) + r.path
	if r.auth {
		u = c.authBase + "/" + url.PathEscape(c.envID) + r.path
	}
	q := r.query
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// doInto makes a request that PingOne answers with one T, and returns that T.
func doInto[T any](ctx context.Context, c *Client, r request) (*T, error) {
	var out T
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// do sends r, retrying as its idempotency allows, and decodes a 2xx answer into out, in a
// span of its own.
func (c *Client) do(ctx context.Context, r request, out any) error {
	ctx, span := startCallSpan(ctx, c.tracer, r.method, r.template())
	var sent callSends
	err := c.call(withSends(ctx, &sent), r, out)
	endCallSpan(span, sent, err)
	return err
}

// call is do without its span.
func (c *Client) call(ctx context.Context, r request, out any) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("pingone: encode %s %s: %w", r.method, r.path, err)
		}
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.token(ctx)
		if err != nil {
			return err
		}
		if err := c.turn(ctx); err != nil {
			return fmt.Errorf("pingone: %s %s: %w", r.method, routeOf(r.path), err)
		}
		resp, err := c.send(ctx, r, payload, tok)
		if err == nil {
			err = CheckResponse(resp)
			if err == nil {
				err = decodeBody(resp, out)
				resp.Body.Close()
				if err != nil {
					return &DecodeError{Method: r.method, Path: routeOf(r.path), Err: err}
				}
				return nil
			}
			resp.Body.Close()
			if pe, _ := asError(err); pe.StatusCode == http.StatusUnauthorized && !refreshed {
				// A 401 means the request was not carried out, so even a POST may be sent again
				// once, with a fresh token.
				refreshed = true
				c.tokens.invalidate(ctx, tok)
				attempt--
				continue
			}
		}
		if !r.idempotent || attempt >= c.maxRetries || !retryable(ctx, err) {
			return err
		}
		if pe, ok := asError(err); ok && pe.RetryAfter > c.waitMax {
			// PingOne asks for a longer pause than a person should wait: give up now and let
			// the caller say when to try again.
			return err
		}
		wait := c.backoff(attempt, err)
		c.log.WarnContext(ctx, "pingone call retried", "method", r.method, "route", routeOf(r.path), "attempt", attempt+1, "wait_ms", wait.Milliseconds(), "error", err.Error())
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func (c *Client) send(ctx context.Context, r request, payload []byte, tok string) (*http.Response, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.endpoint(r), body)
	if err != nil {
		return nil, fmt.Errorf("pingone: %s %s: %w", r.method, r.path, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if id := TransactionID(ctx); id != "" {
		req.Header.Set(HeaderTransactionID, id)
	}
	if payload != nil || r.contentType != "" {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	sendsOf(ctx).sent(status)
	if c.observe != nil {
		c.observe(r.method+" "+routeOf(r.path), status, time.Since(start))
	}
	if err != nil {
		return nil, &NetError{Method: r.method, Path: r.path, Err: err}
	}
	return resp, nil
}

// turn waits, under the MaxRPS ceiling, for the caller's turn to call PingOne. A caller whose
// deadline comes before its turn gets a *ThrottledError at once rather than waiting in vain;
// one whose context ends while it waits gets one too, and gives its turn back.
func (c *Client) turn(ctx context.Context) error {
	if c.limiter == nil {
		return nil
	}
	res := c.limiter.Reserve() // with a burst of 1, a single call always gets a reservation
	wait := res.Delay()
	if wait == 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		res.Cancel()
		c.queueObserved(wait, false)
		return &ThrottledError{Wait: wait}
	}
	if c.observeQueued != nil {
		c.observeQueued(1)
		defer c.observeQueued(-1)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		c.queueObserved(wait, true)
		return nil
	case <-ctx.Done():
		res.Cancel()
		c.queueObserved(wait, false)
		return &ThrottledError{Wait: wait, Err: ctx.Err()}
	}
}

func (c *Client) queueObserved(wait time.Duration, admitted bool) {
	if c.observeQueue != nil {
		c.observeQueue(wait, admitted)
	}
}

// ThrottledError is a call the client did not send because the MaxRPS ceiling had no turn for
// it before the caller's deadline: Wait is how long it would have had to wait. PingOne was not
// called; IsRateLimited reports true for it.
type ThrottledError struct {
	Wait time.Duration
	// Err is the context's error when it ended while the call waited; nil when the deadline was
	// known to come too soon.
	Err error
}

func (e *ThrottledError) Error() string {
	msg := fmt.Sprintf("over the client's ceiling of calls per second (PINGONE_MAX_RPS): the next turn is in %v, after the request's deadline", e.Wait.Round(time.Millisecond))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *ThrottledError) Unwrap() error { return e.Err }

// NetError is a call that got no HTTP answer: a timeout, a reset, a refused connection. For a
// POST it means the change may or may not have happened.
type NetError struct {
	Method, Path string
	Err          error
}

func (e *NetError) Error() string {
	// net/http's *url.Error repeats the whole URL, query string included: a user search's
	// filter (a name or email staff typed) must never reach a log line. Path and cause only.
	cause := e.Err
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = ue.Err
	}
	return fmt.Sprintf("pingone: %s %s: %v", e.Method, e.Path, cause)
}

func (e *NetError) Unwrap() error { return e.Err }

// DecodeError is a 2xx answer whose body could not be read as the documented JSON.
type DecodeError struct {
	Method, Path string
	Err          error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("pingone: %s %s: unreadable answer: %v", e.Method, e.Path, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// IsMalformed reports whether PingOne answered with a body the client could not read.
func IsMalformed(err error) bool {
	var de *DecodeError
	return errors.As(err, &de)
}

// IsUnreachable reports whether err means PingOne gave no answer (timeout, reset, refused).
func IsUnreachable(err error) bool {
	var ne *NetError
	return errors.As(err, &ne)
}

// IsUnavailable reports whether PingOne answered that it cannot serve now (5xx, 408), the
// token endpoint included.
func IsUnavailable(err error) bool {
	status := 0
	var te *TokenError
	if pe, ok := asError(err); ok {
		status = pe.StatusCode
	} else if errors.As(err, &te) {
		status = te.StatusCode
	}
	return status >= 500 || status == http.StatusRequestTimeout
}

func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if pe, ok := asError(err); ok {
		switch pe.StatusCode {
		case http.StatusRequestTimeout, http.StatusTooManyRequests:
			return true
		}
		return pe.StatusCode >= 500 && pe.StatusCode != http.StatusNotImplemented
	}
	var ne *NetError
	if errors.As(err, &ne) {
		var ue *url.Error
		if errors.As(ne.Err, &ue) && errors.Is(ue.Err, context.Canceled) {
			return false
		}
		var oe *net.OpError
		return errors.As(ne.Err, &oe) || errors.Is(ne.Err, io.EOF) || errors.Is(ne.Err, io.ErrUnexpectedEOF) ||
			errors.Is(ne.Err, context.DeadlineExceeded) || strings.Contains(ne.Err.Error(), "connection reset") ||
			strings.Contains(ne.Err.Error(), "Client.Timeout")
	}
	return false
}

// backoff is exponential with full jitter between waitMin and waitMax; a Retry-After from
// PingOne wins when it is longer, capped at waitMax.
func (c *Client) backoff(attempt int, err error) time.Duration {
	ceil := c.waitMin << attempt
	if ceil > c.waitMax || ceil <= 0 {
		ceil = c.waitMax
	}
	wait := c.waitMin + rand.N(ceil-c.waitMin+1)
	if pe, ok := asError(err); ok && pe.RetryAfter > wait {
		wait = min(pe.RetryAfter, c.waitMax)
	}
	return wait
}

func decodeBody(resp *http.Response, out any) error {
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	return json.Unmarshal(data, out)
}

// routeOf replaces IDs in a path with placeholders, for logs and metrics.
func routeOf(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if i > 0 && (parts[i-1] == "users" || parts[i-1] == "devices" || parts[i-1] == "groups" || parts[i-1] == "deviceAuthentications") && p != "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}
