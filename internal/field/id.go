package field

import (
	"crypto/rand"
	"encoding/hex"
)

// IDLength is the number of characters in an ID.
const IDLength = 16

// NewID returns a fresh random ID: 16 lowercase hex characters from
// crypto/rand. IDs end up inside STS SourceIdentity values (apr-<id>,
// bg-<id>), which accept only a small character set, so they are hex and
// nothing else. A failure of the random source is returned, never papered
// over.
func NewID() (string, error) {
	var b [IDLength / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// ValidID reports whether s has the shape NewID produces.
func ValidID(s string) bool {
	if len(s) != IDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
