package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/byteness/keyring"
)

// KeyStore keeps long-lived access keys in the keyring, one item per
// profile.
type KeyStore struct {
	kr keyring.Keyring
}

// NewKeyStore returns a KeyStore over kr.
func NewKeyStore(kr keyring.Keyring) *KeyStore {
	return &KeyStore{kr: kr}
}

// storedKeys is the JSON form of a keys item (the keyring encrypts it).
// Only `sentinel add` writes it: the file backend does not write
// atomically, so nothing rewrites long-lived keys on the way.
type storedKeys struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

// Get returns the long-lived keys of profile, or an error matching ErrNoKeys
// when there are none.
func (k *KeyStore) Get(profile string) (Credentials, error) {
	s, err := k.read(profile)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey}, nil
}

// read decodes the keys item of profile.
func (k *KeyStore) read(profile string) (storedKeys, error) {
	item, err := k.kr.Get(keysItem(profile))
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return storedKeys{}, &MissingKeysError{Profile: profile}
	}
	if err != nil {
		return storedKeys{}, fmt.Errorf("read keys of profile %q: %w", profile, err)
	}
	var s storedKeys
	if err := json.Unmarshal(item.Data, &s); err != nil || s.AccessKeyID == "" || s.SecretAccessKey == "" {
		return storedKeys{}, &MissingKeysError{Profile: profile, Damaged: true}
	}
	return s, nil
}

// write stores the keys item of profile.
func (k *KeyStore) write(profile string, s storedKeys) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("store keys of profile %q: %w", profile, err)
	}
	err = k.kr.Set(keyring.Item{
		Key:         keysItem(profile),
		Data:        data,
		Label:       "sentinel keys: " + profile,
		Description: "AWS access keys of profile " + profile,
	})
	if err != nil {
		return fmt.Errorf("store keys of profile %q: %w", profile, err)
	}
	return nil
}

// Set stores long-lived keys for profile, replacing any. It refuses
// temporary credentials.
func (k *KeyStore) Set(profile string, c Credentials) error {
	if profile == "" {
		return errors.New("store keys: no profile name given")
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return fmt.Errorf("store keys of profile %q: access key ID and secret access key are both required", profile)
	}
	if c.SessionToken != "" || !c.Expires.IsZero() {
		return fmt.Errorf("store keys of profile %q: these are temporary credentials; only long-lived access keys can be stored", profile)
	}
	if err := k.checkPassphrase(); err != nil {
		return err
	}
	return k.write(profile, storedKeys{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey})
}

// checkPassphrase reads one existing item before a write. The file backend
// encrypts with whatever passphrase it was given, so without this check a
// mistyped passphrase would store keys that the right passphrase can no
// longer read.
func (k *KeyStore) checkPassphrase() error { return checkPassphrase(k.kr) }

// Remove deletes the keys of profile and the credentials cached for it (its
// session, its role credentials, the identity of the keys). It returns an
// error matching ErrNoKeys when there were no keys.
func (k *KeyStore) Remove(profile string) error {
	// The identity item is named after the access key ID; if the keys cannot
	// be read (forgotten passphrase) they are still removed.
	if c, err := k.Get(profile); err == nil {
		if err := k.kr.Remove(identityItem(c.AccessKeyID)); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
			return fmt.Errorf("remove cached identity of profile %q: %w", profile, err)
		}
	}
	err := k.kr.Remove(keysItem(profile))
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return &MissingKeysError{Profile: profile}
	}
	if err != nil {
		return fmt.Errorf("remove keys of profile %q: %w", profile, err)
	}
	return clearProfileItems(k.kr, profile)
}

// Has reports whether keys are stored for profile. It lists item names and
// decrypts nothing.
func (k *KeyStore) Has(profile string) bool {
	names, err := k.kr.Keys()
	if err != nil {
		return false
	}
	return slices.Contains(names, keysItem(profile))
}

// Profiles lists, sorted, the profiles that have keys stored.
func (k *KeyStore) Profiles() ([]string, error) {
	names, err := k.kr.Keys()
	if err != nil {
		return nil, err
	}
	var profiles []string
	for _, n := range names {
		if p, ok := profileFromItem(n, keysPrefix); ok {
			profiles = append(profiles, p)
		}
	}
	sort.Strings(profiles)
	return profiles, nil
}
