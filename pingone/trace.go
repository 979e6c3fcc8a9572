package pingone

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// tokenRoute is the worker token request's route, on the auth host.
const tokenRoute = "/{env}/as/token"

// placeholders name the ID that follows each collection in a PingOne path.
var placeholders = map[string]string{
	"users":                 "{user}",
	"devices":               "{device}",
	"groups":                "{group}",
	"deviceAuthentications": "{deviceAuthentication}",
}

// template is r's path as a template, from the host's root: every ID replaced by its
// placeholder, the environment by {env}, and no query (a user search's filter holds what staff
// typed). Management calls read /environments/{env}/users/{user}/devices, device
// authentications /{env}/deviceAuthentications/{deviceAuthentication}.
func (r request) template() string {
	parts := strings.Split(r.path, "/")
	for i := 1; i < len(parts); i++ {
		if ph, ok := placeholders[parts[i-1]]; ok && parts[i] != "" {
			parts[i] = ph
		}
	}
	prefix := "/environments/{env}"
	if r.auth {
		prefix = "/{env}"
	}
	return prefix + strings.Join(parts, "/")
}

// callSends counts the requests one call sent (its first and its retries, a 401's fresh-token
// retry included) and keeps the last answer's status, for the call's span.
type callSends struct {
	n      int
	status int
}

func (s *callSends) sent(status int) {
	if s != nil {
		s.n++
		s.status = status
	}
}

// sendsKey keeps a call's send count in its context.
type sendsKey struct{}

// The span attributes of a PingOne call, and the instrumentation scope the client's spans have
// when no tracer is given (internal/tracing uses the same names for the portal's own spans).
const (
	// RouteKey is the PingOne path as a template, such as /environments/{env}/users/{user}/devices.
	RouteKey = attribute.Key("pingone.route")
	// RetriesKey is how many times the call was sent again after its first try.
	RetriesKey = attribute.Key("pingone.retries")
	tracerName = "github.com/smsmfa/portal"
)

func withSends(ctx context.Context, s *callSends) context.Context {
	return context.WithValue(ctx, sendsKey{}, s)
}

// sendsOf returns the call's counter, or nil (which counts nothing) outside do.
func sendsOf(ctx context.Context) *callSends {
	s, _ := ctx.Value(sendsKey{}).(*callSends)
	return s
}

// startCallSpan starts a client span for one PingOne call, named for its method and route
// template; its attributes are those two only until endCallSpan adds the outcome.
func startCallSpan(ctx context.Context, tr trace.Tracer, method, route string) (context.Context, trace.Span) {
	return tr.Start(ctx, "PingOne "+method+" "+route, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(semconv.HTTPRequestMethodKey.String(method), RouteKey.String(route)))
}

// endCallSpan records the call's outcome on its span and ends it: the last status (absent
// when no answer came), the retries, and for a failure its kind as error.type (a status code,
// or one word such as unreachable), never PingOne's message, which may repeat what was sent.
func endCallSpan(span trace.Span, s callSends, err error) {
	if s.status > 0 {
		span.SetAttributes(semconv.HTTPResponseStatusCode(s.status))
	}
	span.SetAttributes(RetriesKey.Int(max(s.n-1, 0)))
	if err != nil {
		kind := errorKind(err, s.status)
		span.SetAttributes(semconv.ErrorTypeKey.String(kind))
		span.SetStatus(codes.Error, kind)
	}
	span.End()
}

// errorKind words a failed call for error.type.
func errorKind(err error, status int) string {
	var te *ThrottledError
	switch {
	case errors.As(err, &te):
		return "throttled"
	case IsUnreachable(err):
		return "unreachable"
	case IsMalformed(err):
		return "malformed"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case status >= http.StatusBadRequest:
		return strconv.Itoa(status)
	}
	return "other"
}

// TracedTransport makes a client span for each request rt sends: for the sign-in's calls to
// PingOne's auth host (discovery, keys, the code exchange, userinfo), which go through
// go-oidc and x/oauth2 rather than the Client. The span is named for the path as a template
// (authTemplate) and carries the status; never the query or the body, which hold the
// authorization code and state.
func TracedTransport(rt http.RoundTripper, tr trace.Tracer) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &tracedTransport{rt: rt, tr: tr}
}

type tracedTransport struct {
	rt http.RoundTripper
	tr trace.Tracer
}

func (t *tracedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, span := startCallSpan(req.Context(), t.tr, req.Method, authTemplate(req.URL.Path))
	resp, err := t.rt.RoundTrip(req.WithContext(ctx))
	var s callSends
	failed := err
	if err == nil {
		s.sent(resp.StatusCode)
		if resp.StatusCode >= http.StatusBadRequest {
			failed = errors.New(http.StatusText(resp.StatusCode))
		}
	} else {
		failed = &NetError{Method: req.Method, Path: req.URL.Path, Err: err}
	}
	endCallSpan(span, s, failed)
	return resp, err
}

// authTemplate is an auth-host path as a template: the environment (the first segment) as
// {env}, and any other segment that is not plain words (an ID, a key ID) as {id}.
func authTemplate(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		switch {
		case p == "":
		case i == 1:
			parts[i] = "{env}"
		case !plainWord.MatchString(p):
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// plainWord is a path segment made of letters, dots, dashes and underscores only, such as
// .well-known or openid-configuration: never an ID.
var plainWord = regexp.MustCompile(`^[A-Za-z._-]+$`)
