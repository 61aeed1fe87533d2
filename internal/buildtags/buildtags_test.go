package buildtags

import (
	"slices"
	"strings"
	"testing"
)

// TestTagSet pins the tags the issue and the README promise: dropping one
// would bring the 1Password trees (or the RPC mode) back into every build.
func TestTagSet(t *testing.T) {
	for _, want := range []string{"lambda.norpc", "keyring_no1password"} {
		if !slices.Contains(List(), want) {
			t.Errorf("tag set %v lacks %s", List(), want)
		}
	}
	if strings.Contains(Flag(), " ") || len(strings.Split(Flag(), ",")) != len(List()) {
		t.Errorf("Flag() = %q", Flag())
	}
}
