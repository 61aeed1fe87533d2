package request

import (
	"fmt"

	"github.com/sentinel-cli/sentinel/internal/field"
)

// IDLength is the number of characters in a request ID.
const IDLength = field.IDLength

// NewID returns a fresh random request ID: 16 lowercase hex characters from
// crypto/rand (see field.NewID).
func NewID() (string, error) {
	id, err := field.NewID()
	if err != nil {
		return "", fmt.Errorf("generate request id: %w", err)
	}
	return id, nil
}

// ValidID reports whether s has the shape NewID produces.
func ValidID(s string) bool { return field.ValidID(s) }
