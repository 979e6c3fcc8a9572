// Package spectest holds HTTP calls to PingOne's management API to PingOne's published API
// descriptions (pingonetest/testdata/openapi): an http.RoundTripper that validates, with
// kin-openapi, each request and each answer under the API base, and fails the test on any
// difference. Tests only: it reads the descriptions from the source tree.
package spectest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Documents are the trimmed API descriptions, in testdata/openapi.
var Documents = []string{"mfa.yaml", "management.yaml", "unpublished.yaml"}

// Transport validates every call under an API base against PingOne's API descriptions.
type Transport struct {
	t        testing.TB
	next     http.RoundTripper
	apiBase  string
	routers  []routers.Router
	requests bool

	mu   sync.Mutex
	seen map[string]int
}

// Dir returns the folder holding the API descriptions.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "openapi")
}

// New returns a Transport that sends through next (nil: http.DefaultTransport) and checks the
// answers to every call whose URL starts with apiBase (such as http://127.0.0.1:4321/v1); with
// requests set it checks the requests too. A call to an operation the descriptions do not
// have, a request or an answer that does not validate, fails t.
func New(t testing.TB, apiBase string, next http.RoundTripper, requests bool) *Transport {
	t.Helper()
	if next == nil {
		next = http.DefaultTransport
	}
	v := &Transport{t: t, next: next, apiBase: strings.TrimRight(apiBase, "/"), requests: requests, seen: map[string]int{}}
	for _, name := range Documents {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(filepath.Join(Dir(), name))
		if err != nil {
			t.Fatalf("spectest: load %s: %v", name, err)
		}
		// The documents name PingOne's hosts; the calls under test go to apiBase.
		doc.Servers = openapi3.Servers{{URL: v.apiBase}}
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			t.Fatalf("spectest: route %s: %v", name, err)
		}
		v.routers = append(v.routers, r)
	}
	return v
}

// Client returns an HTTP client that uses v.
func (v *Transport) Client() *http.Client { return &http.Client{Transport: v} }

// Seen returns the operations called so far ("GET /environments/{environmentID}/..."), with
// how many calls each had.
func (v *Transport) Seen() map[string]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return maps.Clone(v.seen)
}

func (v *Transport) find(req *http.Request) (*routers.Route, map[string]string, error) {
	var err error
	for _, r := range v.routers {
		route, params, ferr := r.FindRoute(req)
		if ferr == nil {
			return route, params, nil
		}
		err = ferr
	}
	return nil, nil, err
}

// bearer is the descriptions' security scheme: a bearer token must be present (the emulator or
// PingOne decides whether it is good).
func bearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if tok, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer "); !ok || tok == "" {
		return errors.New("no bearer token")
	}
	return nil
}

// RoundTrip sends req, checking it and its answer when it goes to the API base.
func (v *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.String(), v.apiBase+"/") {
		return v.next.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	route, params, err := v.find(req)
	if err != nil {
		v.t.Errorf("spectest: %s %s is no operation of PingOne's API descriptions: %v", req.Method, req.URL.Path, err)
		return v.next.RoundTrip(req)
	}
	op := req.Method + " " + route.Path
	v.mu.Lock()
	v.seen[op]++
	v.mu.Unlock()
	check := req.Clone(req.Context())
	check.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearer, MultiError: true}}
	if v.requests {
		if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
			v.t.Errorf("spectest: request %s does not validate: %v", op, err)
		}
	}
	resp, err := v.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		return resp, err
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(data)), Options: &openapi3filter.Options{MultiError: true}}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		v.t.Errorf("spectest: answer %d to %s does not validate: %v\n%s", resp.StatusCode, op, err, excerpt(data))
	}
	return resp, nil
}

func excerpt(b []byte) string {
	if len(b) > 600 {
		return fmt.Sprintf("%s…", b[:600])
	}
	return string(b)
}
