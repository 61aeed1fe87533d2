package e2e

import (
	"os"
	"testing"
)

// TestCorruptStoreOneLine cuts a real embedded store at several offsets;
// each command that reads it says so in one line and exits 1, with no
// crash, no SIGBUS and no goroutine dump, and issues nothing.
func TestCorruptStoreOneLine(t *testing.T) {
	w, alice := newWorldWithAlice(t, approvalsPolicy)
	alice.newRequest("prod")
	whole, err := os.ReadFile(w.storePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{0, 1, 100, 4095, 4096, 8192, len(whole) / 2, len(whole) - 1} {
		if cut >= len(whole) {
			continue
		}
		if err := os.WriteFile(w.storePath, whole[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		if cut == 0 {
			continue // an empty file is a new store to bbolt: nothing to refuse
		}
		alice.mustFail(`(?i)store`, "requests", "list")
		if r := alice.run("credentials", "prod"); r.code == 0 || r.stdout != "" {
			t.Fatalf("cut at %d: credentials printed %q (exit %d)", cut, r.stdout, r.code)
		}
	}
}
