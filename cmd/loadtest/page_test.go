package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

func TestCPUTimeCountsThisProcess(t *testing.T) {
	before, err := cpuTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until /proc counts at least 60 ms of it (six ticks of its clock). The loop is
	// bounded by wall time, not ended by it: on a busy machine 150 ms of wall time may get only
	// a share of a core, which the old wall-timed loop took for a miscount.
	x := 0
	var after cpuTimes
	for deadline := time.Now().Add(10 * time.Second); ; {
		for i := range 100000 {
			x += i
		}
		if after, err = cpuTime(os.Getpid()); err != nil {
			t.Fatal(err)
		}
		if after.sub(before).user >= 60*time.Millisecond || time.Now().After(deadline) {
			break
		}
	}
	_ = x
	if d := after.sub(before); d.user < 60*time.Millisecond || d.total() > 10*time.Second {
		t.Errorf("a busy loop for up to 10 s counted as %v user, %v system", d.user, d.system)
	}
	if _, err := cpuTime(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}

func TestScrapeAllocs(t *testing.T) {
	tests := []struct {
		name, body string
		want       allocCount
		wantErr    bool
	}{
		{"prometheus text", "# HELP go_memstats_mallocs_total Total number of heap objects allocated.\n# TYPE go_memstats_mallocs_total counter\n" +
			"go_memstats_mallocs_total 1.234567e+06\ngo_memstats_alloc_bytes_total 9.87e+08\ngo_memstats_alloc_bytes 1234\n", allocCount{1234567, 9.87e8}, false},
		{"missing", "go_memstats_alloc_bytes 1234\n", allocCount{}, true},
		{"garbled", "go_memstats_mallocs_total x\ngo_memstats_alloc_bytes_total 1\n", allocCount{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/metrics" {
					http.NotFound(w, r)
					return
				}
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			got, err := scrapeAllocs(context.Background(), srv.URL)
			if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
				t.Fatalf("scrapeAllocs = %+v, %v; want %+v (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestBareHandlerReplaysTheBytes(t *testing.T) {
	page := []byte{0x1f, 0x8b, 8, 0, 1, 2, 3}
	h := bareHandler([]captured{
		{Path: "/", Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Content-Encoding": {"gzip"},
			"Content-Security-Policy": {"default-src 'self'"}}, Body: page},
		{Path: "/healthz", Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("ok\n")},
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, tc := range []struct {
		path       string
		wantStatus int
		wantBody   []byte
		wantHeader string
	}{
		{"/", 200, page, "default-src 'self'"},
		{"/healthz", 200, []byte("ok\n"), ""},
		{"/other", 404, nil, ""},
	} {
		_, header, body, err := fetch(context.Background(), client, srv.URL+tc.path)
		if tc.wantStatus != 200 {
			if err == nil {
				t.Errorf("%s: answered", tc.path)
			}
			continue
		}
		if err != nil || !bytes.Equal(body, tc.wantBody) || header.Get("Content-Security-Policy") != tc.wantHeader {
			t.Errorf("%s: %q %v %v", tc.path, body, header, err)
		}
	}
	a, err := bareAllocs(context.Background(), srv.URL)
	if err != nil || a.mallocs == 0 || a.bytes == 0 {
		t.Fatalf("bareAllocs = %+v, %v", a, err)
	}
}
