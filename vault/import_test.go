package vault

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/byteness/keyring"
)

func TestAWSVaultKeyringConfig(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c := AWSVaultKeyringConfig("file", getenv, "/home/a", "ours")
	if c.ServiceName != "aws-vault" || c.FileDir != "/home/a/.awsvault/keys" || c.Passphrase != "ours" || c.CollectionName != "awsvault" || c.KeychainName != "aws-vault" || c.KWalletFolder != "aws-vault" {
		t.Errorf("defaults: %+v", c)
	}
	env["AWS_VAULT_FILE_DIR"] = "~/keys"
	env["AWS_VAULT_FILE_PASSPHRASE"] = "theirs"
	c = AWSVaultKeyringConfig("file", getenv, "/home/a", "ours")
	if c.FileDir != "/home/a/keys" || c.Passphrase != "theirs" {
		t.Errorf("overrides: %+v", c)
	}
}

func FuzzReadAWSVaultKeys(f *testing.F) {
	f.Add([]byte(`{"AccessKeyID":"AKIAFAKE00000000","SecretAccessKey":"s"}`))
	f.Add([]byte(`{"AccessKeyID":"ASIAFAKE00000000","SecretAccessKey":"s","SessionToken":"t"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		kr := keyring.NewArrayKeyring([]keyring.Item{{Key: "p", Data: data}})
		c, err := ReadAWSVaultKeys(kr, "p")
		if err == nil && (c.AccessKeyID == "" || c.SecretAccessKey == "" || c.SessionToken != "") {
			t.Fatalf("accepted %q as %+v", data, c)
		}
		if err != nil && !errors.Is(err, ErrNoKeys) && !errors.Is(err, ErrNotLongLived) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func FuzzReadSharedCredentials(f *testing.F) {
	f.Add("[p]\naws_access_key_id = AKIAFAKE00000000\naws_secret_access_key = s\n")
	f.Add("[p]\naws_access_key_id=ASIA\naws_secret_access_key=s\naws_session_token=t\n")
	f.Add("[p\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(dir, "credentials")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := ReadSharedCredentials(path, "p")
		if err == nil && (c.AccessKeyID == "" || c.SecretAccessKey == "" || c.SessionToken != "") {
			t.Fatalf("accepted %q as %+v", content, c)
		}
		if err == nil {
			if rerr := RemoveSharedCredentials(path, "p"); rerr != nil {
				t.Fatalf("remove: %v", rerr)
			}
			if _, err := ReadSharedCredentials(path, "p"); err == nil {
				t.Fatalf("keys still readable after removal from %q", content)
			}
		}
	})
}
