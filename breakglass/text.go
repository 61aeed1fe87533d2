package breakglass

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
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

// checkText trims s and checks that it is valid UTF-8 of min..max runes with
// no control characters other than newline and tab, which could otherwise
// disguise the text on a reviewer's terminal.
func checkText(what, s string, min, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, what)
	}
	n := utf8.RuneCountInString(s)
	if n < min {
		return "", fmt.Errorf("%w: %s must be at least %d characters (got %d)", ErrInvalid, what, min, n)
	}
	if n > max {
		return "", fmt.Errorf("%w: %s must be at most %d characters (got %d)", ErrInvalid, what, max, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", fmt.Errorf("%w: %s contains a control character", ErrInvalid, what)
		}
	}
	return s, nil
}

// checkName checks a user name, profile name or ARN: non-empty, at most max
// runes, no surrounding spaces and no control characters.
func checkName(what, s string, max int) error {
	if s == "" {
		return fmt.Errorf("%w: %s is required", ErrInvalid, what)
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%w: %s has leading or trailing spaces", ErrInvalid, what)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, what)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%w: %s must be at most %d characters (got %d)", ErrInvalid, what, max, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %s contains a control character", ErrInvalid, what)
		}
	}
	return nil
}
