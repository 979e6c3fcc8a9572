package handlers_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// TestMain runs the package's tests, then scans every log line the portals they started wrote
// for what must never be logged (codes, full numbers, secrets, tokens, query strings and
// search filters): the whole suite's logs, not one test's.
func TestMain(m *testing.M) {
	code := m.Run()
	if leaks := portaltest.Leaks(); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d log lines hold what must never be logged:\n", len(leaks))
		for _, l := range leaks {
			fmt.Fprintln(os.Stderr, "  -", l)
		}
		code = 1
	}
	os.Exit(code)
}
