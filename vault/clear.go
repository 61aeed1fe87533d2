package vault

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/byteness/keyring"
)

// ClearAll deletes every cached session, every cached set of role
// credentials (IAM Identity Center's included) and every cached caller
// identity. Long-lived keys stay. It
// returns how many items it deleted. It decrypts nothing; call
// CheckPassphrase first when a wrong passphrase must change nothing.
func (c *Cache) ClearAll() (int, error) {
	return removeWhere(c.kr, func(name string) bool {
		return strings.HasPrefix(name, sessionPrefix) || strings.HasPrefix(name, rolePrefix) || strings.HasPrefix(name, identityPrefix) || strings.HasPrefix(name, ssoPrefix)
	})
}

// removeWhere deletes the items whose names match and returns how many it
// deleted; it stops at the first failure.
func removeWhere(kr keyring.Keyring, match func(name string) bool) (int, error) {
	names, err := kr.Keys()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		if !match(name) {
			continue
		}
		removed, err := removeItem(kr, name)
		if err != nil {
			return n, err
		}
		n += removed
	}
	return n, nil
}

// ClearDerived deletes what was cached from profile: its own session and
// role credentials, and the role credentials of every profile of cfg whose
// source_profile chain ends at it (hasKeys is as for ResolveChain).
// Long-lived keys and the cached identities of keys stay: an identity is
// bound to its exact keys, so it cannot serve other ones. It is what runs
// when keys are added or removed, so that nothing issued from old keys
// lingers, and what `sentinel clear PROFILE` runs. It returns how many items
// it deleted, and decrypts nothing (see ClearAll).
func (c *Cache) ClearDerived(cfg *ConfigFile, hasKeys func(string) bool, profile string) (int, error) {
	if profile == "" {
		return 0, errors.New("clear cached credentials: no profile given")
	}
	targets := []string{profile}
	if cfg != nil {
		for _, name := range cfg.ProfileNames() {
			if name == profile {
				continue
			}
			chain, err := ResolveChain(cfg, name, hasKeys)
			if err != nil || chain.Base.Name != profile {
				continue
			}
			targets = append(targets, name)
		}
	}
	return removeWhere(c.kr, func(name string) bool { return derivedItem(name, targets) })
}

// derivedItem reports whether the item name is the session of the first
// target or role credentials of any target.
func derivedItem(name string, targets []string) bool {
	return name == sessionItem(targets[0]) ||
		slices.ContainsFunc(targets, func(t string) bool { return strings.HasPrefix(name, rolePrefixOf(t)) })
}

// ClearSession deletes the cached session of base profile, for when STS no
// longer honours it.
func (c *Cache) ClearSession(base string) error {
	_, err := removeItem(c.kr, sessionItem(base))
	return err
}

// CheckPassphrase decrypts one of sentinel's items, if there is one, and
// returns the error (matching ErrBadPassphrase or ErrKeyringLocked) when it
// cannot: the file backend encrypts and deletes with whatever passphrase it
// was given, and a command run with a wrong one must change nothing.
func (c *Cache) CheckPassphrase() error { return checkPassphrase(c.kr) }

// checkPassphrase reads one existing keys item (else any other item of
// sentinel's), if there is one.
func checkPassphrase(kr keyring.Keyring) error {
	names, err := kr.Keys()
	if err != nil {
		return err
	}
	for _, prefix := range []string{keysPrefix, identityPrefix, sessionPrefix, rolePrefix, ssoPrefix} {
		for _, n := range names {
			if !strings.HasPrefix(n, prefix) {
				continue
			}
			_, err := kr.Get(n)
			if errors.Is(err, keyring.ErrKeyNotFound) {
				continue
			}
			return err
		}
	}
	return nil
}

// clearProfileItems deletes the session and role items named after one
// profile.
func clearProfileItems(kr keyring.Keyring, profile string) error {
	_, err := removeWhere(kr, func(name string) bool { return derivedItem(name, []string{profile}) })
	return err
}

// removeItem deletes an item and says whether it was there; one already
// gone is not an error.
func removeItem(kr keyring.Keyring, key string) (int, error) {
	err := kr.Remove(key)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("remove cache entry %s: %w", key, err)
	}
	return 1, nil
}
