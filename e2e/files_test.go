package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/store/local"
)

// The files sentinel trusts (config, policy, decision log, embedded store)
// are refused when someone else may have written them: a symbolic link, or
// a file that group or others can write. Each refusal is one line and a
// hint with the fix, exit 1, no credentials, no STS call, and the file (or
// what a link points to) is left exactly as it was.

// snapshot is what a file looked like, to prove it was not changed.
type snapshot struct {
	path   string
	exists bool
	mode   os.FileMode
	data   []byte
}

func snap(t *testing.T, path string) snapshot {
	t.Helper()
	fi, err := os.Lstat(path)
	if os.IsNotExist(err) {
		return snapshot{path: path}
	}
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{path: path, exists: true, mode: fi.Mode()}
	if fi.Mode().IsRegular() {
		if s.data, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s snapshot) check(t *testing.T) {
	t.Helper()
	now := snap(t, s.path)
	if now.exists != s.exists || now.mode != s.mode || !bytes.Equal(now.data, s.data) {
		t.Errorf("%s changed: exists %v mode %v %d bytes, now exists %v mode %v %d bytes",
			s.path, s.exists, s.mode, len(s.data), now.exists, now.mode, len(now.data))
	}
}

// mustRefuseFile runs args and checks the refusal: exit 1, one line naming
// the problem, a hint with the fix, nothing on stdout, no secret anywhere,
// no STS call.
func mustRefuseFile(t *testing.T, p *person, want, hint string, args ...string) {
	t.Helper()
	calls := len(p.w.sts.Calls())
	r := p.mustFail(want, args...)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if r.stdout != "" {
		t.Errorf("stdout is not empty: %q", r.stdout)
	}
	for _, secret := range []string{fakeSecret, "ASIA", passphrase} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("output contains %q:\n%s", secret, r)
		}
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], hint) {
		t.Errorf("want a hint with %q, got:\n%s", hint, r.stderr)
	}
	t.Logf("sentinel %s:\n%s", strings.Join(args, " "), r.stderr)
	if n := len(p.w.sts.Calls()) - calls; n != 0 {
		t.Errorf("%d STS calls for a refused file", n)
	}
}

func TestSymlinkedPolicyIsRefused(t *testing.T) {
	w := newWorld(t)
	alice := w.newPerson("alice")
	real := filepath.Join(w.dir, "real-policy.yaml")
	if err := os.WriteFile(real, []byte(devPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, w.policy); err != nil {
		t.Fatal(err)
	}
	target, log := snap(t, real), snap(t, alice.logPath())

	for _, args := range [][]string{{"credentials", "dev"}, {"exec", "dev", "--", "env"}, {"policy", "validate"}} {
		mustRefuseFile(t, alice, `^sentinel: .*`+regexp.QuoteMeta(w.policy)+` is a symbolic link`,
			"replace the symbolic link "+w.policy+" with the file itself", args...)
	}
	target.check(t)
	log.check(t)
}

func TestGroupWritableConfigIsRefused(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	cfg := filepath.Join(alice.home, ".config", "sentinel", "config.yaml")
	if err := os.Chmod(cfg, 0o664); err != nil {
		t.Fatal(err)
	}
	before, log := snap(t, cfg), snap(t, alice.logPath())

	mustRefuseFile(t, alice, `^sentinel: .*`+regexp.QuoteMeta(cfg)+` is writable by group or others \(mode 0664\)`,
		"chmod go-w "+cfg, "credentials", "dev")
	before.check(t)
	log.check(t)

	// Once fixed as the hint says, sentinel works.
	if err := os.Chmod(cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	alice.mustRun("credentials", "dev")
}

func TestSymlinkedDecisionLogIsRefused(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)

	// A first run writes a real log; then someone swaps it for a link to
	// a log of their own.
	alice.mustRun("credentials", "dev")
	elsewhere := filepath.Join(w.dir, "their-log.jsonl")
	if err := os.WriteFile(elsewhere, []byte("{\"seq\":1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(alice.logPath()); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, alice.logPath()); err != nil {
		t.Fatal(err)
	}
	target, link := snap(t, elsewhere), snap(t, alice.logPath())

	mustRefuseFile(t, alice, `^sentinel: .*decision log.*`+regexp.QuoteMeta(alice.logPath())+` is a symbolic link`,
		"replace the symbolic link "+alice.logPath()+" with the file itself", "credentials", "dev")
	target.check(t)
	link.check(t)
}

func TestSymlinkedStoreIsRefused(t *testing.T) {
	w, alice := newWorldWithAlice(t, approvalsPolicy)

	// A real store elsewhere, and the configured path a link to it.
	real := filepath.Join(w.dir, "elsewhere", "state.db")
	s, err := local.Open(real, local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.MkdirAll(filepath.Dir(w.storePath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, w.storePath); err != nil {
		t.Fatal(err)
	}
	target := snap(t, real)

	hint := "replace the symbolic link " + w.storePath + " with the file itself"
	want := `^sentinel: .*` + regexp.QuoteMeta(w.storePath) + ` is a symbolic link`
	// Listing opens the store first thing.
	r := alice.mustFail(want, "requests", "list")
	t.Logf("requests list:\n%s", r.stderr)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, hint) {
		t.Errorf("requests list: %s", r)
	}
	// A profile behind an approval looks in the store for one: refused,
	// and no credentials (the denial itself is logged, as every decision).
	r = alice.mustFail(want, "credentials", "prod")
	t.Logf("credentials prod:\n%s", r.stderr)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, hint) {
		t.Errorf("credentials prod: %s", r)
	}
	if len(w.assumeCalls()) != 0 {
		t.Errorf("roles assumed in spite of the refused store")
	}
	target.check(t)
}

func TestOversizedPolicyIsRefused(t *testing.T) {
	w := newWorld(t)
	// A valid policy padded with a comment to just over 16 MiB.
	w.setPolicy(devPolicy + "#" + strings.Repeat("x", 16<<20) + "\n")
	alice := w.newPerson("alice")
	r := alice.mustFail(`^sentinel: no credentials without a valid policy: read policy: .*file too large \(over 16777216 bytes\)`, "credentials", "dev")
	if r.code != 1 || r.stdout != "" {
		t.Errorf("credentials dev: %s", r)
	}
}
