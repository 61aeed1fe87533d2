package policy

import (
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits on a policy file. Every string of a policy can end up in a
// decision log line, an STS session tag or a terminal; the limits keep
// each of those bounded, and a policy file that size is already far
// larger than any team writes.
const (
	// MaxFileSize is the largest policy file Load and Parse accept: room
	// for a team's 10,000 rules and 10,000 pinned profiles (about 2 MB)
	// several times over. Parsing is linear in the file's size, so the
	// cap bounds the work a file can cause, not what a team may write.
	MaxFileSize = 16 << 20
	// MaxStringSize is the longest string (key or value) in bytes.
	MaxStringSize = 4 << 10
)

// readLimited reads at most MaxFileSize+1 bytes of path, so that a huge
// (or endless) file is refused without being read whole.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}

// checkSize records an issue and reports false when data is over the limit.
func (d *decoder) checkSize(data []byte) bool {
	if len(data) > MaxFileSize {
		d.addf(nil, "", "policy file is more than %d bytes (the limit is 16 MiB)", MaxFileSize)
		return false
	}
	return true
}

// checkStrings walks every key and value of the document and records an
// issue for each string that is too long or holds a character that could
// change what a terminal or a log line shows. The issues name the line and
// the field but never repeat the string. It reports false when it found
// any: the decoder then stops, so that no message quotes such a string.
func (d *decoder) checkStrings(n *yaml.Node, field string) bool {
	before := len(d.issues)
	d.walkStrings(n, field)
	return len(d.issues) == before
}

func (d *decoder) walkStrings(n *yaml.Node, field string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for i, c := range n.Content {
			f := field
			if n.Kind == yaml.SequenceNode {
				f = d.index(field, i)
			}
			d.walkStrings(c, f)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !d.checkString(k, field, "key") {
				continue
			}
			d.walkStrings(v, d.join(field, k.Value))
		}
	case yaml.ScalarNode:
		d.checkString(n, field, "value")
	}
}

// checkString checks one scalar; what is "key" or "value".
func (d *decoder) checkString(n *yaml.Node, field, what string) bool {
	if n.Kind != yaml.ScalarNode {
		return true
	}
	if len(n.Value) > MaxStringSize {
		d.addf(n, field, "a %s of %d bytes is longer than the limit of %d", what, len(n.Value), MaxStringSize)
		return false
	}
	if r, ok := badRune(n.Value); ok {
		d.addf(n, field, "a %s contains %s; policy strings are single lines of printable text", what, describeRune(r))
		return false
	}
	return true
}

// badRune returns the first character of s that has no place in a policy
// string: invalid UTF-8, a control character (tab and newline included),
// a bidirectional formatting character, or a zero-width character.
func badRune(s string) (rune, bool) {
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			// Printable ASCII, nearly every byte of a policy.
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			return r, true
		}
		if isBadRune(r) {
			return r, true
		}
		i += w
	}
	return 0, false
}

func isBadRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // bidi marks
		r >= 0x202a && r <= 0x202e, // bidi embeddings and overrides
		r >= 0x2066 && r <= 0x2069: // bidi isolates
		return true
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff, r == 0x180e: // zero-width
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

func describeRune(r rune) string {
	switch {
	case r == utf8.RuneError:
		return "invalid UTF-8"
	case r == '\n':
		return "a newline"
	case r == '\t':
		return "a tab"
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return fmt.Sprintf("the control character U+%04X", r)
	}
	return fmt.Sprintf("the invisible formatting character U+%04X", r)
}
