package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/vault"
)

// TestNoteNoKeychain: a macOS build without cgo says, after add and list,
// that it has no Keychain backend, where the keys are instead, and names
// the file backend; any other build says nothing.
func TestNoteNoKeychain(t *testing.T) {
	dir := t.TempDir()
	kr, err := vault.OpenKeyring(vault.KeyringConfig{Backend: "file", FileDir: dir, Passphrase: "test-passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		missing bool
		want    []string
	}{
		{true, []string{"no macOS Keychain backend", "keys are in the file backend (directory " + dir + ")", "--backend file"}},
		{false, nil},
	} {
		var buf bytes.Buffer
		noteNoKeychain(&buf, tc.missing, kr)
		out := buf.String()
		if !tc.missing {
			if out != "" {
				t.Errorf("a build with the Keychain printed %q", out)
			}
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("note %q lacks %q", out, w)
			}
		}
		if n := strings.Count(out, "\n"); n != 3 {
			t.Errorf("note is %d lines, want 3: %q", n, out)
		}
	}
}
