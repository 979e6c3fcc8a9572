package pingone

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxErrorBody bounds how much of an error answer is read: PingOne's error bodies are small, and
// a misbehaving proxy must not make the portal buffer megabytes.
const maxErrorBody = 64 << 10

// Error is an answer from PingOne with a status of 400 or more.
type Error struct {
	StatusCode int    `json:"-"`
	Method     string `json:"-"`
	Path       string `json:"-"`
	// RetryAfter is how long PingOne asked the caller to wait, from the Retry-After header or
	// a detail's innerError.retryAfter (the longer of the two); 0 when it did not say.
	RetryAfter time.Duration `json:"-"`
	ID         string        `json:"id"`
	Code       string        `json:"code"`
	Message    string        `json:"message"`
	Details    []ErrorDetail `json:"details"`
}

// ErrorDetail is one entry of an error's details.
type ErrorDetail struct {
	Code       string         `json:"code"`
	Target     string         `json:"target"`
	Message    string         `json:"message"`
	InnerError map[string]any `json:"innerError,omitempty"`
}

// Error describes the failure for logs. It holds no token, and PingOne's messages hold no secrets.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pingone: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	for _, d := range e.Details {
		fmt.Fprintf(&b, " [%s", d.Code)
		if d.Target != "" {
			fmt.Fprintf(&b, " %s", d.Target)
		}
		b.WriteString("]")
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.ID != "" {
		fmt.Fprintf(&b, " (id %s)", e.ID)
	}
	return b.String()
}

func (e *Error) hasDetail(code string) bool {
	for _, d := range e.Details {
		if d.Code == code {
			return true
		}
	}
	return false
}

// innerCount returns the first whole number, least or more, under one of keys in the
// innerError of a detail with code ("" for any detail), and whether there was one.
func (e *Error) innerCount(code string, least int, keys ...string) (int, bool) {
	for _, d := range e.Details {
		if code != "" && d.Code != code {
			continue
		}
		for _, k := range keys {
			if n, ok := d.InnerError[k].(float64); ok && n >= float64(least) && n == float64(int(n)) {
				return int(n), true
			}
		}
	}
	return 0, false
}

func (e *Error) hasTarget(target string) bool {
	for _, d := range e.Details {
		if strings.EqualFold(d.Target, target) {
			return true
		}
	}
	return false
}

func asError(err error) (*Error, bool) {
	var pe *Error
	ok := errors.As(err, &pe)
	return pe, ok
}

// IsNotFound reports whether PingOne said the resource does not exist.
func IsNotFound(err error) bool {
	pe, ok := asError(err)
	return ok && (pe.Code == "NOT_FOUND" || (pe.Code == "" && pe.StatusCode == http.StatusNotFound))
}

// IsWrongCode reports whether PingOne refused a one-time passcode. PingOne's exact answer is not
// documented, so any request error whose details name INVALID_OTP or target the otp field counts.
func IsWrongCode(err error) bool {
	pe, ok := asError(err)
	if !ok {
		return false
	}
	if pe.hasDetail("INVALID_OTP") {
		return true
	}
	switch pe.Code {
	case "INVALID_DATA", "INVALID_REQUEST", "REQUEST_FAILED":
		return pe.hasTarget("otp")
	}
	return false
}

// IsRateLimited reports whether PingOne asked the caller to slow down: a 429, or the top-level
// code REQUEST_LIMITED; or whether the client's own ceiling (a *ThrottledError) had no turn in
// time. A LIMIT_EXCEEDED detail alone is not enough: under a 400 REQUEST_FAILED it is the
// device limit (IsDeviceLimit).
func IsRateLimited(err error) bool {
	if te := (*ThrottledError)(nil); errors.As(err, &te) {
		return true
	}
	pe, ok := asError(err)
	return ok && (pe.StatusCode == http.StatusTooManyRequests || pe.Code == "REQUEST_LIMITED")
}

// IsDeviceLimit reports whether the user already has as many devices as PingOne allows
// (mfaSettings.pairing.maxAllowedDevices). PingOne answers that with
// 400 REQUEST_FAILED and a LIMIT_EXCEEDED detail whose innerError has maximumAllowed; status
// and code are read together, so that a rate limit's LIMIT_EXCEEDED never counts.
func IsDeviceLimit(err error) bool {
	pe, ok := asError(err)
	return ok && !IsRateLimited(err) && pe.Code == "REQUEST_FAILED" && pe.hasDetail("LIMIT_EXCEEDED")
}

