package proof

import (
	"net/http"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeSimple is decodeJSON for the proofs clients send: every string
// printable ASCII, escapes only of characters that are not surrogates, no number or literal. It accepts only
// what decodeJSON accepts, with the same result, and reports false for
// anything else (also for everything decodeJSON refuses), so that the
// caller falls back to decodeJSON, which then gives its answer. It exists
// because walking encoding/json tokens costs a proof check more CPU and
// allocations than the rest of the check together.
func decodeSimple(raw []byte) (wireProof, bool) {
	d := simpleDecoder{raw: raw}
	var w wireProof
	if !d.delim('{') {
		return wireProof{}, false
	}
	seen := 0
	for first := true; ; first = false {
		if d.peek('}') {
			break
		}
		if !first && !d.delim(',') {
			return wireProof{}, false
		}
		key, ok := d.str()
		if !ok || !d.delim(':') {
			return wireProof{}, false
		}
		var bit int
		switch key {
		case "method":
			bit = 1
			w.Method, ok = d.str()
		case "url":
			bit = 2
			w.URL, ok = d.str()
		case "body":
			bit = 4
			w.Body, ok = d.str()
		case "headers":
			bit = 8
			w.Headers, ok = d.headers()
		default:
			return wireProof{}, false
		}
		if !ok || seen&bit != 0 {
			return wireProof{}, false
		}
		seen |= bit
	}
	if !d.delim('}') || seen != 15 {
		return wireProof{}, false
	}
	d.space()
	if d.i != len(d.raw) {
		return wireProof{}, false
	}
	return w, true
}

// simpleDecoder reads the subset of JSON decodeSimple accepts.
type simpleDecoder struct {
	raw []byte
	i   int
}

// space skips JSON whitespace.
func (d *simpleDecoder) space() {
	for d.i < len(d.raw) {
		switch d.raw[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek reports whether the next token is c, without consuming it.
func (d *simpleDecoder) peek(c byte) bool {
	d.space()
	return d.i < len(d.raw) && d.raw[d.i] == c
}

// delim consumes the token c.
func (d *simpleDecoder) delim(c byte) bool {
	if !d.peek(c) {
		return false
	}
	d.i++
	return true
}

// str consumes a string of printable ASCII. Of the escapes it takes the
// short ones and \u escapes of characters that are not surrogates (Go's
// encoder writes & as \u0026, and a form body has several).
func (d *simpleDecoder) str() (string, bool) {
	if !d.delim('"') {
		return "", false
	}
	start := d.i
	var buf []byte // the string so far, once it has an escape
	for d.i < len(d.raw) {
		c := d.raw[d.i]
		switch {
		case c == '"':
			d.i++
			if buf == nil {
				return string(d.raw[start : d.i-1]), true
			}
			return string(buf), true
		case c < 0x20 || c > 0x7e:
			return "", false
		case c == '\\':
			if buf == nil {
				buf = append(make([]byte, 0, 2*(d.i-start)+16), d.raw[start:d.i]...)
			}
			var ok bool
			if buf, ok = d.escape(buf); !ok {
				return "", false
			}
			continue
		}
		if buf != nil {
			buf = append(buf, c)
		}
		d.i++
	}
	return "", false
}

// escape consumes the escape at d.i and appends what it stands for.
func (d *simpleDecoder) escape(buf []byte) ([]byte, bool) {
	if d.i+1 >= len(d.raw) {
		return nil, false
	}
	c := d.raw[d.i+1]
	d.i += 2
	switch c {
	case '"', '\\', '/':
		return append(buf, c), true
	case 'b':
		return append(buf, '\b'), true
	case 'f':
		return append(buf, '\f'), true
	case 'n':
		return append(buf, '\n'), true
	case 'r':
		return append(buf, '\r'), true
	case 't':
		return append(buf, '\t'), true
	case 'u':
		if d.i+4 > len(d.raw) {
			return nil, false
		}
		var r rune
		for _, h := range d.raw[d.i : d.i+4] {
			switch {
			case h >= '0' && h <= '9':
				r = r<<4 | rune(h-'0')
			case h >= 'a' && h <= 'f':
				r = r<<4 | rune(h-'a'+10)
			case h >= 'A' && h <= 'F':
				r = r<<4 | rune(h-'A'+10)
			default:
				return nil, false
			}
		}
		if utf16.IsSurrogate(r) {
			return nil, false
		}
		d.i += 4
		return utf8.AppendRune(buf, r), true
	}
	return nil, false
}

// headers consumes {"Name":["value",...],...} as decodeHeaders does,
// reporting false also where decodeHeaders refuses (a name given twice).
func (d *simpleDecoder) headers() (map[string][]string, bool) {
	if !d.delim('{') {
		return nil, false
	}
	out := map[string][]string{}
	canonical := map[string]bool{}
	for first := true; ; first = false {
		if d.peek('}') {
			break
		}
		if !first && !d.delim(',') {
			return nil, false
		}
		name, ok := d.str()
		if !ok || !d.delim(':') || !d.delim('[') {
			return nil, false
		}
		lower := strings.ToLower(http.CanonicalHeaderKey(name))
		if canonical[lower] {
			return nil, false
		}
		canonical[lower] = true
		var values []string
		for firstValue := true; ; firstValue = false {
			if d.peek(']') {
				break
			}
			if !firstValue && !d.delim(',') {
				return nil, false
			}
			v, ok := d.str()
			if !ok {
				return nil, false
			}
			values = append(values, v)
		}
		d.i++ // the ']' peeked
		out[name] = values
	}
	d.i++ // the '}' peeked
	return out, true
}
