package emulator

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Fault is a misbehaviour to inject into the next matching requests.
type Fault struct {
	// Route is a route name from Routes; "" matches every management API route.
	Route string
	// Times is how many requests the fault affects; 0 means 1, negative means until cleared.
	Times int
	// Latency delays the answer (the request still runs unless another field says otherwise).
	Latency time.Duration
	// Status answers with this status and PingOne's error body instead of running the request.
	Status int
	// RetryAfter is sent with Status, in seconds or as an HTTP date.
	RetryAfter string
	// Body, with Status, replaces the error body (for malformed answers).
	Body string
	// Drop closes the connection without an answer, before the request runs.
	Drop bool
	// LoseAnswer runs the request, then closes the connection without an answer: the change
	// happened but the caller never hears of it.
	LoseAnswer bool
	// HoldAnswer runs the request, then holds its answer this long (or until the caller is
	// gone): the change happened, and a caller that dies meanwhile (SIGKILL) never hears of it.
	HoldAnswer time.Duration
	// ExpireToken makes every token issued so far expire just before the request runs.
	ExpireToken bool
}

// SetLatency delays every answer by d (0: none), as a distant PingOne region would.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetFailureRate turns a fraction (0 to 1) of management API answers into status (such as
// 503) before the request runs, at random.
func (s *Server) SetFailureRate(fraction float64, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRate, s.failStatus = fraction, status
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the first fault that matches route and counts it; s.mu is held.
func (s *Server) takeFault(route string) *Fault {
	for i, f := range s.faults {
		if f.Route != "" && f.Route != route {
			continue
		}
		if f.Route == "" && !isAPIRoute(route) {
			continue
		}
		c := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return &c
	}
	return nil
}

func isAPIRoute(route string) bool {
	switch route {
	case "discovery", "authorize", "authorize.submit", "token", "jwks", "userinfo", "signoff":
		return false
	}
	return true
}

// applyFault carries out f; it reports whether the request should still run normally.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, h http.HandlerFunc) bool {
	if f.Latency > 0 && !pause(r, f.Latency) {
		return false
	}
	if f.ExpireToken {
		s.ExpireTokens()
	}
	switch {
	case f.Drop:
		dropConnection(w)
		return false
	case f.LoseAnswer:
		h(httptest.NewRecorder(), r)
		dropConnection(w)
		return false
	case f.HoldAnswer > 0:
		rec := httptest.NewRecorder()
		h(rec, r)
		pause(r, f.HoldAnswer)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return false
	case f.Status != 0:
		writeFaultStatus(w, f)
		return false
	}
	return true
}

// pause waits d, or until the caller is gone; it reports whether the whole time passed.
func pause(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return false
	case <-t.C:
		return true
	}
}

// writeFaultStatus answers f.Status with f.Body, or with PingOne's error body for the status.
func writeFaultStatus(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
		return
	}
	code, msg, details := faultError(w, f.Status, f.RetryAfter)
	writeErrorDetails(w, f.Status, code, msg, details...)
}

// faultError is PingOne's error code, message and details for an injected status; for a 429
// it also sets Retry-After (retryAfter, or 1 second).
func faultError(w http.ResponseWriter, status int, retryAfter string) (code, msg string, details []detail) {
	code, msg = "UNEXPECTED_ERROR", "An unexpected error occurred."
	switch {
	case status == http.StatusTooManyRequests:
		// PingOne's 429: Retry-After, and innerError.retryAfter as an ISO 8601 date-time.
		code, msg = "REQUEST_LIMITED", "The request was rate limited."
		ra := retryAfter
		if ra == "" {
			ra = "1"
		}
		w.Header().Set("Retry-After", ra)
		d := detail{Code: "LIMIT_EXCEEDED", Message: "Too many requests."}
		// The wall clock, not the emulator's: the caller compares the date with its own.
		if at, ok := retryAt(ra, time.Now()); ok {
			d.InnerError = map[string]any{"retryAfter": at.UTC().Format(timeFormat)}
		}
		details = append(details, d)
	case status == http.StatusServiceUnavailable:
		msg = "The service is temporarily unavailable."
	case status == http.StatusUnauthorized:
		code, msg = "ACCESS_FAILED", "The access token is invalid."
		details = append(details, detail{Code: "INVALID_TOKEN", Message: "Invalid token."})
	case status == http.StatusNotFound:
		code, msg = "NOT_FOUND", "The requested resource was not found."
	case status == http.StatusForbidden:
		code, msg = "ACCESS_FAILED", "You do not have access to this resource."
		details = append(details, detail{Code: "INSUFFICIENT_PERMISSIONS", Message: "Insufficient permissions."})
	case status < 500:
		code, msg = "INVALID_REQUEST", http.StatusText(status)
	}
	return code, msg, details
}

func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
		// A zero linger sends a reset, as a crashed proxy would.
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// retryAt reads a Retry-After value (seconds or an HTTP date) as a point in time.
func retryAt(v string, now time.Time) (time.Time, bool) {
	if secs, err := strconv.Atoi(v); err == nil {
		return now.Add(time.Duration(secs) * time.Second), true
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}
