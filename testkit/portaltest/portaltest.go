// Package portaltest runs the real portal (router, sign-in, rules, views) against the PingOne
// emulator on loopback, with a cookie-keeping client that follows the sign-in round trip as a
// browser would. Tests of the handlers, the load tool and the browser tests build on it; the
// tests of the portal's and the emulator's commands start them with StartCommand and FreeAddr.
package portaltest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
	"golang.org/x/net/html"

	"github.com/smsmfa/portal/cmd/app"
	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/internal/demo/seed"
	"github.com/smsmfa/portal/internal/logging"
	"github.com/smsmfa/portal/internal/metrics"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// Clock is an adjustable clock for session lifetimes, cool-downs and stored entries' expiry;
// it is the emulator's, so that the portal and PingOne share one time.
type Clock = pingonetest.Clock

// Logs collects the portal's log output; tests read it while the portal writes.
type Logs = logging.Buffer

// Env is a running portal and emulator.
type Env struct {
	Demo   *seed.Demo
	Emu    *emulator.Server
	Portal *httptest.Server
	URL    string
	Clock  *Clock
	Logs   *Logs
	Config *config.Config
	// App is the built portal (its health monitor, metrics and store).
	App *app.Portal
	// Metrics are the portal's Prometheus metrics, read with Metrics.Handler.
	Metrics *metrics.Metrics
}

// Option changes the environment before it starts.
type Option func(*setup)

type setup struct {
	env map[string]string
	emu emulator.Options
	tp  trace.TracerProvider
}

// WithEnv sets a configuration variable.
func WithEnv(k, v string) Option { return func(s *setup) { s.env[k] = v } }

// WithTracerProvider gives the portal a tracer provider, such as one with an in-memory
// exporter, to receive its spans.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(s *setup) { s.tp = tp } }

// WithEmulator changes the emulator's options.
func WithEmulator(f func(*emulator.Options)) Option { return func(s *setup) { f(&s.emu) } }

// Start runs a portal against a fresh, seeded emulator; both stop when the test ends.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	st := &setup{env: map[string]string{}}
	for _, o := range opts {
		o(st)
	}
	clock := &Clock{}
	// One clock for the portal and PingOne, as in life: max_age and expiries agree.
	st.emu.Now = clock.Now
	d, err := seed.StartDemo(st.emu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Emulator.Close)
	srv := httptest.NewUnstartedServer(nil)
	public := "http://" + srv.Listener.Addr().String()
	if p := st.env["PORTAL_PUBLIC_URL"]; p != "" {
		public = p
	}
	d.RegisterPortal(public)
	env := d.Env(public)
	for k, v := range st.env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Demo: d, Emu: d.Emulator, URL: "http://" + srv.Listener.Addr().String(), Clock: clock, Logs: &Logs{}, Config: cfg}
	register(e)
	p, err := app.Build(cfg, app.Options{Logger: logging.New(e.Logs, -4), Demo: d.Outbox(), Now: e.Clock.Now,
		TracerProvider: st.tp})
	if err != nil {
		t.Fatal(err)
	}
	// Registered before the server's: cleanups run last first, so the store closes after the
	// server has stopped using it.
	t.Cleanup(func() { _ = p.Store.Close() })
	e.Metrics = p.Metrics
	srv.Config.Handler = p.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	e.Portal, e.App = srv, p
	return e
}

// Browser is a client with cookies that follows redirects, like a person's browser.
type Browser struct {
	t    testing.TB
	env  *Env
	HTTP *http.Client
}

// NewBrowser returns a browser with an empty cookie jar.
func (e *Env) NewBrowser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, env: e, HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// Page is an answer, parsed.
type Page struct {
	Status int
	URL    string
	Header http.Header
	Body   string
	doc    *html.Node
}

func (b *Browser) do(req *http.Request) *Page {
	b.t.Helper()
	resp, err := b.HTTP.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := &Page{Status: resp.StatusCode, URL: resp.Request.URL.String(), Header: resp.Header, Body: string(body)}
	p.doc, _ = html.Parse(strings.NewReader(p.Body))
	return p
}

func (b *Browser) abs(u string) string {
	if strings.HasPrefix(u, "/") {
		return b.env.URL + u
	}
	return u
}

// Get loads a page.
func (b *Browser) Get(u string) *Page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.abs(u), nil)
	return b.do(req)
}

// Post submits a form as a same-origin browser would (Origin and Sec-Fetch-Site set).
func (b *Browser) Post(u string, form url.Values) *Page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.abs(u), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if target, err := url.Parse(b.abs(u)); err == nil {
		req.Header.Set("Origin", target.Scheme+"://"+target.Host)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	return b.do(req)
}

