// Package tracing sends the portal's OpenTelemetry traces over OTLP/HTTP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set, and sends nothing otherwise. The portal makes a span per
// request (handlers) and one per PingOne call (pingone); this package holds what both share:
// the provider, the tracer's name and the attribute keys, so that every attribute the portal
// can put on a span is listed here and none of them carries a phone number, a code, a token, a
// name or an email address.
package tracing

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/smsmfa/portal/pingone"
)

// ServiceName is the service.name of the portal's spans.
const ServiceName = "mfa-portal"

// TracerName is the instrumentation scope of every span the portal makes.
const TracerName = "github.com/smsmfa/portal"

// The portal's own attribute keys. The others are OpenTelemetry's semantic conventions
// (http.request.method, http.route, http.response.status_code, error.type).
const (
	// RequestIDKey is the request ID that the logs and the X-Request-Id header carry, so that
	// a trace and a log line can be matched.
	RequestIDKey = attribute.Key("portal.request_id")
	// PingOneRouteKey is the PingOne path as a template, such as
	// /environments/{env}/users/{user}/devices/{device}: never an ID, a filter or a query. The
	// client names it (it stands alone); it is repeated here for the portal's readers.
	PingOneRouteKey = pingone.RouteKey
	// RetriesKey is how many times the call was sent again after its first try.
	RetriesKey = pingone.RetriesKey
)

// Propagator reads and writes the W3C trace context (traceparent, tracestate), so that a span
// from the ingress controller or a load balancer can be the parent of the portal's.
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// Tracer returns the portal's tracer from tp; a nil tp gives one that records nothing.
func Tracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	return tp.Tracer(TracerName)
}

// TracesURL is where OTLP/HTTP traces go for OTEL_EXPORTER_OTLP_ENDPOINT, as OpenTelemetry's
// specification says: the endpoint is a base URL, and traces go to its path plus /v1/traces.
func TracesURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an http:// or https:// URL without a query, such as http://otel-collector:4318", endpoint)
	}
	if u.User != nil {
		// The value is logged at start: credentials go in OTEL_EXPORTER_OTLP_HEADERS.
		return "", fmt.Errorf("the URL holds a user or password: give credentials in OTEL_EXPORTER_OTLP_HEADERS instead")
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/v1/traces"
	u.RawPath = ""
	return u.String(), nil
}

// New returns a provider that batches spans and sends them over OTLP/HTTP (protobuf) to
// endpoint, OTEL_EXPORTER_OTLP_ENDPOINT's value; the exporter reads the other standard
// OTEL_EXPORTER_OTLP_* variables (headers, timeout, certificate, compression) itself. Shut the
// provider down when the portal stops: that sends the spans still in the batch.
func New(ctx context.Context, endpoint, version string) (*sdktrace.TracerProvider, error) {
	traces, err := TracesURL(endpoint)
	if err != nil {
		return nil, err
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(traces))
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(ServiceName), semconv.ServiceVersion(version))
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(5*time.Second)),
		sdktrace.WithResource(res),
	), nil
}
