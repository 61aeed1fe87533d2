package record

import (
	"time"

	"github.com/sentinel-cli/sentinel/internal/field"
)

// Limits every kind shares on the names it stores.
const (
	// MaxName caps user, profile, account and host names; they become
	// index and lock keys in the stores, which limit key sizes.
	MaxName = 256
	// MaxARN is the longest ARN IAM produces.
	MaxARN = 2048
)

// Bounds on the times a record may carry: stores keep times as
// fixed-width strings that sort in time order only within these years.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// Text trims s and checks that it is one line of plain text of min..max
// runes (see field.Text), as an ErrInvalid error.
func Text(what, s string, min, max int) (string, error) {
	t, err := field.Text(what, s, min, max)
	if err != nil {
		return "", Invalid(err)
	}
	return t, nil
}

// Name checks a required user name, profile name or ARN of at most max
// runes (see field.Name), as an ErrInvalid error.
func Name(what, s string, max int) error {
	if err := field.Name(what, s, max); err != nil {
		return Invalid(err)
	}
	return nil
}

// OptionalName is Name for a field that may be empty.
func OptionalName(what, s string, max int) error {
	if s == "" {
		return nil
	}
	return Name(what, s, max)
}

// Time refuses a zero time and one outside the years the stores can sort.
func Time(what string, t time.Time) error {
	if t.IsZero() {
		return Invalidf("%s is missing", what)
	}
	if t.Before(minTime) || t.After(maxTime) {
		return Invalidf("%s %s is outside the years 1970-9999", what, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// OptionalTime is Time for a time that may be zero.
func OptionalTime(what string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	return Time(what, t)
}
