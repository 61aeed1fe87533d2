package session

import (
	"fmt"

	"github.com/sentinel-cli/sentinel/internal/field"
)

// IDLength is the number of characters in a session ID.
const IDLength = field.IDLength

// NewID returns a fresh random session ID: 16 lowercase hex characters from
// crypto/rand (see field.NewID). The ID goes into the STS session tag
// sentinel-session-id, so it is hex and nothing else.
func NewID() (string, error) {
	id, err := field.NewID()
	if err != nil {
		return "", fmt.Errorf("generate session id: %w", err)
	}
	return id, nil
}

// ValidID reports whether s has the shape NewID produces.
func ValidID(s string) bool { return field.ValidID(s) }
