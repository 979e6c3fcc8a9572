// Package static embeds the portal's CSS and scripts and serves them under content-hashed
// names with a long cache lifetime, so a deploy never serves a stale file.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed *.css *.js
var files embed.FS

// Asset is one file, with its hashed URL.
type Asset struct {
	URL         string
	ContentType string
	Body        []byte
	// Gzipped is Body compressed once at start (best compression), or nil when that is not
	// smaller: serving it costs no compression work per request.
	Gzipped []byte
}

// Set maps logical names ("style.css") to assets, and hashed URLs back to them.
type Set struct {
	byName map[string]*Asset
	byURL  map[string]*Asset
}

// Prefix is where assets are served.
const Prefix = "/static/"

// Load hashes the embedded files and any extra ones (such as generated metadata). An extra
// file whose name has a directory ("phonemeta/3f2a…/44.json") is served under that name as
// given: its maker versions the directory, so that files which name each other (the phone
// metadata's core names its group files' directory) can be found without a table of hashes.
func Load(extra map[string][]byte) *Set {
	s := &Set{byName: map[string]*Asset{}, byURL: map[string]*Asset{}}
	// One compressor for all files: each holds about a megabyte, and the phone metadata alone
	// is two hundred files.
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestCompression)
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		s.add(zw, p, body)
		return nil
	})
	for name, body := range extra {
		s.add(zw, name, body)
	}
	return s
}

func (s *Set) add(zw *gzip.Writer, name string, body []byte) {
	ext := path.Ext(name)
	hashed := name
	if !strings.Contains(name, "/") {
		sum := sha256.Sum256(body)
		hashed = strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
	}
	ct := mime.TypeByExtension(ext)
	if ext == ".js" {
		ct = "text/javascript; charset=utf-8"
	}
	a := &Asset{URL: Prefix + hashed, ContentType: ct, Body: body, Gzipped: gzipWith(zw, body)}
	s.byName[name] = a
	s.byURL[a.URL] = a
}

// URL returns the hashed URL of a logical name; it panics for an unknown name, which is a
// programming error found by any test that renders the page.
func (s *Set) URL(name string) string {
	a, ok := s.byName[name]
	if !ok {
		panic("static: no asset " + name)
	}
	return a.URL
}

// Lookup finds the asset at a hashed URL.
func (s *Set) Lookup(urlPath string) (*Asset, bool) {
	a, ok := s.byURL[urlPath]
	return a, ok
}

// ServeHTTP serves an asset with a year-long immutable cache; unknown names are 404.
func (s *Set) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := s.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	a.Write(w, r, http.StatusOK)
}

// NewPage is an answer made once and sent many times (a page that is the same for everyone
// who sees it): body, and body gzipped as well as gzip can.
func NewPage(contentType string, body []byte) *Asset {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestCompression) // a valid level
	return &Asset{ContentType: contentType, Body: body, Gzipped: gzipWith(zw, body)}
}

// Write sends the asset with status: gzipped when the request accepts it and that is
// smaller. An answer with a Content-Encoding already set is left alone by the portal's
// compression middleware.
func (a *Asset) Write(w http.ResponseWriter, r *http.Request, status int) {
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Add("Vary", "Accept-Encoding")
	body := a.Body
	if a.Gzipped != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		body = a.Gzipped
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// gzipWith compresses body with zw, or returns nil when that is not smaller.
func gzipWith(zw *gzip.Writer, body []byte) []byte {
	var buf bytes.Buffer
	zw.Reset(&buf)
	_, _ = zw.Write(body) // writes to memory
	_ = zw.Close()
	if buf.Len() >= len(body) {
		return nil
	}
	return buf.Bytes()
}
