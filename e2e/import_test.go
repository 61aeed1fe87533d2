package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byteness/keyring"
)

const workKey = "AKIAFAKEWORK0000"

// importWorld is alice, with a profile work the policy allows and whose
// key the STS stand-in knows, but which sentinel has no keys for yet.
func importWorld(t *testing.T) (*world, *person) {
	t.Helper()
	w := newWorld(t)
	w.setPolicy(strings.Replace(devPolicy, "profiles: [dev, plain]", "profiles: [dev, plain, work]", 1))
	alice := w.newPerson("alice")
	w.sts.AddUser(workKey, "arn:aws:iam::"+account+":user/alice-work", account)
	alice.writeFile(".aws/config", defaultAWSConfig+"\n[profile work]\nregion = eu-west-1\n")
	return w, alice
}

// wantWorkKeysStored checks that sentinel now signs for work with the
// imported key.
func wantWorkKeysStored(t *testing.T, w *world, alice *person) {
	t.Helper()
	alice.mustRun("export", "work")
	calls := w.sts.CallsOf("GetSessionToken")
	if len(calls) == 0 || calls[len(calls)-1].AccessKeyID != workKey {
		t.Errorf("export work did not sign with the imported key: %+v", calls)
	}
}

// awsVaultKeyring writes items into a file keyring exactly as aws-vault
// does: the same keyring library, service aws-vault, an item named after
// the profile holding the SDK's credentials value as JSON.
func awsVaultKeyring(t *testing.T, dir, pass string, items map[string]map[string]any) {
	t.Helper()
	kr, err := keyring.Open(keyring.Config{
		ServiceName:      "aws-vault",
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          dir,
		FilePasswordFunc: func(string) (string, error) { return pass, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range items {
		data, _ := json.Marshal(v)
		if err := kr.Set(keyring.Item{Key: name, Label: "aws-vault (" + name + ")", Data: data}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAddFromAWSVault(t *testing.T) {
	w, alice := importWorld(t)
	awsVaultKeyring(t, filepath.Join(alice.home, ".awsvault", "keys"), "aws-vault-pass", map[string]map[string]any{
		"work": {"AccessKeyID": workKey, "SecretAccessKey": fakeSecret, "SessionToken": "", "Source": "", "CanExpire": false, "Expires": "0001-01-01T00:00:00Z"},
		"temp": {"AccessKeyID": "ASIAFAKETEMP0000", "SecretAccessKey": fakeSecret, "SessionToken": "tok", "CanExpire": true},
	})
	alice.mustFail(`could not be decrypted|passphrase`, "add", "--from-aws-vault", "work")
	alice.extra["AWS_VAULT_FILE_PASSPHRASE"] = "aws-vault-pass"
	r := alice.mustRun("add", "--from-aws-vault", "work")
	if !strings.Contains(r.stdout, "Imported the keys of profile work from aws-vault's keyring (file, directory "+filepath.Join(alice.home, ".awsvault", "keys")+")") {
		t.Errorf("stdout %q", r.stdout)
	}
	wantWorkKeysStored(t, w, alice)
	alice.mustFail(`aws-vault's item temp holds temporary credentials`, "add", "--from-aws-vault", "temp")
	alice.mustFail(`aws-vault's keyring holds no keys for profile "nope"`, "add", "--from-aws-vault", "nope")
	alice.mustFail(`choose one of --env, --from-aws-vault and --from-credentials-file`, "add", "--env", "--from-aws-vault", "work")

	bob := w.newPerson("bob")
	bob.mustFail(`no aws-vault keyring at `+filepath.Join(bob.home, ".awsvault", "keys"), "add", "--from-aws-vault", "work")
	if _, err := os.Stat(filepath.Join(bob.home, ".awsvault")); err == nil {
		t.Error("a failed import created aws-vault's directory")
	}
}

const credentialsFile = "[other]\naws_access_key_id = AKIAFAKEOTHER000\naws_secret_access_key = other-secret\n\n[work]\naws_access_key_id = " + workKey + "\naws_secret_access_key = " + fakeSecret + "\nregion = eu-west-1\n"

func TestAddFromCredentialsFileWithoutATerminalKeepsTheFile(t *testing.T) {
	w, alice := importWorld(t)
	alice.writeFile(".aws/credentials", credentialsFile)
	r := alice.mustRun("add", "--from-credentials-file", "work")
	path := filepath.Join(alice.home, ".aws", "credentials")
	if !strings.Contains(r.stderr, "the keys of profile work are still in "+path+" (no terminal to ask whether to remove them); remove them yourself") {
		t.Errorf("stderr %q", r.stderr)
	}
	if got, _ := os.ReadFile(path); string(got) != credentialsFile {
		t.Errorf("the file changed without a terminal:\n%s", got)
	}
	wantWorkKeysStored(t, w, alice)
	alice.mustFail(`has no \[missing\] section`, "add", "--from-credentials-file", "missing")
	alice.writeFile(".aws/credentials", "[temp]\naws_access_key_id = ASIAFAKE00000000\naws_secret_access_key = x\naws_session_token = y\n")
	alice.mustFail(`temporary credentials`, "add", "--from-credentials-file", "temp")
}