// Submit fills and posts the page's form whose action contains action, keeping its hidden
// fields (the CSRF token among them).
func (b *Browser) Submit(p *Page, action string, fields url.Values) *Page {
	b.t.Helper()
	form := p.find(func(n *html.Node) bool {
		return n.Data == "form" && strings.Contains(attr(n, "action"), action) && strings.EqualFold(attr(n, "method"), "post")
	})
	if form == nil {
		b.t.Fatalf("no POST form with action %q on %s:\n%.2000s", action, p.URL, p.Body)
	}
	vals := url.Values{}
	walk(form, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "type") == "hidden" {
			vals.Set(attr(n, "name"), attr(n, "value"))
		}
	})
	for k, v := range fields {
		vals[k] = v
	}
	target, _ := url.Parse(p.URL)
	ref, _ := url.Parse(attr(form, "action"))
	return b.Post(target.ResolveReference(ref).String(), vals)
}

// SignIn follows the sign-in round trip from u (a portal page that needs sign-in, or
// /auth/login) through the emulator's form, and returns the page it lands on.
func (b *Browser) SignIn(u, username, password string) *Page {
	b.t.Helper()
	p := b.Get(u)
	if !strings.Contains(p.Body, `name="flow"`) {
		b.t.Fatalf("expected the emulator's sign-in page, got %d %s:\n%.1500s", p.Status, p.URL, p.Body)
	}
	return b.Submit(p, "/as/authorize", url.Values{"username": {username}, "password": {password}})
}

// SignInEmployee signs in as the seeded employee, starting from u.
func (b *Browser) SignInEmployee(u string) *Page {
	return b.SignIn(u, b.env.Demo.Employee, b.env.Demo.EmployeePass)
}

func attr(n *html.Node, k string) string {
	for _, a := range n.Attr {
		if a.Key == k {
			return a.Val
		}
	}
	return ""
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func (p *Page) find(match func(*html.Node) bool) *html.Node {
	var found *html.Node
	if p.doc == nil {
		return nil
	}
	walk(p.doc, func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && match(n) {
			found = n
		}
	})
	return found
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// Text returns the page's visible text, white space folded.
func (p *Page) Text() string {
	if body := p.find(func(n *html.Node) bool { return n.Data == "body" }); body != nil {
		return text(body)
	}
	return p.Body
}

// H1 returns the page's heading.
func (p *Page) H1() string {
	if n := p.find(func(n *html.Node) bool { return n.Data == "h1" }); n != nil {
		return text(n)
	}
	return ""
}

// Labels returns the text of every label, button and link on the page.
func (p *Page) Labels() []string {
	var out []string
	walk(p.doc, func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "label" || n.Data == "button" || n.Data == "a") {
			out = append(out, text(n))
		}
	})
	return out
}

// Input returns the attributes of the input, select or textarea with the id, or nil.
func (p *Page) Input(id string) map[string]string {
	n := p.find(func(n *html.Node) bool {
		return (n.Data == "input" || n.Data == "select" || n.Data == "textarea") && attr(n, "id") == id
	})
	if n == nil {
		return nil
	}
	m := map[string]string{}
	for _, a := range n.Attr {
		m[a.Key] = a.Val
	}
	return m
}

// ByID returns the text of the element with the id.
func (p *Page) ByID(id string) string {
	if n := p.find(func(n *html.Node) bool { return attr(n, "id") == id }); n != nil {
		return text(n)
	}
	return ""
}

// Path returns the page URL's path.
func (p *Page) Path() string {
	u, _ := url.Parse(p.URL)
	return u.Path
}

// PassStepUp answers PingOne's MFA sign-in on p (the emulator's password page): the password,
// then the code texted to the person's active phone. It returns the page it lands on.
func (b *Browser) PassStepUp(p *Page, username, password string) *Page {
	b.t.Helper()
	if next := p.LinkTo("/auth/login?step_up=1"); next != "" {
		// The portal's own page first explains the check; Continue starts it.
		p = b.Get(next)
	}
	if !strings.Contains(p.Body, `name="password"`) {
		b.t.Fatalf("expected PingOne's sign-in for the step-up, got %d %s:\n%.1500s", p.Status, p.URL, p.Body)
	}
	p = b.Submit(p, "/as/authorize", url.Values{"username": {username}, "password": {password}})
	if !strings.Contains(p.Body, `name="otp"`) {
		b.t.Fatalf("expected the texted-code step, got %d %s:\n%.1500s", p.Status, p.URL, p.Body)
	}
	return b.Submit(p, "/as/authorize", url.Values{"otp": {b.env.Emu.Outbox()[0].Code}})
}

// PassStepUpEmployee passes the step-up as the seeded employee.
func (b *Browser) PassStepUpEmployee(p *Page) *Page {
	return b.PassStepUp(p, b.env.Demo.Employee, b.env.Demo.EmployeePass)
}

// LinkTo returns the href of the first link on the page that starts with prefix, or "".
func (p *Page) LinkTo(prefix string) string {
	n := p.find(func(n *html.Node) bool { return n.Data == "a" && strings.HasPrefix(attr(n, "href"), prefix) })
	if n == nil {
		return ""
	}
	return attr(n, "href")
}
