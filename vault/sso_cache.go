package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ssoPrefix names the keyring items of cached IAM Identity Center role
// credentials.
const ssoPrefix = "sso:"

// SSORoleKey is what determines a set of portal role credentials: the
// sign-in (its token file key and start URL), the account and the role.
// Every profile naming the same three shares them.
type SSORoleKey struct {
	Session   string `json:"session"`
	StartURL  string `json:"start_url"`
	Region    string `json:"region"`
	AccountID string `json:"account_id"`
	RoleName  string `json:"role_name"`
}

// SSORoleKeyFor is the cache key of base's role credentials.
func SSORoleKeyFor(base *SSOBase) SSORoleKey {
	return SSORoleKey{Session: base.Session.CacheKey(), StartURL: base.Session.StartURL, Region: base.Session.Region, AccountID: base.AccountID, RoleName: base.RoleName}
}

func (k SSORoleKey) binding() string {
	b, _ := json.Marshal(k) // a struct of strings cannot fail to encode
	return string(b)
}

// ssoItem names the item of k: a hash, so that item names (which most
// backends do not encrypt) do not list the person's accounts and roles.
func ssoItem(k SSORoleKey) string {
	sum := sha256.Sum256([]byte(k.binding()))
	return ssoPrefix + hex.EncodeToString(sum[:])
}

// SSORoleEntry is cached portal role credentials and who they belong to,
// as STS GetCallerIdentity said.
type SSORoleEntry struct {
	Credentials Credentials
	Identity    Identity
}

type storedSSORole struct {
	Key         SSORoleKey     `json:"key"`
	Credentials storedCreds    `json:"credentials"`
	Identity    storedIdentity `json:"identity"`
}

// SSORole returns the role credentials cached under k. Like Session it
// misses (and deletes the entry) when the entry is damaged, was stored
// under another key or has less than ReuseMargin left, and fails when the
// entry cannot be decrypted.
func (c *Cache) SSORole(k SSORoleKey) (SSORoleEntry, bool, error) {
	var s storedSSORole
	creds, id, found, err := c.loadLive(ssoItem(k), &s, &s.Credentials, &s.Identity, func(id Identity) bool {
		return s.Key.binding() == k.binding() && id.Account == k.AccountID
	})
	if !found || err != nil {
		return SSORoleEntry{}, false, err
	}
	return SSORoleEntry{Credentials: creds, Identity: id}, true, nil
}

// PutSSORole caches role credentials under k. The identity must be in k's
// account: credentials of another account are never filed under it.
func (c *Cache) PutSSORole(k SSORoleKey, e SSORoleEntry) error {
	s := storedSSORole{Key: k, Credentials: toStored(e.Credentials), Identity: storedIdentity(e.Identity)}
	if !s.Credentials.valid() {
		return fmt.Errorf("cache SSO role %s in %s: not temporary credentials", k.RoleName, k.AccountID)
	}
	id, ok := s.Identity.identity()
	if !ok || id.Account != k.AccountID {
		return fmt.Errorf("cache SSO role %s in %s: identity %q is not a caller ARN of that account", k.RoleName, k.AccountID, e.Identity.ARN)
	}
	return c.store(ssoItem(k), "sentinel sso role: "+k.RoleName+" "+k.AccountID, s)
}

// ClearSSORole deletes the role credentials cached under k, if any.
func (c *Cache) ClearSSORole(k SSORoleKey) {
	c.drop(ssoItem(k))
}
