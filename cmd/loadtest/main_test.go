package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/smsmfa/portal/pingone/pingonetest"
)

// TestMain lets the test binary stand in for the load tool when -page and -floor start it
// again as their bare or floor server, and be the child process of the child helper's tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv(testChildEnv); mode != "" {
		testChild(mode)
		return
	}
	if os.Getenv(bareEnv) != "" || os.Getenv(floorEnv) != "" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestRunRefusesFlagsThatDoNotGoTogether(t *testing.T) {
	for _, args := range [][]string{
		{"-page", "-floor"},
		{"-instances", "2", "-floor"},
		{"-instances", "2", "-page"},
		{"-floor", "-fail", "0.1"},
		{"-floor", "-floor-answer", "3"},
		{"-server-env", "GOGC"},
		{"-n", "0"},
	} {
		if err := run(args, new(bytes.Buffer)); err == nil {
			t.Errorf("run(%q) accepted", args)
		}
	}
}

func TestSeedPeople(t *testing.T) {
	emu, err := pingonetest.New(pingonetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	for _, tc := range []struct {
		prefix        string
		area          int
		user0, phone1 string
	}{
		{"employee", 512, "employee00000", "+15122000001"},
		{"run1-employee", 512, "run1-employee00000", "+15122000001"},
		{"run0-employee", 412, "run0-employee00000", "+14122000001"},
	} {
		people := seedPeople(emu, 2, tc.prefix, tc.area)
		if len(people) != 2 || people[0].username != tc.user0 || people[1].phone != tc.phone1 || people[0].id == "" || people[0].id == people[1].id {
			t.Errorf("seedPeople(%q, %d) = %+v", tc.prefix, tc.area, people)
		}
	}
}

// TestRunWithFloor runs a few journeys through the built portal, then through the floor
// server, which must make as many PingOne calls a journey as the portal did.
func TestRunWithFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the portal")
	}
	bin := filepath.Join(t.TempDir(), "portal")
	if b, err := exec.Command("go", "build", "-o", bin, "github.com/smsmfa/portal").CombinedOutput(); err != nil {
		t.Fatalf("build the portal: %v\n%s", err, b)
	}
	var out bytes.Buffer
	if err := run([]string{"-portal", bin, "-n", "3", "-latency", "1ms", "-floor", "-server-env", "GOGC=100"}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"failed journeys: 0",
		fmt.Sprintf("8 requests and %d PingOne calls a journey (the portal made %d.00)", floorJourneyCalls, floorJourneyCalls),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	for _, row := range []string{"portal", "floor"} {
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^%s +\S+ +[\d.]+ MiB +[\d.]+ MiB +\S+$`, row))
		if !re.MatchString(text) {
			t.Errorf("no %s row in:\n%s", row, text)
		}
	}
}
