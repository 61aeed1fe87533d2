package field

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text trims s and checks that it is valid UTF-8 of min..max runes with no
// control characters other than newline and tab. Counts are in runes so
// that non-English text gets the same allowance. Control characters are
// refused because the text is shown on reviewers' terminals, where escape
// sequences could disguise what is being approved.
func Text(what, s string, min, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%s is not valid UTF-8", what)
	}
	n := utf8.RuneCountInString(s)
	if n < min {
		return "", fmt.Errorf("%s must be at least %d characters (got %d)", what, min, n)
	}
	if n > max {
		return "", fmt.Errorf("%s must be at most %d characters (got %d)", what, max, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", fmt.Errorf("%s contains a control character", what)
		}
	}
	return s, nil
}

// Name checks a user name, profile name or ARN: non-empty, at most max
// runes, no surrounding spaces and no control characters (not even
// newlines).
func Name(what, s string, max int) error {
	if s == "" {
		return fmt.Errorf("%s is required", what)
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%s has leading or trailing spaces", what)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%s must be at most %d characters (got %d)", what, max, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s contains a control character", what)
		}
	}
	return nil
}
