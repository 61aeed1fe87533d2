package field

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text trims s and checks that it is one line of valid UTF-8, min..max runes
// long, with no character that could change how it or what follows it
// looks on a terminal (see Unsafe). Counts are in runes so that non-English
// text gets the same allowance. The text is shown on reviewers' terminals
// and in log lines, where an escape sequence, a line break or a
// bidirectional override could disguise what is being approved.
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
	if err := checkRunes(what, s); err != nil {
		return "", err
	}
	return s, nil
}

// Name checks a user name, profile name or ARN: non-empty, at most max
// runes, no surrounding spaces and no character Unsafe refuses.
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
	return checkRunes(what, s)
}

// checkRunes refuses the first rune of s that Unsafe reports, naming it by
// its code point (never printing it).
func checkRunes(what, s string) error {
	for _, r := range s {
		if !Unsafe(r) {
			continue
		}
		switch {
		case unicode.IsControl(r):
			return fmt.Errorf("%s contains a control character (%U); it must be a single line of plain text", what, r)
		case bidi(r):
			return fmt.Errorf("%s contains a bidirectional formatting character (%U)", what, r)
		default:
			return fmt.Errorf("%s contains an invisible formatting character (%U)", what, r)
		}
	}
	return nil
}

// Unsafe reports whether r must not appear in stored text: control
// characters (newline and tab included: every text field is one line),
// the bidirectional embeddings, overrides, isolates and marks
// (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C), zero-width
// characters (U+200B-200D, U+2060, U+FEFF), the line and paragraph
// separators, and the other invisible format characters (Unicode category
// Cf), which can hide text or change how it reads.
func Unsafe(r rune) bool {
	switch {
	case unicode.IsControl(r), bidi(r), zeroWidth(r):
		return true
	case r == '\u2028', r == '\u2029':
		return true
	case unicode.Is(unicode.Cf, r):
		return true
	}
	return false
}

// bidi reports the characters that change the direction text is shown in.
func bidi(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' ||
		r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// zeroWidth reports the characters that take no space on screen.
func zeroWidth(r rune) bool {
	return r >= '\u200B' && r <= '\u200D' || r == '\u2060' || r == '\uFEFF'
}
