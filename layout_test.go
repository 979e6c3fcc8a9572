package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The size rules of the code (issue 22): a newcomer reads any production file in one sitting and
// any function on one screen. Generated templ code and tests are exempt.
const (
	maxFileLines = 400
	maxFuncLines = 60
)

// productionFiles lists the module's hand-written, non-test Go files (deploy/ is a module of its
// own with its own tests; node_modules and testdata hold no Go of ours).
func productionFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "deploy", "node_modules", "testdata", ".git", ".ci":
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && !strings.HasSuffix(name, "_templ.go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found only %d production files; is the walk rooted at the module?", len(files))
	}
	return files
}

func TestProductionSizes(t *testing.T) {
	for _, path := range productionFiles(t) {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if n := fset.File(f.Pos()).LineCount(); n > maxFileLines {
			t.Errorf("%s: %d lines (at most %d): split it by what its parts do", path, n, maxFileLines)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var name string
			var body *ast.BlockStmt
			switch fn := n.(type) {
			case *ast.FuncDecl:
				name, body = fn.Name.Name, fn.Body
			case *ast.FuncLit:
				name, body = "func literal", fn.Body
			default:
				return true
			}
			if body == nil {
				return true
			}
			start, end := fset.Position(n.Pos()), fset.Position(n.End())
			if lines := end.Line - start.Line + 1; lines > maxFuncLines {
				t.Errorf("%s:%d: %s is %d lines (at most %d): name its steps", path, start.Line, name, lines, maxFuncLines)
			}
			return true
		})
	}
}

// goList runs `go list` with args and returns its output lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command(goCommand(), append([]string{"list"}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

func TestInternalImportsNothingAbove(t *testing.T) {
	// The arrows run one way: main and cmd/ compose internal/, pingone and handlers; nothing under
	// internal/ reaches back up to the handlers, the views, the wiring or a command, even through
	// another package.
	const module = "github.com/smsmfa/portal"
	above := []string{module + "/handlers", module + "/views", module + "/cmd/", module + "/testkit/"}
	for _, line := range goList(t, "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}{{end}}`, "./internal/...") {
		for _, a := range above {
			if line == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(line, a)) {
				t.Errorf("a package under internal/ depends on %s", line)
			}
		}
	}
}
