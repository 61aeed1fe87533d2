package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/byteness/keyring"
	"gopkg.in/ini.v1"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// ErrNotLongLived means keys offered for import are temporary credentials
// (a session token, an ASIA key ID): only long-lived keys are stored.
var ErrNotLongLived = errors.New("not long-lived access keys")

// maxCredentialsFile bounds the shared credentials file read for import.
const maxCredentialsFile = 1 << 20

// AWSVaultKeyringConfig is the KeyringConfig of aws-vault's own keyring on
// backend, as aws-vault opens it: its service name, secret-service
// collection, KWallet folder, keychain and file directory, each overridden
// by the AWS_VAULT_* variable aws-vault reads (getenv is os.Getenv, at
// start). The file passphrase is AWS_VAULT_FILE_PASSPHRASE, else
// fallback (sentinel's own), else asked for on the terminal. home is the
// user's home directory.
func AWSVaultKeyringConfig(backend string, getenv func(string) string, home, fallbackPassphrase string) KeyringConfig {
	or := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	dir := or("AWS_VAULT_FILE_DIR", filepath.Join(home, ".awsvault", "keys"))
	if rest, ok := strings.CutPrefix(dir, "~/"); ok {
		dir = filepath.Join(home, rest)
	}
	return KeyringConfig{
		Backend:        backend,
		ServiceName:    "aws-vault",
		FileDir:        dir,
		Passphrase:     or("AWS_VAULT_FILE_PASSPHRASE", fallbackPassphrase),
		PassDir:        getenv("AWS_VAULT_PASS_PASSWORD_STORE_DIR"),
		PassCmd:        getenv("AWS_VAULT_PASS_CMD"),
		PassPrefix:     getenv("AWS_VAULT_PASS_PREFIX"),
		KeychainName:   or("AWS_VAULT_KEYCHAIN_NAME", "aws-vault"),
		CollectionName: or("AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME", "awsvault"),
		KWalletFolder:  or("AWS_VAULT_KWALLET_FOLDER", "aws-vault"),
		KeyCtlScope:    getenv("AWS_VAULT_KEYCTL_SCOPE"),
	}
}

// OpenAWSVaultKeyring opens aws-vault's keyring described by cfg (see
// AWSVaultKeyringConfig). A file keyring directory that does not exist is
// an error rather than created: there is nothing to import.
func OpenAWSVaultKeyring(cfg KeyringConfig) (keyring.Keyring, error) {
	if cfg.Backend == string(keyring.FileBackend) {
		if _, err := os.Lstat(cfg.FileDir); err != nil {
			return nil, fmt.Errorf("%w: no aws-vault keyring at %s", ErrNoKeys, cfg.FileDir)
		}
	}
	return OpenKeyring(cfg)
}

// awsVaultCredentials is the JSON of an aws-vault keys item: the AWS
// SDK's credentials value, which has no JSON tags.
type awsVaultCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// ReadAWSVaultKeys reads the long-lived keys aws-vault stores for profile:
// an item named after the profile itself.
func ReadAWSVaultKeys(kr keyring.Keyring, profile string) (Credentials, error) {
	item, err := kr.Get(profile)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return Credentials{}, newError(ErrNoKeys, nil, "aws-vault's keyring holds no keys for profile %q", profile)
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("read aws-vault's keys of profile %q: %w", profile, err)
	}
	var c awsVaultCredentials
	if err := json.Unmarshal(item.Data, &c); err != nil || c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return Credentials{}, newError(ErrNoKeys, nil, "aws-vault's item %q holds no access keys", profile)
	}
	return longLived(c.AccessKeyID, c.SecretAccessKey, c.SessionToken, "aws-vault's item "+profile)
}

func longLived(id, secret, token, where string) (Credentials, error) {
	if token != "" || strings.HasPrefix(id, "ASIA") {
		return Credentials{}, newError(ErrNotLongLived, nil, "%s holds temporary credentials, not long-lived access keys", where)
	}
	return Credentials{AccessKeyID: id, SecretAccessKey: secret}, nil
}

// ReadSharedCredentials reads the keys of profile from the AWS shared
// credentials file at path (not through a symbolic link, not a file others
// can write).
func ReadSharedCredentials(path, profile string) (Credentials, error) {
	f, err := loadCredentialsFile(path)
	if err != nil {
		return Credentials{}, err
	}
	sec, err := f.GetSection(profile)
	if err != nil {
		return Credentials{}, newError(ErrNoKeys, nil, "%s has no [%s] section", path, profile)
	}
	id := strings.TrimSpace(sec.Key("aws_access_key_id").String())
	secret := strings.TrimSpace(sec.Key("aws_secret_access_key").String())
	if id == "" || secret == "" {
		return Credentials{}, newError(ErrNoKeys, nil, "[%s] in %s has no aws_access_key_id and aws_secret_access_key", profile, path)
	}
	return longLived(id, secret, strings.TrimSpace(sec.Key("aws_session_token").String()), "["+profile+"] in "+path)
}

// credentialKeys are the keys RemoveSharedCredentials deletes.
var credentialKeys = []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token"}

// RemoveSharedCredentials deletes the keys of profile from the shared
// credentials file at path, and the section when nothing else is left in
// it. The file is replaced atomically, mode 0600.
func RemoveSharedCredentials(path, profile string) error {
	f, err := loadCredentialsFile(path)
	if err != nil {
		return err
	}
	sec, err := f.GetSection(profile)
	if err != nil {
		return nil
	}
	for _, k := range credentialKeys {
		sec.DeleteKey(k)
	}
	if len(sec.Keys()) == 0 {
		f.DeleteSection(profile)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".credentials-*")
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	return nil
}

func loadCredentialsFile(path string) (*ini.File, error) {
	data, err := safefile.ReadFile(path, maxCredentialsFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, newError(ErrNoKeys, nil, "no AWS credentials file at %s", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	f, err := ini.LoadSources(ini.LoadOptions{SpaceBeforeInlineComment: true, AllowNestedValues: true}, data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return f, nil
}
