package tracing

import "testing"

// TestTracesURL appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT's path, as OpenTelemetry's
// specification asks for the endpoint that is not signal-specific.
func TestTracesURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://otel-collector:4318", "http://otel-collector:4318/v1/traces"},
		{"http://otel-collector:4318/", "http://otel-collector:4318/v1/traces"},
		{"https://collector.example.com/otlp", "https://collector.example.com/otlp/v1/traces"},
		{"ftp://collector", ""},
		{"http://", ""},
		{"https://u:p@collector", ""},
	} {
		got, err := TracesURL(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("TracesURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
