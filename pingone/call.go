package pingone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

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

// routeOf replaces IDs in a path with {id}, for logs and metrics: the IDs request.template
// names, after the same collections (placeholders).
func routeOf(path string) string {
	parts := strings.Split(path, "/")
	for i := 1; i < len(parts); i++ {
		if _, ok := placeholders[parts[i-1]]; ok && parts[i] != "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}
