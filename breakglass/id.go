package breakglass

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// IDLength is the number of characters in an event ID.
const IDLength = 16

// NewID returns a fresh random event ID: 16 lowercase hex characters from
// crypto/rand. IDs end up inside STS SourceIdentity values, which
// accept only a small character set, so they are hex and nothing else.
func NewID() (string, error) {
	var b [IDLength / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate break-glass event id: %w", err)
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
