package e2e

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/smsmfa/portal/internal/messages"
)

// employeeErrorKeys are the catalog keys an error page can show an employee, read from the
// handlers' code, so that a new error page is covered without a list to keep: the heading, text
// and way forward of every fail(...) and Error{...}, the limits' sentences (limitKeys), the
// phrases put into an error's fields (messages.Phrase{Key: ...}), and the error page's own frame
// (errors.go). The help desk's own files (helpdesk_*.go) are left out: only staff meet those
// pages, which may name PingOne and MFA. It returns each key's constant name and value.
func employeeErrorKeys(t *testing.T) map[string]string {
	t.Helper()
	values := keyValues(t)
	names := map[string]bool{}
	addSelectors := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if se, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := se.X.(*ast.Ident); ok && id.Name == "messages" && values[se.Sel.Name] != "" {
					names[se.Sel.Name] = true
				}
			}
			return true
		})
	}
	files, err := filepath.Glob("../handlers/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		base := filepath.Base(path)
		if strings.HasSuffix(base, "_test.go") || strings.HasPrefix(base, "helpdesk_") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if base == "errors.go" {
			addSelectors(f)
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "fail" {
					addSelectors(n)
				}
			case *ast.CompositeLit:
				switch typ := n.Type.(type) {
				case *ast.Ident:
					if typ.Name == "Error" {
						addSelectors(n)
					}
				case *ast.SelectorExpr:
					if typ.Sel.Name == "Phrase" {
						addSelectors(n)
					}
				}
			case *ast.ValueSpec:
				if len(n.Names) == 1 && n.Names[0].Name == "limitKeys" {
					addSelectors(n)
				}
			}
			return true
		})
	}
	out := map[string]string{}
	for name := range names {
		out[name] = values[name]
	}
	return out
}

// keyValues reads the catalog's Key constants (internal/messages/keys*.go): name to key.
func keyValues(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../internal/messages/keys*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no keys*.go: %v", err)
	}
	out := map[string]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				for i, name := range vs.Names {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
						out[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
			return true
		})
	}
	return out
}

// checkErrorWordsArePlain words every key of employeeErrorKeys in every language, each field
// filled, and fails on "MFA" or "PingOne" (issue #25 item 12).
func checkErrorWordsArePlain(t *testing.T) {
	t.Helper()
	keys := employeeErrorKeys(t)
	t.Logf("%d keys an employee's error page can show, each in %d languages", len(keys), len(messages.Languages()))
	for _, must := range []string{"ErrorBusy", "ErrorUnreachableText", "ErrorSignInProviderText", "ErrorStepUpText", "LimitWrongCode", "WaitMinutes"} {
		if keys[must] == "" {
			t.Errorf("%s is not among the keys read from the error pages (%d read): the scan misses them", must, len(keys))
		}
	}
	// Each message's fields, from the English catalog's line, so every field is filled.
	en, err := os.ReadFile("../internal/messages/locales/en.toml")
	if err != nil {
		t.Fatal(err)
	}
	field := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	fields := map[string][]string{}
	for _, line := range strings.Split(string(en), "\n") {
		if key, rest, ok := strings.Cut(line, " = "); ok && strings.HasPrefix(key, `"`) {
			for _, m := range field.FindAllStringSubmatch(rest, -1) {
				fields[strings.Trim(key, `"`)] = append(fields[strings.Trim(key, `"`)], m[1])
			}
		}
	}
	for _, l := range messages.Languages() {
		p := messages.NewPrinter(l.Tag)
		for name, key := range keys {
			data := messages.Data{}
			for _, f := range fields[key] {
				data[f] = "7"
			}
			words := p.T(messages.Key(key), data)
			for _, bad := range []string{"MFA", "PingOne"} {
				if strings.Contains(words, bad) {
					t.Errorf("%s %s (%s), on an employee's error page, says %q: %q", l.Tag, key, name, bad, words)
				}
			}
		}
	}
}
