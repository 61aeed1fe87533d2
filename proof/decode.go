package proof

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// MaxHeaderBytes bounds the X-Sentinel-Proof header; a proof signed with a
// long session token is about 3 KiB.
const MaxHeaderBytes = 16 << 10

// decodeHeader turns the header value into a wireProof, strictly: base64url
// without padding, then a JSON object with exactly the keys method, url,
// headers and body, each once, headers an object of arrays of strings,
// nothing after it. Header names are returned as sent.
func decodeHeader(header string) (wireProof, error) {
	if header == "" {
		return wireProof{}, refuse(ReasonMissing, "")
	}
	if len(header) > MaxHeaderBytes {
		return wireProof{}, refuse(ReasonTooLarge, "")
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(header)
	if err != nil {
		return wireProof{}, refuse(ReasonEncoding, "not unpadded base64url")
	}
	if w, ok := decodeSimple(raw); ok {
		return w, nil
	}
	return decodeJSON(raw)
}

// decodeJSON walks the tokens of raw; encoding/json alone would accept
// duplicated keys (the last one wins) and ignore unknown ones.
func decodeJSON(raw []byte) (wireProof, error) {
	bad := func(why string) (wireProof, error) { return wireProof{}, refuse(ReasonJSON, why) }
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if !expectDelim(dec, '{') {
		return bad("not an object")
	}
	var w wireProof
	seen := map[string]bool{}
	for dec.More() {
		key, ok := nextString(dec)
		if !ok {
			return bad("malformed key")
		}
		if seen[key] {
			return bad("duplicated key")
		}
		seen[key] = true
		switch key {
		case "method":
			if w.Method, ok = nextString(dec); !ok {
				return bad("method is not a string")
			}
		case "url":
			if w.URL, ok = nextString(dec); !ok {
				return bad("url is not a string")
			}
		case "body":
			if w.Body, ok = nextString(dec); !ok {
				return bad("body is not a string")
			}
		case "headers":
			h, err := decodeHeaders(dec)
			if err != nil {
				return wireProof{}, err
			}
			w.Headers = h
		default:
			return bad("unknown key")
		}
	}
	if !expectDelim(dec, '}') {
		return bad("unterminated object")
	}
	if len(seen) != 4 {
		return bad("missing key")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("data after the object")
	}
	return w, nil
}

// decodeHeaders reads {"Name":["value",...],...}. A name given twice, also
// in another case, is refused.
func decodeHeaders(dec *json.Decoder) (map[string][]string, error) {
	bad := func(why string) (map[string][]string, error) { return nil, refuse(ReasonJSON, why) }
	if !expectDelim(dec, '{') {
		return bad("headers is not an object")
	}
	out := map[string][]string{}
	canonical := map[string]bool{}
	for dec.More() {
		name, ok := nextString(dec)
		if !ok {
			return bad("malformed header name")
		}
		c := http.CanonicalHeaderKey(name)
		if canonical[strings.ToLower(c)] {
			return nil, refuse(ReasonHeader, "header given twice")
		}
		canonical[strings.ToLower(c)] = true
		if !expectDelim(dec, '[') {
			return bad("header values are not an array")
		}
		var values []string
		for dec.More() {
			v, ok := nextString(dec)
			if !ok {
				return bad("header value is not a string")
			}
			values = append(values, v)
		}
		if !expectDelim(dec, ']') {
			return bad("unterminated header values")
		}
		out[name] = values
	}
	if !expectDelim(dec, '}') {
		return bad("unterminated headers")
	}
	return out, nil
}

func expectDelim(dec *json.Decoder, d json.Delim) bool {
	t, err := dec.Token()
	if err != nil {
		return false
	}
	got, ok := t.(json.Delim)
	return ok && got == d
}

func nextString(dec *json.Decoder) (string, bool) {
	t, err := dec.Token()
	if err != nil {
		return "", false
	}
	s, ok := t.(string)
	return s, ok
}
