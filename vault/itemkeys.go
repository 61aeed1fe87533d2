package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
)

// Names of sentinel's keyring items. Each kind has its own prefix so that
// listing the keyring can tell them apart; profile names are query-escaped so
// that no profile name can contain the separator or a path separator (the
// file backend turns keys into file names).
const (
	keysPrefix     = "keys:"
	sessionPrefix  = "session:"
	rolePrefix     = "role:"
	identityPrefix = "identity:"
)

// keysItem names the item holding a profile's long-lived keys.
func keysItem(profile string) string { return keysPrefix + url.QueryEscape(profile) }

// sessionItem names the cached session-token credentials of a base profile.
func sessionItem(base string) string { return sessionPrefix + url.QueryEscape(base) }

// rolePrefixOf is the common prefix of every cached role item of a profile.
func rolePrefixOf(profile string) string { return rolePrefix + url.QueryEscape(profile) + ":" }

// RoleKey is everything that determines a set of cached role credentials.
// Two requests with equal keys would get interchangeable credentials from
// STS; any difference (a role_arn edited in ~/.aws/config, another MFA
// device, another external ID, another STS region, another basis) is a
// different cache entry, so the old credentials are never served for the
// new setting.
type RoleKey struct {
	// Profile is the profile asked for.
	Profile string `json:"profile"`
	// Base is the profile whose long-lived keys start the chain.
	Base string `json:"base"`
	// RoleARNs are the roles assumed, in order from Base to Profile; none
	// for a profile served with session-token credentials.
	RoleARNs []string `json:"role_arns"`
	// ExternalIDs are the external IDs passed with each role, in the same
	// order ("" where none).
	ExternalIDs []string `json:"external_ids"`
	// MFASerial is the MFA device the chain is authenticated with.
	MFASerial string `json:"mfa_serial"`
	// Region is the region of the STS endpoint that issued them.
	Region string `json:"region"`
	// Basis is why they were issued (direct, an approval, a break-glass
	// event).
	Basis string `json:"basis"`
}

// RoleKeyFor is the cache key of credentials for chain, obtained from STS in
// region, on basis.
func RoleKeyFor(chain *Chain, region, basis string) RoleKey {
	k := RoleKey{
		Profile:     chain.Target.Name,
		Base:        chain.Base.Name,
		RoleARNs:    []string{},
		ExternalIDs: []string{},
		MFASerial:   chain.MFASerial,
		Region:      region,
		Basis:       basis,
	}
	for _, r := range chain.Roles {
		k.RoleARNs = append(k.RoleARNs, r.RoleARN)
		k.ExternalIDs = append(k.ExternalIDs, r.ExternalID)
	}
	return k
}

// binding is the canonical form of the key: the JSON encoding of a struct
// is deterministic, and nil and empty lists are made the same.
func (k RoleKey) binding() string {
	if k.RoleARNs == nil {
		k.RoleARNs = []string{}
	}
	if k.ExternalIDs == nil {
		k.ExternalIDs = []string{}
	}
	b, _ := json.Marshal(k) // a struct of strings cannot fail to encode
	return string(b)
}

// roleItem names cached role credentials: the profile in clear (so that a
// profile's entries can be found by name, without decrypting them) and a
// hash of the whole key (a file name is limited to 255 bytes). The entry
// itself records the key and is checked against it when read.
func roleItem(k RoleKey) string {
	sum := sha256.Sum256([]byte(k.binding()))
	return rolePrefixOf(k.Profile) + hex.EncodeToString(sum[:])
}

// identityItem names the cached identity of long-lived keys. The access key
// ID is hashed so that item names, which most backends do not encrypt, do
// not reveal it.
func identityItem(accessKeyID string) string {
	sum := sha256.Sum256([]byte(accessKeyID))
	return identityPrefix + hex.EncodeToString(sum[:])
}

// keyBinding ties a cached identity to the exact key pair it was fetched
// with: a hash of both halves, so that an identity item copied, forged or
// left over from other keys under the same access key ID does not match.
// The secret is long and random, so its hash reveals nothing useful.
func keyBinding(keys Credentials) string {
	sum := sha256.Sum256([]byte("sentinel identity binding v1\x00" + keys.AccessKeyID + "\x00" + keys.SecretAccessKey))
	return hex.EncodeToString(sum[:])
}

// profileFromItem returns the profile named by an item key that starts with
// prefix, and whether the key is such an item.
func profileFromItem(key, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return "", false
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	name, err := url.QueryUnescape(rest)
	if err != nil || name == "" {
		return "", false
	}
	return name, true
}
