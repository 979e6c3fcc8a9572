package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/testkit/portaltest"
)

// spanText is everything a span carries that an exporter would send: its name, kind, status,
// attributes, events, links and resource, as text to search.
func spanText(s tracetest.SpanStub) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%s|", s.Name, s.SpanKind, s.Status.Code, s.Status.Description)
	for _, kv := range s.Attributes {
		fmt.Fprintf(&b, "%s=%s|", kv.Key, kv.Value.Emit())
	}
	for _, e := range s.Events {
		fmt.Fprintf(&b, "event %s|", e.Name)
		for _, kv := range e.Attributes {
			fmt.Fprintf(&b, "%s=%s|", kv.Key, kv.Value.Emit())
		}
	}
	for _, l := range s.Links {
		for _, kv := range l.Attributes {
			fmt.Fprintf(&b, "%s=%s|", kv.Key, kv.Value.Emit())
		}
	}
	if s.Resource != nil {
		for _, kv := range s.Resource.Attributes() {
			fmt.Fprintf(&b, "%s=%s|", kv.Key, kv.Value.Emit())
		}
	}
	return b.String()
}

func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

// TestTracesOfAJourney runs the employee's journey and a help-desk search with an in-memory
// exporter: a server span per request (route pattern, status, request ID) and a client span
// per PingOne call (route template, status, retries) as its child, and nowhere in any span a
// phone number, a code, a name, an email address, a user or device ID, or a secret.
func TestTracesOfAJourney(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	env := portaltest.Start(t, portaltest.WithTracerProvider(tp))
	b := env.NewBrowser(t)

	// The first read of the device list is answered 503 once: the client retries it.
	env.Emu.Inject(emulator.Fault{Route: "devices.list", Status: http.StatusServiceUnavailable})
	p := addPhone(t, env, b, number)
	device := deviceID(t, p)
	code := env.Emu.LastCode("+15125201234")
	p = b.Submit(p, "/verify", url.Values{"code": {code}})
	if p.Status != 200 || p.Path() != "/devices" {
		t.Fatalf("verify: %d %s %q", p.Status, p.URL, p.Text())
	}
	lastID := p.Header.Get("X-Request-Id")

	// Staff type a name and an email into the search: the filter goes to PingOne's query.
	sb, _ := staffBrowser(t, env)
	for _, q := range []string{"Erin Employee", "erin.employee@example.com"} {
		if p := sb.Get("/helpdesk?" + url.Values{"q": {q}}.Encode()); p.Status != 200 || !strings.Contains(p.Text(), "Erin Employee") {
			t.Fatalf("search %q: %d %q", q, p.Status, p.Text())
		}
	}

	// A made-up method is named _OTHER, never as the client wrote it.
	req, err := http.NewRequest("BREWERIN", env.URL+"/devices", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}

	spans := exp.GetSpans()
	servers := map[trace.SpanID]tracetest.SpanStub{}
	var sawVerify, sawCreate, sawRetried, sawSearch, sawExchange bool
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	for _, s := range spans {
		if s.SpanKind != trace.SpanKindServer {
			continue
		}
		servers[s.SpanContext.SpanID()] = s
		a := attrs(s)
		route, method := a["http.route"].AsString(), a["http.request.method"].AsString()
		if s.Name != method+" "+route || a["http.response.status_code"].AsInt64() == 0 || !uuid.MatchString(a["portal.request_id"].AsString()) {
			t.Errorf("server span %q: %v", s.Name, s.Attributes)
		}
		if s.Name == "POST /devices/:id/verify" && a["portal.request_id"].AsString() != "" {
			sawVerify = true
			if got := a["http.response.status_code"].AsInt64(); got != http.StatusSeeOther {
				t.Errorf("verify span status %d, want 303", got)
			}
		}
	}
	if !sawVerify {
		t.Errorf("no span for POST /devices/:id/verify among %d spans", len(spans))
	}
	// The page after the verify is a request of its own with its own span and request ID.
	if !slices.ContainsFunc(spans, func(s tracetest.SpanStub) bool { return attrs(s)["portal.request_id"].AsString() == lastID }) {
		t.Errorf("no span carries the request ID %s of the last page", lastID)
	}
	for _, s := range spans {
		if s.SpanKind != trace.SpanKindClient {
			continue
		}
		a := attrs(s)
		route := a["pingone.route"].AsString()
		if !strings.HasPrefix(s.Name, "PingOne ") || !strings.HasSuffix(s.Name, " "+route) || !strings.Contains(route, "{env}") {
			t.Errorf("client span %q, route %q", s.Name, route)
		}
		if _, ok := a["pingone.retries"]; !ok {
			t.Errorf("client span %q has no pingone.retries", s.Name)
		}
		if parent, ok := servers[s.Parent.SpanID()]; ok && parent.SpanContext.TraceID() != s.SpanContext.TraceID() {
			t.Errorf("client span %q is not in its request's trace", s.Name)
		} else if !ok && route != "/{env}/as/token" && route != "/{env}/as/jwks" {
			// The worker token (fetched once for many requests) and go-oidc's key set (fetched
			// in the background) may start a trace of their own; every other call is a request's.
			t.Errorf("client span %q has no request span as its parent", s.Name)
		}
		switch {
		case s.Name == "PingOne POST /environments/{env}/users/{user}/devices":
			sawCreate = a["http.response.status_code"].AsInt64() == http.StatusCreated
		case s.Name == "PingOne GET /environments/{env}/users/{user}/devices" && a["pingone.retries"].AsInt64() == 1:
			sawRetried = a["http.response.status_code"].AsInt64() == http.StatusOK
		case s.Name == "PingOne GET /environments/{env}/users":
			sawSearch = true
		case s.Name == "PingOne POST /{env}/as/token" && servers[s.Parent.SpanID()].Name == "GET /auth/callback":
			// The sign-in's code exchange (go-oidc, x/oauth2) has its span too.
			sawExchange = sawExchange || a["http.response.status_code"].AsInt64() == http.StatusOK
		}
	}
	if !slices.ContainsFunc(spans, func(s tracetest.SpanStub) bool { return attrs(s)["http.request.method"].AsString() == "_OTHER" }) {
		t.Error("no span for the request with a made-up method")
	}
	if !sawCreate || !sawRetried || !sawSearch || !sawExchange {
		t.Errorf("PingOne spans: device created (201) %v, list retried once then 200 %v, user search %v, sign-in's code exchange %v",
			sawCreate, sawRetried, sawSearch, sawExchange)
	}

	secrets := []string{"5125201234", "512-520-1234", "520-1234", code, env.Demo.Employee, "erin.employee@example.com",
		"Erin", "Employee", env.Demo.EmployeeID, device, env.Demo.WorkerSecret, env.Demo.WebSecret, env.Demo.EmployeePass,
		env.Demo.Helpdesk, env.Demo.HelpdeskID, env.Demo.HelpdeskPhone[2:], "Bearer"}
	for _, s := range spans {
		text := spanText(s)
		for _, secret := range secrets {
			if secret != "" && strings.Contains(strings.ToLower(text), strings.ToLower(secret)) {
				t.Errorf("span %q carries %q: %s", s.Name, secret, text)
			}
		}
	}
}
