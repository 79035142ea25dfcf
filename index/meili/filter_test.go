package meili

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFilterSyntaxInOnePlace checks that filterText is the only function
// of the package (tests aside) whose string literals hold filter syntax,
// so that every filter the Store sends is built from a typed expr.
func TestFilterSyntaxInOnePlace(t *testing.T) {
	syntax := []string{" = ", " != ", " AND ", " OR ", "NOT ", " IN [", "EXISTS", " >= ", " <= ", " > ", " < ", " TO "}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var found []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, s := range syntax {
					if strings.Contains(v, s) {
						found = append(found, fn.Name.Name)
						break
					}
				}
				return true
			})
		}
	}
	slices.Sort(found)
	found = slices.Compact(found)
	if diff := cmp.Diff([]string{"filterText"}, found); diff != "" {
		t.Errorf("functions with filter syntax in their strings (-want +got):\n%s", diff)
	}
}

func TestFilterText(t *testing.T) {
	tests := []struct {
		name string
		e    expr
		bare bool
		want string
	}{
		{"eq", eqVal(attrJob, "j1"), true, `job = "` + enc("j1") + `"`},
		{"in", inVals(attrState, "a", "b"), true, `state IN ["` + enc("a") + `", "` + enc("b") + `"]`},
		{"stored", eqStored(attrCKey, `x"y`), true, `ckey = "x\"y"`},
		{"and bare", allOf(eqStored("a", "1"), eqStored("b", "2")), true, `a = "1" AND b = "2"`},
		{"and grouped", allOf(eqStored("a", "1"), eqStored("b", "2")), false, `(a = "1" AND b = "2")`},
		{"or inside and", allOf(eqStored("a", "1"), anyOf(eqStored("b", "2"), eqStored("c", "3"))), true, `a = "1" AND (b = "2" OR c = "3")`},
		{"one operand", allOf(anyOf(eqStored("a", "1"))), true, `a = "1"`},
		{"no operand", allOf(), true, ``},
		{"empty operands dropped", allOf(allOf(), eqStored("a", "1")), true, `a = "1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := filterText(tt.e, tt.bare); got != tt.want {
				t.Errorf("filterText = %s, want %s", got, tt.want)
			}
		})
	}
}
