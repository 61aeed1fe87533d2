package release

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestMakeHelpListsEveryTarget: `make help` prints the targets that carry
// a "## what it does" comment, so a target without one is invisible to a
// new user reading `make help`; every target must have one.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):.*## \S`).FindAllStringSubmatch(string(data), -1) {
		described[m[1]] = true
	}
	for _, target := range makeTargets(t) {
		if !described[target] {
			t.Errorf("make help does not list %s: give it a \"## what it does\" comment", target)
		}
	}
}
