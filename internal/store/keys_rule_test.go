package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// keyMethods are the Store's raw methods whose second argument (after ctx) is a key.
var keyMethods = map[string]bool{
	"Get": true, "Set": true, "SetNX": true, "Take": true, "Delete": true,
	"Reserve": true, "Attempt": true, "Wait": true, "Reset": true,
}

// keyRuleExceptions are directories (relative to the module root) still allowed to build keys:
// none, and a new entry needs a reason beside it.
var keyRuleExceptions = map[string]bool{}

// TestNoKeysOutsideStore keeps the rule that every key name lives in internal/store: outside it,
// no production Go file passes the store a key it built itself (a string literal, a
// concatenation, a fmt or strings call, a string constant, a variable holding one, or the
// result of its own func returning a string, such as recordKey(sid)). Other packages use the
// typed helpers (store.Sessions, store.DeviceCache, store.Counter ...), which take no key.
func TestNoKeysOutsideStore(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from internal/store: %v", err)
	}
	pkgs := map[string][]*ast.File{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "internal/store" || strings.HasPrefix(rel, "internal/store/") ||
				keyRuleExceptions[rel] || rel == "node_modules" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkgs[filepath.Dir(rel)] = append(pkgs[filepath.Dir(rel)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, files := range pkgs {
		for _, at := range keyBuilders(files) {
			p := fset.Position(at)
			rel, _ := filepath.Rel(root, p.Filename)
			found = append(found, filepath.ToSlash(rel)+":"+strconv.Itoa(p.Line))
		}
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("%s: a store key built outside internal/store; add a typed helper there (keys.go)", f)
	}
}

// keyBuilders returns where the package's files pass a store method a key they built.
func keyBuilders(files []*ast.File) []token.Pos {
	stringConsts := map[string]bool{}
	stringFuncs := map[string]*ast.FuncDecl{}
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if r := d.Type.Results; d.Body != nil && r != nil && len(r.List) == 1 && len(r.List[0].Names) <= 1 && isIdent(r.List[0].Type, "string") {
					stringFuncs[d.Name.Name] = d
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok && d.Tok == token.CONST {
						for i, n := range vs.Names {
							if i < len(vs.Values) && isLiteral(vs.Values[i]) {
								stringConsts[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	// builders are the package's funcs that build a string (a concatenation with a literal, a
	// fmt or strings call, or a call to another builder), such as recordKey(sid); a func that
	// only hands a string on (a getter) is none.
	builders := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, fn := range stringFuncs {
			if !builders[name] && buildsString(fn.Body, builders) {
				builders[name], changed = true, true
			}
		}
	}
	var found []token.Pos
	for _, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			// built are the function's variables that hold a key it built.
			built := map[string]bool{}
			var builds func(e ast.Expr) bool
			builds = func(e ast.Expr) bool {
				switch e := e.(type) {
				case *ast.BasicLit:
					return e.Kind == token.STRING
				case *ast.BinaryExpr:
					return e.Op == token.ADD
				case *ast.ParenExpr:
					return builds(e.X)
				case *ast.Ident:
					return built[e.Name] || stringConsts[e.Name]
				case *ast.CallExpr:
					return callBuilds(e, builders)
				}
				return false
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.AssignStmt:
					for i, lhs := range n.Lhs {
						if id, ok := lhs.(*ast.Ident); ok && i < len(n.Rhs) && len(n.Lhs) == len(n.Rhs) && builds(n.Rhs[i]) {
							built[id.Name] = true
						}
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if ok && keyMethods[sel.Sel.Name] && len(n.Args) >= 2 && isContext(n.Args[0]) && builds(n.Args[1]) {
						found = append(found, n.Pos())
					}
				case *ast.CompositeLit:
					// A store.Limit for store.ReserveAll carries its key in the field Key.
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && isIdent(sel.X, "store") && sel.Sel.Name == "Limit" {
						for _, el := range n.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Key") && builds(kv.Value) {
								found = append(found, kv.Pos())
							}
						}
					}
				}
				return true
			})
		}
	}
	return found
}

// callBuilds reports whether call is to a fmt or strings func or to one of builders.
func callBuilds(call *ast.CallExpr, builders map[string]bool) bool {
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		return builders[fun.Name]
	case *ast.SelectorExpr:
		if pkg, ok := fun.X.(*ast.Ident); ok && (pkg.Name == "fmt" || pkg.Name == "strings") {
			return true
		}
		return builders[fun.Sel.Name]
	}
	return false
}

// buildsString reports whether body builds a string: a concatenation with a string literal, or
// a call that builds one.
func buildsString(body *ast.BlockStmt, builders map[string]bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op == token.ADD && (isLiteral(n.X) || isLiteral(n.Y)) {
				found = true
			}
		case *ast.CallExpr:
			if callBuilds(n, builders) {
				found = true
			}
		}
		return !found
	})
	return found
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isLiteral(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.STRING
	case *ast.BinaryExpr:
		return isLiteral(e.X) || isLiteral(e.Y)
	}
	return false
}

// isContext reports whether e looks like a context.Context: ctx, cctx, r.Context(),
// context.Background() and the like. The store's methods all take one first.
func isContext(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return strings.HasSuffix(strings.ToLower(e.Name), "ctx")
	case *ast.CallExpr:
		sel, ok := e.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "context" {
			return true
		}
		return sel.Sel.Name == "Context"
	}
	return false
}

// TestKeyBuildersFinds checks the rule's own finder on the ways a package could build a key, so
// that TestNoKeysOutsideStore cannot pass by finding nothing.
func TestKeyBuildersFinds(t *testing.T) {
	const src = `package p

const prefix = "x:"

func recordKey(sid string) string { return "session:" + sid }
func (k key) storeKey() string    { return recordKey(k.s) }
func (s *S) str(k string) string  { v, _ := s.m[k].(string); return v }

func f(ctx context.Context, st store.Store, r *http.Request, k key, s *S) {
	st.Get(ctx, "a")                              // a literal
	st.Set(ctx, "history:"+s.id, nil, 0)          // a concatenation
	st.Delete(r.Context(), recordKey(s.id))       // a func that builds
	st.Reset(context.Background(), k.storeKey())  // a method that builds through another
	key := fmt.Sprintf("replace:%s", s.id)
	st.Take(ctx, key)                             // a variable holding one
	st.Wait(ctx, prefix, 1, 0)                    // a string constant
	_ = store.Limit{Key: "limit:" + s.id}         // a store.Limit's key
	st.Get(ctx, s.str("sid"))                     // not a key: a getter's value
	store.Sessions{S: st}.Get(ctx, s.id)          // not a key: an ID for a typed helper
	h.Get("Accept")                               // not the store: no context
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, at := range keyBuilders([]*ast.File{f}) {
		lines = append(lines, fset.Position(at).Line)
	}
	want := []int{10, 11, 12, 13, 15, 16, 17}
	if !slices.Equal(lines, want) {
		t.Fatalf("found key builders on lines %v, want %v", lines, want)
	}
}
