package policy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Glob patterns in profiles: and roles: conditions, and in ARN entries of
// users:, approvers: and break-glass users:, have two metacharacters:
//
//   - '*' matches any run of characters, including none and including '/'
//     (so "arn:aws:iam::*:role/*" matches roles with a path, and "team-*"
//     matches "team-a/b");
//   - '?' matches exactly one character (one UTF-8 rune, not one byte).
//
// Every other character matches itself, case-sensitively. These are the
// semantics of IAM policy ARN patterns. Character classes ("[ab]") and
// backslash escapes are refused at load: neither profile names nor ARNs
// need them, and refusing them keeps a pattern meaning one thing.

// globMeta are the characters that make an entry a pattern.
const globMeta = "*?"

// globRefused are characters a pattern may not contain.
const globRefused = `[]\`

// isGlob reports whether s is a pattern rather than an exact name.
func isGlob(s string) bool {
	return strings.ContainsAny(s, globMeta)
}

// checkGlob returns an error when pattern uses syntax this package refuses.
func checkGlob(pattern string) error {
	if i := strings.IndexAny(pattern, globRefused); i >= 0 {
		return fmt.Errorf("%q is not supported in patterns (only * and ? are; * also matches /)", pattern[i:i+1])
	}
	return nil
}

// globMatch reports whether s matches pattern under the rules above. It
// neither allocates nor recurses: on a mismatch it backtracks to the most
// recent '*' and lets it swallow one more rune, which is enough because a
// later '*' can always absorb whatever an earlier one would have. Time is
// O(len(pattern) * len(s)) at worst; policy strings are capped at 4 KiB.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				// Try matching nothing first; remember where to resume.
				starPx, starSx = px, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					_, w := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += w
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if starPx >= 0 && starSx < len(s) {
			_, w := utf8.DecodeRuneInString(s[starSx:])
			starSx += w
			px, sx = starPx+1, starSx
			continue
		}
		return false
	}
	return true
}

// glob is a compiled pattern. prefix (the literal text before the first
// metacharacter) rejects most strings without running the matcher.
type glob struct {
	pattern string
	prefix  string
}

func newGlob(pattern string) glob {
	prefix := pattern
	if i := strings.IndexAny(pattern, globMeta); i >= 0 {
		prefix = pattern[:i]
	}
	return glob{pattern: pattern, prefix: prefix}
}

func (g *glob) match(s string) bool {
	return strings.HasPrefix(s, g.prefix) && globMatch(g.pattern, s)
}
