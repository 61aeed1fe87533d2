package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// repoPath is a path into the source repository, which an installed user
// does not have.
var repoPath = regexp.MustCompile(`\b(?:docs|scripts|deploy|examples|internal)/[A-Za-z0-9_.-]+|\b[A-Za-z0-9_-]+\.md\b`)

// TestMessagesNameNoRepositoryPath: no string in the commands (messages,
// hints, help) points at a file of the repository.
func TestMessagesNameNoRepositoryPath(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if _, isImport := n.(*ast.ImportSpec); isImport {
				return false
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			checked++
			if m := repoPath.FindString(s); m != "" {
				t.Errorf("%s: %q names the repository path %s", fset.Position(lit.Pos()), s, m)
			}
			return true
		})
	}
	if checked < 500 {
		t.Errorf("checked only %d strings; is the walk broken?", checked)
	}
}
