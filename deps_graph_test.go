package main

// Issue #22 item 1: the portal and the standalone emulator are production binaries. The demo
// mode and cmd/pingone-emulator run the emulator (pingone/emulator), which must not bring the
// test harness with it: neither testing, nor the contract suite (pingone/pingonetest), nor the
// OpenAPI validator it uses (kin-openapi).

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// goCommand is the go command of the toolchain running the test, or the one on PATH when that
// toolchain's tree has none.
func goCommand() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestBinariesLinkNoTestHarness lists what the portal and cmd/pingone-emulator link (go list
// -deps) and fails on testing, the contract suite or kin-openapi among them.
func TestBinariesLinkNoTestHarness(t *testing.T) {
	for _, pkg := range []string{".", "./cmd/pingone-emulator"} {
		t.Run(pkg, func(t *testing.T) {
			out, err := exec.Command(goCommand(), "list", "-deps", pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", pkg, err)
			}
			deps := strings.Fields(string(out))
			// The list is the real one only if it holds the emulator the demo mode runs.
			if !slices.Contains(deps, "github.com/smsmfa/portal/pingone/emulator") {
				t.Fatalf("go list -deps %s does not list pingone/emulator: %q", pkg, deps)
			}
			for _, d := range deps {
				if d == "testing" || strings.HasPrefix(d, "testing/") || d == "github.com/smsmfa/portal/pingone/pingonetest" ||
					strings.HasPrefix(d, "github.com/smsmfa/portal/pingone/pingonetest/") || strings.HasPrefix(d, "github.com/getkin/kin-openapi") {
					t.Errorf("%s links %s", pkg, d)
				}
			}
		})
	}
}
