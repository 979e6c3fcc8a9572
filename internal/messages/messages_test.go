package messages

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// constants returns the Key constants of keys*.go (keys.go and one file per area) by name,
// with their values.
func constants(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("keys*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no keys*.go: %v", err)
	}
	out := map[string]string{}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				for i, name := range vs.Names {
					lit := vs.Values[i].(*ast.BasicLit)
					v, _ := strconv.Unquote(lit.Value)
					out[name.Name] = v
				}
			}
			return true
		})
	}
	return out
}

// isKeysFile reports whether a file of this package declares Key constants (keys.go,
// keys_helpdesk.go, ...), which name every key and so prove no use.
func isKeysFile(name string) bool {
	return strings.HasPrefix(name, "keys") && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

// TestCatalogMatchesKeys: every Key constant has an English message and every English message
// has a Key constant, so the compiler checks every key the code names.
func TestCatalogMatchesKeys(t *testing.T) {
	var en map[string]any
	if _, err := toml.DecodeFS(locales, "locales/en.toml", &en); err != nil {
		t.Fatal(err)
	}
	consts := constants(t)
	if len(consts) < 100 {
		t.Fatalf("only %d keys read from keys*.go", len(consts))
	}
	values := map[string]bool{}
	for name, key := range consts {
		values[key] = true
		if _, ok := en[key]; !ok {
			t.Errorf("%s (%q) is not in en.toml", name, key)
		}
	}
	for key := range en {
		if !values[key] {
			t.Errorf("en.toml has %q, which no Key constant names", key)
		}
	}
}

// TestEveryKeyIsUsed looks for each Key constant in the code that shows pages (handlers, views
// and the internal packages), generated templ files aside.
func TestEveryKeyIsUsed(t *testing.T) {
	var src, own strings.Builder
	// This package's own code (dates, times) names its keys without the package name.
	ownFiles, _ := filepath.Glob("*.go")
	for _, f := range ownFiles {
		if strings.HasSuffix(f, "_test.go") || isKeysFile(f) {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		own.Write(b)
	}
	for _, dir := range []string{"../../handlers", "../../views", "../../internal"} {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			skip := strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, "_templ.go") ||
				isKeysFile(filepath.Base(p)) && strings.Contains(p, "messages")
			if skip || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".templ")) {
				return nil
			}
			b, err := os.ReadFile(p)
			src.Write(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	code := src.String()
	var unused []string
	for name := range constants(t) {
		if !regexp.MustCompile(`\bmessages\.`+name+`\b|\bmsg\.`+name+`\b`).MatchString(code) &&
			!regexp.MustCompile(`\b`+name+`\b`).MatchString(own.String()) {
			unused = append(unused, name)
		}
	}
	slices.Sort(unused)
	if len(unused) > 0 {
		t.Errorf("%d keys no code uses: %v", len(unused), unused)
	}
}

// sampleData fills every field any message has.
func sampleData() Data {
	return Data{"Region": "Kenya", "Day": 2, "Month": "Jan", "MonthNumber": 1, "Year": 2026, "Hour": "09", "Minute": "05",
		"Second": "00", "Time": "09:05 UTC", "Title": "T", "Name": "Erin", "Username": "erin", "Type": "SMS", "Number": "+1 512-520-1234",
		"Date": "1 Jan 2026", "Device": "+1 •••-•••-1234", "Wait": Phrase{WaitMinutes, Data{"N": 3}}, "N": 3,
		"Seconds": 30, "Phone": "+1 •••-•••-1234", "Query": "q", "StatusText": "Teapot", "Duration": "30s", "Count": 2, "Heading": "H", "RequestID": "r", "Max": 5,
		// The help desk's caller verification (issues #11 and #16).
		"Minutes": 60, "Country": "United Kingdom", "Home": "United States", "How": "a code to their email",
		"Until": "16:45", "Requester": "hank", "At": "16:15", "Left": 2, "Email": "e•••@example.com", "Approver": "hilda",
		"Target": "e•••@example.com", "Min": 3,
		// Notices (issue #23).
		"Ticket": "INC-42", "Contact": "+1 512 555 0100"}
}

// TestEveryMessagePrints words every key in English with its fields filled.
func TestEveryMessagePrints(t *testing.T) {
	data := sampleData()
	for name, key := range constants(t) {
		got := English().T(Key(key), data)
		if got == key || got == "" || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
			t.Errorf("%s prints %q", name, got)
		}
	}
}

func TestPrinter(t *testing.T) {
	p := NewPrinter("xx-YY", "en-GB")
	for _, tc := range []struct {
		got, want string
	}{
		{p.T(LimitNewDevice, Data{"Wait": Phrase{WaitMinute, nil}}), "You have added several phones in a short time. You can add another in a minute."},
		{p.N(HdDeviceCount, 1, nil), "1 device"},
		{p.N(HdDeviceCount, 3, nil), "3 devices"},
		{p.T(Key("no.such.key"), nil), "no.such.key"},
		{p.Lang(), "en"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
