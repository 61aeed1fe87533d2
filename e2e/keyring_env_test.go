package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestListNamesTheKeyringAndAWSVaultVariablesAreHonoured(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	dir := filepath.Join(alice.home, ".local", "share", "sentinel", "keyring")
	out := alice.mustRun("list").stdout
	if first := strings.SplitN(out, "\n", 2)[0]; first != "Keyring: file (directory "+dir+")" {
		t.Errorf("list's first line %q", first)
	}

	// An aws-vault set-up: only AWS_VAULT_* variables. The keys go where
	// they say, and exec works from them.
	bob := w.newPerson("bob")
	avDir := filepath.Join(bob.home, ".awsvault", "keys")
	bob.extra["SENTINEL_BACKEND"] = ""
	bob.extra["SENTINEL_FILE_PASSPHRASE"] = ""
	bob.extra["AWS_VAULT_BACKEND"] = "file"
	bob.extra["AWS_VAULT_FILE_DIR"] = avDir
	bob.extra["AWS_VAULT_FILE_PASSPHRASE"] = "aws-vault-passphrase"
	bob.addKeys("default", bob.keyID)
	if out := bob.mustRun("list").stdout; !strings.HasPrefix(out, "Keyring: file (directory "+avDir+")\n") {
		t.Errorf("list with AWS_VAULT_* variables:\n%s", out)
	}
	r := bob.mustRun("exec", "dev", "--", "env")
	env := envOf(r.stdout)
	if env["SENTINEL_PROFILE"] != "dev" {
		t.Errorf("exec with AWS_VAULT_* variables: %s", r)
	}
	for k, v := range env {
		if strings.HasPrefix(k, "AWS_VAULT_") || strings.Contains(v, "aws-vault-passphrase") {
			t.Errorf("the child got %s", k)
		}
	}
	// SENTINEL_* wins over AWS_VAULT_*.
	bob.extra["SENTINEL_BACKEND"] = "nonesuch"
	bob.mustFail(`keyring backend "nonesuch"`, "list")
}

func TestAddWarnsAboutTheKernelKeyring(t *testing.T) {
	w := newWorld(t)
	alice := w.newPerson("alice")
	alice.extra["SENTINEL_BACKEND"] = "keyctl"
	// The process scope dies with the sentinel process: nothing is left in
	// the machine's keyrings.
	alice.extra["SENTINEL_KEYCTL_SCOPE"] = "process"
	r := alice.runEnv(map[string]string{"AWS_ACCESS_KEY_ID": alice.keyID, "AWS_SECRET_ACCESS_KEY": fakeSecret}, "add", "--env", "default")
	if r.code != 0 && strings.Contains(r.stderr, "keyring") {
		t.Skipf("the kernel keyring is not usable here: %s", r.stderr)
	}
	if r.code != 0 {
		t.Fatalf("add: %s", r)
	}
	if !strings.Contains(r.stderr, "warning: the keys are in the keyctl keyring (kernel keyring, process scope (lost at reboot)) and will be gone after a reboot") ||
		!strings.Contains(r.stderr, "hint: keep them in an encrypted file instead: sentinel --backend file add default") {
		t.Errorf("no warning about the kernel keyring:\n%s", r.stderr)
	}
}
