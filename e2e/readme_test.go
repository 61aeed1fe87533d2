package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeTestPrerequisites: the README's testing section says, before
// the command, what `make test` needs that a fresh machine lacks: root for
// apt-get, Java and npm for DynamoDB Local.
func TestReadmeTestPrerequisites(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Run the tests")
	if !ok {
		t.Fatal("README has no testing section")
	}
	before, _, ok := strings.Cut(section, "make test\n```")
	if !ok {
		t.Fatal("the testing section does not show `make test`")
	}
	for _, want := range []string{"root", "apt-get", "Java", "npm", "DynamoDB Local", "Go"} {
		if !strings.Contains(before, want) {
			t.Errorf("README: the testing section does not name %q before the command:\n%s", want, before)
		}
	}
}
