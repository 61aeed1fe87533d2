package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// compiledForms lists the compiled policies in p's cache directory.
func compiledForms(t *testing.T, p *person) []string {
	t.Helper()
	forms, err := filepath.Glob(filepath.Join(p.home, ".cache", "sentinel", "policy", "*.compiled"))
	if err != nil {
		t.Fatal(err)
	}
	return forms
}

// TestCredentialsCompiledPolicy runs the built binary: the first warm call
// writes the policy's compiled form (0600, directory 0700), the next reads
// its profile from it; a damaged form is ignored and written again; the
// log's policy_sha256 is always the policy file's; two processes writing the
// form at once leave a whole one; a policy with errors still refuses.
func TestCredentialsCompiledPolicy(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	alice.mustRun("credentials", "dev") // cold: fills the credential cache
	fileSum := func() string {
		data, err := os.ReadFile(w.policy)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:])
	}
	forms := compiledForms(t, alice)
	if len(forms) != 1 {
		t.Fatalf("compiled forms after the first call: %v", forms)
	}
	for p, want := range map[string]os.FileMode{forms[0]: 0o600, filepath.Dir(forms[0]): 0o700} {
		if fi, err := os.Lstat(p); err != nil || fi.Mode().Perm() != want {
			t.Fatalf("%s: %v %v, want mode %v", p, fi.Mode(), err, want)
		}
	}
	r := alice.mustRun("credentials", "dev", "--debug")
	if !strings.Contains(r.stderr, "read for profile dev from "+forms[0]) {
		t.Fatalf("warm call did not use the compiled form:\n%s", r.stderr)
	}
	if d := alice.lastDecision(); d["effect"] != "allow" || d["rule"] != "dev-anytime" || d["policy_sha256"] != fileSum() {
		t.Fatalf("decision through the compiled form: %v (policy sha256 %s)", d, fileSum())
	}

	// A body byte flipped: ignored, the same decision, the form rewritten.
	good, err := os.ReadFile(forms[0])
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-3] ^= 0x10
	if err := os.WriteFile(forms[0], bad, 0o600); err != nil {
		t.Fatal(err)
	}
	r = alice.mustRun("credentials", "dev", "--debug")
	if !strings.Contains(r.stderr, "compiled form not used") {
		t.Fatalf("damaged form not noticed:\n%s", r.stderr)
	}
	if d := alice.lastDecision(); d["effect"] != "allow" || d["rule"] != "dev-anytime" || d["policy_sha256"] != fileSum() {
		t.Fatalf("decision with a damaged form: %v", d)
	}
	if again, _ := os.ReadFile(forms[0]); string(again) != string(good) {
		t.Fatal("damaged form not written again")
	}

	// Two processes at once, with no form: both decide, one whole form is
	// left and used.
	if err := os.Remove(forms[0]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = alice.run("credentials", "dev") }()
	}
	wg.Wait()
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("concurrent call failed: %s", r)
		}
	}
	if again, _ := os.ReadFile(forms[0]); string(again) != string(good) {
		t.Fatal("form left by two writers is not whole")
	}
	if r := alice.mustRun("credentials", "dev", "--debug"); !strings.Contains(r.stderr, "read for profile dev from") {
		t.Fatalf("form left by two writers not used:\n%s", r.stderr)
	}

	// A policy with errors: refused as ever, whatever the cache holds.
	w.setPolicy(strings.Replace(devPolicy, "effect: allow", "effect: alow", 1))
	alice.mustFail(`no credentials without a valid policy`, "credentials", "dev")
}
