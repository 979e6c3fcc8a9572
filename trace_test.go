package main

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// otlpReceiver is an OTLP/HTTP trace receiver on loopback, as an OpenTelemetry collector
// answers: protobuf requests on POST {base}/v1/traces.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	names map[string]string // span name → the service.name of its resource
	bad   []string
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/collector/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		o.bad = append(o.bad, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		http.Error(w, "not an OTLP trace request", http.StatusNotFound)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	var req coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(data, &req)
	}
	if err != nil {
		o.bad = append(o.bad, "unreadable: "+err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, rs := range req.ResourceSpans {
		service := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.Key == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				o.spans = append(o.spans, s)
				o.names[s.Name] = service
			}
		}
	}
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// TestRunSendsTracesToTheOTLPEndpoint runs the portal with OTEL_EXPORTER_OTLP_ENDPOINT at a
// receiver on loopback: the spans of its requests reach {endpoint}/v1/traces over OTLP/HTTP,
// at the latest when the portal stops (the batch is sent at shutdown).
func TestRunSendsTracesToTheOTLPEndpoint(t *testing.T) {
	recv := &otlpReceiver{names: map[string]string{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	var stderr portaltest.Logs
	banner, stop := startDemo(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL + "/collector/"}, &stderr)
	for _, path := range []string{"/healthz", "/enroll"} {
		resp, err := http.Get(banner["portal"] + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	stop()

	recv.mu.Lock()
	defer recv.mu.Unlock()
	if len(recv.bad) > 0 {
		t.Errorf("requests the receiver refused: %v", recv.bad)
	}
	for _, name := range []string{"GET /enroll", "GET /auth/login"} {
		if service, ok := recv.names[name]; !ok || service != "mfa-portal" {
			t.Errorf("span %q: received %v, service %q; all spans: %v", name, ok, service, recv.names)
		}
	}
	for _, s := range recv.spans {
		if s.Name == "GET /healthz" {
			t.Error("a probe has a span")
		}
		if s.Name != "GET /enroll" {
			continue
		}
		got := map[string]string{}
		for _, kv := range s.Attributes {
			got[kv.Key] = kv.GetValue().String()
		}
		if !strings.Contains(got["http.route"], "/enroll") || !strings.Contains(got["http.response.status_code"], "302") || got["portal.request_id"] == "" {
			t.Errorf("GET /enroll span attributes: %v", got)
		}
	}
	if logs := stderr.String(); !strings.Contains(logs, `"msg":"traces"`) {
		t.Errorf("no log line says where traces go: %s", logs)
	}
}