// MaximumAllowed returns the device limit PingOne named in a device-limit error
// (innerError.maximumAllowed), if it named one.
func MaximumAllowed(err error) (int, bool) {
	if !IsDeviceLimit(err) {
		return 0, false
	}
	pe, _ := asError(err)
	return pe.innerCount("LIMIT_EXCEEDED", 1, "maximumAllowed")
}

// IsUnauthorized reports whether the token was refused.
func IsUnauthorized(err error) bool {
	pe, ok := asError(err)
	return ok && pe.Code == "ACCESS_FAILED" && (pe.hasDetail("INVALID_TOKEN") || pe.StatusCode == http.StatusUnauthorized) ||
		ok && pe.Code == "" && pe.StatusCode == http.StatusUnauthorized
}

// IsForbidden reports whether the worker app lacks a role or licence for the call.
func IsForbidden(err error) bool {
	pe, ok := asError(err)
	if !ok {
		return false
	}
	if pe.hasDetail("INSUFFICIENT_PERMISSIONS") || pe.hasDetail("LICENSE_EXCEEDED") {
		return true
	}
	return pe.Code == "ACCESS_FAILED" && pe.StatusCode == http.StatusForbidden ||
		pe.Code == "" && pe.StatusCode == http.StatusForbidden
}

// IsInvalidValue reports whether PingOne refused a field's value (such as a phone number).
func IsInvalidValue(err error) bool {
	pe, ok := asError(err)
	return ok && pe.Code == "INVALID_DATA" && (pe.hasDetail("INVALID_VALUE") || pe.hasDetail("CONSTRAINT_VIOLATION"))
}

// CheckResponse returns nil for a 2xx answer and an *Error otherwise, decoding PingOne's error
// body through a size limit. An unparseable body still gives an error naming the status and a
// short excerpt, so the operator can see what a proxy in the way answered.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	pe := &Error{StatusCode: resp.StatusCode}
	if resp.Request != nil {
		pe.Method = resp.Request.Method
		pe.Path = resp.Request.URL.Path
	}
	now := time.Now()
	pe.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), now)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	decodeErrorBody(pe, body)
	for _, d := range pe.Details {
		if ra, ok := d.InnerError["retryAfter"]; ok {
			// The header and the body may both speak; waiting for the later keeps both promises.
			pe.RetryAfter = max(pe.RetryAfter, retryAfterValue(ra, now))
		}
	}
	return pe
}

// decodeErrorBody fills pe from body, which may be anything a server or proxy returned.
func decodeErrorBody(pe *Error, body []byte) {
	var wire struct {
		ID      string        `json:"id"`
		Code    string        `json:"code"`
		Message string        `json:"message"`
		Details []ErrorDetail `json:"details"`
	}
	if err := json.Unmarshal(body, &wire); err == nil {
		pe.ID, pe.Code, pe.Message, pe.Details = wire.ID, wire.Code, wire.Message, wire.Details
		return
	}
	excerpt := strings.ToValidUTF8(string(body), "")
	if len(excerpt) > 200 {
		excerpt = excerpt[:200]
	}
	excerpt = strings.Join(strings.Fields(excerpt), " ")
	if excerpt == "" {
		pe.Message = http.StatusText(pe.StatusCode)
	} else {
		pe.Message = "unparseable error body: " + excerpt
	}
}

// retryAfterValue reads innerError.retryAfter: PingOne documents an ISO 8601 date-time; a
// number of seconds or an HTTP date is read too, since proxies and older answers use them.
func retryAfterValue(v any, now time.Time) time.Duration {
	switch x := v.(type) {
	case float64:
		if x > 0 {
			return time.Duration(x * float64(time.Second))
		}
	case string:
		return ParseRetryAfter(x, now)
	}
	return 0
}

// ParseRetryAfter reads a Retry-After value in seconds, as an HTTP date or as an ISO 8601
// (RFC 3339) date-time; 0 means none or a time already past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return 0
		}
	}
	if d := t.Sub(now); d > 0 {
		return d
	}
	return 0
}
