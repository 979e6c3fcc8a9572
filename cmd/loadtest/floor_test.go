package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestFloorPlaysTheJourney: the floor server makes each step's calls, with a bearer token of
// the set size, and answers with the portal's pages (gzipped, the same bytes once read) or the
// step's redirect, carrying a cookie of the portal's size.
func TestFloorPlaysTheJourney(t *testing.T) {
	var calls, badToken atomic.Int32
	up := httptest.NewServer(floorUpstream(time.Millisecond, 800))
	defer up.Close()
	stand := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if len(r.Header.Get("Authorization")) != len("Bearer ")+floorTokenBytes {
			badToken.Add(1)
		}
		http.Redirect(w, r, up.URL, http.StatusTemporaryRedirect) // the client follows, to the stand-in
	}))
	defer stand.Close()

	form, code, list := []byte(strings.Repeat("<p>form</p>", 300)), []byte("<p>code</p>"), []byte("<p>list</p>")
	steps := floorJourney("https://auth.example/env/as/authorize?client_id=floor", form, code, list)
	if floorCalls(steps) != floorJourneyCalls {
		t.Fatalf("%d calls in the floor's journey, want the portal's %d", floorCalls(steps), floorJourneyCalls)
	}
	h, err := floorHandler(floorSetup{Steps: steps, CookieBytes: 560, TokenBytes: floorTokenBytes}, stand.URL, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, s := range steps {
		before := calls.Load()
		req, _ := http.NewRequest(s.Method, srv.URL+s.Path, strings.NewReader("csrf=x&phone=%2B15125201234"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := int(calls.Load() - before); got != s.Calls {
			t.Errorf("%s %s: %d calls, want %d", s.Method, s.Path, got, s.Calls)
		}
		if s.Page != nil {
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, s.Page) || !resp.Uncompressed {
				t.Errorf("%s: %d, %d bytes (gzipped: %v), want the page", s.Path, resp.StatusCode, len(body), resp.Uncompressed)
			}
			continue
		}
		want := map[string]int{http.MethodGet: http.StatusFound, http.MethodPost: http.StatusSeeOther}[s.Method]
		cookie := strings.SplitN(resp.Header.Get("Set-Cookie"), ";", 2)[0]
		if resp.StatusCode != want || resp.Header.Get("Location") != s.Location || len(cookie) != 560 {
			t.Errorf("%s %s: %d to %q, cookie of %d bytes", s.Method, s.Path, resp.StatusCode, resp.Header.Get("Location"), len(cookie))
		}
	}
	if badToken.Load() != 0 {
		t.Error("a call without a bearer token of the set size")
	}
}
