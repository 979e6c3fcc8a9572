package pingone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"go.opentelemetry.io/otel/trace"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

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
		isRefusal := errors.As(err, &refused)
		if isRefusal {
			sent.sent(refused.StatusCode)
		} else {
			sent.sent(0)
		}
		if first == nil {
			first = err
		}
		if !isRefusal || refused.Code != "invalid_client" {
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
