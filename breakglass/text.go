package breakglass

import (
	"fmt"

	"github.com/sentinel-cli/sentinel/internal/field"
)

// Limits on the free text an event carries, counted in runes.
const (
	MinJustification = 20
	MaxJustification = 2000
	MaxCloseReason   = 1000
	// MaxName caps user and profile names; they become index and lock keys
	// in the stores.
	MaxName = 256
	// MaxARN is the longest ARN IAM produces.
	MaxARN = 2048
)

// checkText trims s and checks it is free text of min..max runes (see
// field.Text), as an ErrInvalid error.
func checkText(what, s string, min, max int) (string, error) {
	t, err := field.Text(what, s, min, max)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return t, nil
}

// checkName checks a user name, profile name or ARN (see field.Name), as an
// ErrInvalid error.
func checkName(what, s string, max int) error {
	if err := field.Name(what, s, max); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}
