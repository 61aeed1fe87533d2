package dynamodb

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceNeverScansOrFiltersServerSide reads this package's code and
// fails if it names a Scan in any form, or sets a FilterExpression at all
// (keys other than an index's partition key are applied in code, so that a
// Limit is never combined with a filter). TestRequestStoreContract and
// TestBreakglassStoreContract check the same at run time on every call.
func TestSourceNeverScansOrFiltersServerSide(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
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
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if strings.Contains(n.Sel.Name, "Scan") {
					t.Errorf("%s: uses %s", fset.Position(n.Pos()), n.Sel.Name)
				}
				if n.Sel.Name == "FilterExpression" {
					t.Errorf("%s: sets a FilterExpression", fset.Position(n.Pos()))
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "FilterExpression" {
					t.Errorf("%s: sets a FilterExpression", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
	if checked < 5 {
		t.Fatalf("checked only %d source files; is the test running in the package directory?", checked)
	}
}
