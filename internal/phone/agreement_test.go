package phone

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type agreementVerdict struct {
	OK     bool   `json:"ok"`
	E164   string `json:"e164"`
	Reason string `json:"reason"`
	Msg    string `json:"msg"`
}

// TestBrowserAgreesWithServer runs static/phone.js under Node on the metadata the server
// serves, and fails on any number where its verdict differs from Policy.Parse.
func TestBrowserAgreesWithServer(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is required in CI for the browser-agreement test")
		}
		t.Skip("node not installed: the browser-agreement test needs it")
	}
	cases := ExampleCases()
	dir := t.TempDir()
	meta, _ := BrowserMetadata()
	caseJSON, _ := json.Marshal(cases)
	for name, data := range map[string][]byte{"meta.json": meta, "cases.json": caseJSON} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	script, _ := filepath.Abs("../../static/phone.js")
	runner := `const P = require(process.argv[1]); const fs = require("fs");
const M = JSON.parse(fs.readFileSync(process.argv[2])); const C = JSON.parse(fs.readFileSync(process.argv[3]));
process.stdout.write(JSON.stringify(C.map(c => { const v = P.verdict(c.input, c.region, M, null);
  return {ok: v.ok, e164: v.e164 || "", reason: v.reason || "", msg: v.ok ? "" : P.message(v, M)}; })));`
	out, err := exec.Command(node, "-e", runner, script, filepath.Join(dir, "meta.json"), filepath.Join(dir, "cases.json")).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []agreementVerdict
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(cases) {
		t.Fatalf("node answered %d verdicts for %d cases: %v", len(got), len(cases), err)
	}
	p, _ := NewPolicy(nil)
	var diffs []string
	accepted := 0
	for i, c := range cases {
		n, err := p.Parse(c.Input, c.Region)
		want := agreementVerdict{OK: err == nil, E164: n.E164}
		if err != nil {
			var pe *Error
			if ok := asError(err, &pe); ok {
				want.Reason, want.Msg = string(pe.Reason), pe.Message()
			}
		} else {
			accepted++
		}
		if got[i] != want {
			diffs = append(diffs, c.Input+" ["+c.Region+"]: server "+describe(want)+", browser "+describe(got[i]))
		}
	}
	t.Logf("%d numbers compared, %d accepted, %d disagreements", len(cases), accepted, len(diffs))
	if len(cases) < 1000 {
		t.Errorf("only %d cases", len(cases))
	}
	if len(diffs) > 0 {
		t.Errorf("%d disagreements:\n%s", len(diffs), strings.Join(diffs[:min(len(diffs), 60)], "\n"))
	}
}

func asError(err error, pe **Error) bool {
	e, ok := err.(*Error)
	*pe = e
	return ok
}

func describe(v agreementVerdict) string {
	if v.OK {
		return "accepts " + v.E164
	}
	return "refuses (" + v.Reason + ": " + v.Msg + ")"
}
