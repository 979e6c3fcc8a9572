package handlers_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// formReads finds a handler reading a form value itself instead of through internal/form.
var formReads = regexp.MustCompile(`\b(FormValue|PostFormValue|FormParams|ParseForm|ParseMultipartForm)\(`)

// formReadAllowed are the handler files that still read their form themselves: none.
var formReadAllowed = map[string]bool{}

// TestFormsReadInOnePlace (issue 22 item 6): no handler reads a form value but through
// internal/form, where each form's fields, trimming, lengths and first checks are written
// once for the person's pages and the help desk's alike.
func TestFormsReadInOnePlace(t *testing.T) {
	if !formReads.MatchString(`x := c.FormValue("phone")`) || !formReads.MatchString(`c.FormParams()`) {
		t.Fatal("the check finds no form read in an example of one")
	}
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no handler files: %v", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || formReadAllowed[f] {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if formReads.MatchString(line) {
				t.Errorf("%s:%d reads a form itself; read it through internal/form: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
