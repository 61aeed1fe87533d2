package vault

import (
	"path/filepath"
	"testing"

	"github.com/byteness/keyring"
)

// isolate points every variable that could reach the user's AWS setup, a
// real keyring or the instance metadata service at nothing or at a temporary
// directory.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, v := range []string{
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_STS", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
		"SENTINEL_STS_TIMEOUT", "SENTINEL_FILE_PASSPHRASE", "SENTINEL_BACKEND",
	} {
		t.Setenv(v, "")
	}
	return dir
}

// fileKeyring opens a file-backend keyring in dir with passphrase.
func fileKeyring(t *testing.T, dir, passphrase string) keyring.Keyring {
	t.Helper()
	kr, err := OpenKeyring(KeyringConfig{Backend: string(keyring.FileBackend), FileDir: dir, Passphrase: passphrase})
	if err != nil {
		t.Fatalf("OpenKeyring: %v", err)
	}
	return kr
}

// keyringWithDev isolates t and returns the directory of a file keyring
// under passphrase holding creds for profile dev.
func keyringWithDev(t *testing.T, passphrase string, creds Credentials) string {
	t.Helper()
	isolate(t)
	dir := t.TempDir()
	if err := NewKeyStore(fileKeyring(t, dir, passphrase)).Set("dev", creds); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newFileKeyring opens a fresh file-backend keyring in a temporary
// directory.
func newFileKeyring(t *testing.T) keyring.Keyring {
	t.Helper()
	return fileKeyring(t, t.TempDir(), "correct horse")
}
