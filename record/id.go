package record

import "github.com/sentinel-cli/sentinel/internal/field"

// IDLength is the number of characters in every record ID.
const IDLength = field.IDLength

// NewID returns a fresh random ID: 16 lower-case hex characters from
// crypto/rand.
func NewID() (string, error) { return field.NewID() }

// ValidID reports whether s has the shape NewID produces.
func ValidID(s string) bool { return field.ValidID(s) }

// IndexedPrefixLen is how many leading characters of an ID the ID-prefix
// index is keyed by: the shortest prefix a person may type.
const IndexedPrefixLen = 6

// IDPrefixKey is the key of id in the ID-prefix index: its first
// IndexedPrefixLen characters.
func IDPrefixKey(id string) string {
	if len(id) < IndexedPrefixLen {
		return id
	}
	return id[:IndexedPrefixLen]
}
