package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/smsmfa/portal/internal/tracing"
)

// untraced are the probes' paths: a span for every probe of every replica would bury the
// people's requests in the tracing backend.
func untraced(path string) bool {
	return path == "/healthz" || path == "/readyz" || strings.HasPrefix(path, "/healthz/")
}

// traced makes one server span per request (probes aside), named for its method and route pattern (never the
// path, which holds device and user IDs, nor the query, which may hold sign-in codes). Its
// attributes are the method, the route, the status and the request ID: nothing a person typed.
// A W3C traceparent from the ingress makes it a child of the ingress's span.
func (h *Handler) traced(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if untraced(req.URL.Path) {
			return next(c)
		}
		ctx := tracing.Propagator.Extract(req.Context(), propagation.HeaderCarrier(req.Header))
		method := knownMethod(req.Method)
		ctx, span := h.ops.Tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(semconv.HTTPRequestMethodKey.String(method), tracing.RequestIDKey.String(requestID(c))))
		defer span.End()
		c.SetRequest(req.WithContext(ctx))
		err := next(c)
		// accessLog, inside this one, has rendered any error: the status is final.
		route := c.Path()
		if route == "" {
			route = "(none)"
		}
		status := c.Response().Status
		span.SetName(method + " " + route)
		span.SetAttributes(semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(status))
		if status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		return err
	}
}

// knownMethod is the request's method when it is one of HTTP's, and _OTHER otherwise (as
// OpenTelemetry's conventions say): a client's made-up method never reaches a span.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "_OTHER"
}
