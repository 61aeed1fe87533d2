package field

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Display returns s made safe to print on a terminal: every byte that is
// not valid UTF-8 is shown as \xNN and every rune Unsafe reports as \uNNNN
// (or \UNNNNNNNN), so that text already stored (written by an older
// version, or straight into the store by someone who skipped the checks)
// cannot move the cursor, clear the screen or reorder what is shown. Text
// that passes the input checks comes back unchanged.
func Display(s string) string {
	if displaySafe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case Unsafe(r) && r > 0xFFFF:
			fmt.Fprintf(&b, `\U%08X`, r)
		case Unsafe(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// displaySafe reports whether Display has nothing to escape in s.
func displaySafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if Unsafe(r) {
			return false
		}
	}
	return true
}
