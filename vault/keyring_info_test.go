package vault

import (
	"testing"

	"github.com/byteness/keyring"
)

func TestKeyringConfigFromFallsBackToAWSVault(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want KeyringConfig
	}{
		{"nothing set", nil, KeyringConfig{}},
		{"aws-vault only", map[string]string{
			"AWS_VAULT_BACKEND": "file", "AWS_VAULT_FILE_PASSPHRASE": "pw", "AWS_VAULT_FILE_DIR": "/d",
			"AWS_VAULT_PASS_PASSWORD_STORE_DIR": "/p", "AWS_VAULT_PASS_CMD": "gopass", "AWS_VAULT_PASS_PREFIX": "av",
			"AWS_VAULT_KEYCHAIN_NAME": "aws-vault", "AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME": "awsvault",
			"AWS_VAULT_KWALLET_FOLDER": "kw", "AWS_VAULT_KEYCTL_SCOPE": "session",
		}, KeyringConfig{Backend: "file", Passphrase: "pw", FileDir: "/d", PassDir: "/p", PassCmd: "gopass", PassPrefix: "av",
			KeychainName: "aws-vault", CollectionName: "awsvault", KWalletFolder: "kw", KeyCtlScope: "session"}},
		{"sentinel wins", map[string]string{
			"AWS_VAULT_BACKEND": "pass", "SENTINEL_BACKEND": "file",
			"AWS_VAULT_FILE_PASSPHRASE": "theirs", "SENTINEL_FILE_PASSPHRASE": "ours",
		}, KeyringConfig{Backend: "file", Passphrase: "ours"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KeyringConfigFrom(func(k string) string { return tt.env[k] })
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDescribeKeyring(t *testing.T) {
	dir := t.TempDir()
	kr, err := OpenKeyring(KeyringConfig{Backend: "file", FileDir: dir, Passphrase: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	info, ok := DescribeKeyring(kr)
	if !ok || info.Backend != "file" || info.Location != "directory "+dir || info.Volatile {
		t.Errorf("file keyring: %+v %v", info, ok)
	}
	if _, ok := DescribeKeyring(keyring.NewArrayKeyring(nil)); ok {
		t.Error("described a keyring OpenKeyring did not open")
	}
	kc := keyring.Config{KeyCtlScope: "user"}
	if info := describe(keyring.KeyCtlBackend, kc); !info.Volatile || info.Backend != "keyctl" {
		t.Errorf("keyctl: %+v", info)
	}
}
