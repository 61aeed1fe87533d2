package vault

import (
	"crypto/sha256"
	"encoding/hex"
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

// roleItem names cached role credentials. base and basis are hashed:
// they can be long, and a file name is limited to 255 bytes. The entry
// itself records them in clear for listing.
func roleItem(profile, base, basis string) string {
	sum := sha256.Sum256([]byte(base + "\x00" + basis))
	return rolePrefixOf(profile) + hex.EncodeToString(sum[:])
}

// identityItem names the cached identity of long-lived keys. The access key
// ID is hashed so that item names, which most backends do not encrypt, do
// not reveal it.
func identityItem(accessKeyID string) string {
	sum := sha256.Sum256([]byte(accessKeyID))
	return identityPrefix + hex.EncodeToString(sum[:])
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
