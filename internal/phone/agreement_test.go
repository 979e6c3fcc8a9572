package phone

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/smsmfa/portal/internal/messages"
)

type agreementVerdict struct {
	OK     bool   `json:"ok"`
	E164   string `json:"e164"`
	Reason string `json:"reason"`
	Msg    string `json:"msg"`
	// Loads is how many calling codes' rules the browser loaded to decide (not compared).
	Loads int `json:"loads"`
}

// TestBrowserAgreesWithServer runs static/phone.js under Node on the metadata files the server
// serves, each number starting from the core file and loading the rules its verdict asks for,
// and fails on any number where the verdict differs from Policy.Parse or needed more than the
// picked region's and the number's calling codes.
func TestBrowserAgreesWithServer(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is required in CI for the browser-agreement test")
		}
		t.Skip("node not installed: the browser-agreement test needs it")
	}
	// Beyond the example numbers: trailing punctuation, which the Go library keeps (see
	// parseNumber), found by FuzzParseMatchesTheLibrary.
	cases := append(ExampleCases(), Case{Input: "00(", Region: "AC"}, Case{Input: "12(", Region: "US"}, Case{Input: "0(0", Region: "AC"}, Case{Input: "+1 512 520 1234)", Region: ""},
		Case{Input: "512 520 1234 -", Region: "US"}, Case{Input: "00 ", Region: "DE"}, Case{Input: "(00", Region: "AC"}, Case{Input: "44 (", Region: "GB"})
	dir := t.TempDir()
	files := BrowserFiles()
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The page gives the script its words; here, the English ones.
	texts, _ := json.Marshal(BrowserTexts(messages.English()))
	if err := os.WriteFile(filepath.Join(dir, "texts.json"), texts, 0o600); err != nil {
		t.Fatal(err)
	}
	caseJSON, _ := json.Marshal(cases)
	if err := os.WriteFile(filepath.Join(dir, "cases.json"), caseJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("../../static/phone.js")
	// Each number starts from the core file alone and loads the groups its verdict asks for,
	// as the page does; loads counts them.
	runner := `const P = require(process.argv[1]); const fs = require("fs"); const path = require("path");
const dir = process.argv[2]; const core = fs.readFileSync(path.join(dir, "phonemeta.json"));
const C = JSON.parse(fs.readFileSync(path.join(dir, "cases.json")));
const T = JSON.parse(fs.readFileSync(path.join(dir, "texts.json")));
const G = {}; const group = (M, cc) => G[cc] || (G[cc] = JSON.parse(fs.readFileSync(path.join(dir, M.g, cc + ".json"))));
process.stdout.write(JSON.stringify(C.map(c => { const M = P.words(P.init(JSON.parse(core)), T); let loads = 0;
  let v = P.verdict(c.input, c.region, M, null);
  while (v.pending && loads < 10) {
    for (const cc of v.pending) { P.addGroup(M, group(M, cc)); loads++; }
    v = P.verdict(c.input, c.region, M, null);
  }
  return {ok: v.ok, e164: v.e164 || "", reason: v.reason || "", msg: v.ok ? "" : P.message(v, M), loads: loads}; })));`
	out, err := exec.Command(node, "-e", runner, script, dir).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []agreementVerdict
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(cases) {
		t.Fatalf("node answered %d verdicts for %d cases: %v", len(got), len(cases), err)
	}
	p, _ := NewPolicy(nil)
	var diffs []string
	accepted, maxLoads := 0, 0
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
		if got[i].Loads > 2 {
			diffs = append(diffs, c.Input+" ["+c.Region+"]: the browser loaded "+strconv.Itoa(got[i].Loads)+" groups of rules")
		}
		loads := got[i].Loads
		got[i].Loads = 0
		maxLoads = max(maxLoads, loads)
		if got[i] != want {
			diffs = append(diffs, c.Input+" ["+c.Region+"]: server "+describe(want)+", browser "+describe(got[i]))
		}
	}
	t.Logf("%d numbers compared, %d accepted, %d disagreements; at most %d groups of rules loaded for one number",
		len(cases), accepted, len(diffs), maxLoads)
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
