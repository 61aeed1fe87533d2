package session

import (
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/internal/field"
)

// Limits on the text a session and a block carry, counted in runes.
const (
	// MaxName caps user, profile, account and host names; they become
	// index keys in the stores.
	MaxName = 256
	// MaxARN is the longest ARN IAM produces.
	MaxARN = 2048
	// MaxSourceIdentity is the longest SourceIdentity STS accepts.
	MaxSourceIdentity = 64
	// MaxReason caps a revoke or block reason.
	MaxReason = 1000
)

// Bounds on the times a session or block may carry. Stores keep times as
// fixed-width strings that sort in time order only within these years.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
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

// checkName checks a required name or ARN (see field.Name), as an
// ErrInvalid error.
func checkName(what, s string, max int) error {
	if err := field.Name(what, s, max); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// checkOptionalName is checkName for a field that may be empty.
func checkOptionalName(what, s string, max int) error {
	if s == "" {
		return nil
	}
	return checkName(what, s, max)
}

// checkTime refuses a zero time and one outside the years the stores can
// sort.
func checkTime(what string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%w: %s is missing", ErrInvalid, what)
	}
	if t.Before(minTime) || t.After(maxTime) {
		return fmt.Errorf("%w: %s %s is outside the years 1970-9999", ErrInvalid, what, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkOptionalTime is checkTime for a time that may be zero.
func checkOptionalTime(what string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	return checkTime(what, t)
}
