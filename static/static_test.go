package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLoadServesHashedAndVersionedFiles(t *testing.T) {
	big := []byte(strings.Repeat(`{"rules":"[2-9]\\d{9}"}`, 50))
	s := Load(map[string][]byte{"meta.json": big, "meta/abc123/44.json": big})
	hashed := s.URL("meta.json")
	if !strings.HasPrefix(hashed, Prefix+"meta.") || !strings.HasSuffix(hashed, ".json") || hashed == Prefix+"meta.json" {
		t.Errorf("meta.json served at %s; want a content-hashed name", hashed)
	}
	if got := s.URL("meta/abc123/44.json"); got != Prefix+"meta/abc123/44.json" {
		t.Errorf("a file in a versioned directory is served at %s; want it as named", got)
	}
	if s.URL("phone.js") == "" || s.URL("style.css") == "" {
		t.Error("embedded files missing")
	}
	tests := []struct {
		name, path, encoding string
		wantStatus           int
		wantGzip             bool
	}{
		{"hashed", hashed, "gzip, br", 200, true},
		{"versioned", Prefix + "meta/abc123/44.json", "gzip", 200, true},
		{"versioned, no gzip", Prefix + "meta/abc123/44.json", "", 200, false},
		{"unknown", Prefix + "meta/abc123/45.json", "gzip", 404, false},
		{"logical name", Prefix + "meta.json", "gzip", 404, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if tc.encoding != "" {
				req.Header.Set("Accept-Encoding", tc.encoding)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tc.wantStatus)
			}
			if tc.wantStatus != 200 {
				return
			}
			if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("Cache-Control %q", cc)
			}
			body := rec.Body.Bytes()
			if gz := rec.Header().Get("Content-Encoding") == "gzip"; gz != tc.wantGzip {
				t.Fatalf("gzip %v, want %v", gz, tc.wantGzip)
			}
			if tc.wantGzip {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, big) {
				t.Error("body differs from the file")
			}
		})
	}
}
