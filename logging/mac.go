package logging

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// macPrefix starts the member that carries a line's HMAC in keyed mode; it
// is the last member of the hashed body, just before the hash:
//
//	B'  = the entry's JSON object (no "mac", no "hash")
//	mac = hex(HMAC-SHA256(key, B'))
//	B   = B' without its final "}", plus `,"mac":"<mac>"}`
//	line = seal(B)
//
// B' holds prev_hash, the hash of the previous line including its mac, so
// the macs are chained: whoever cannot read the key cannot rebuild them.
const (
	macPrefix    = `,"mac":"`
	macSuffixEnd = `"}`
	macSuffixLen = len(macPrefix) + sha256.Size*2 + len(macSuffixEnd)
)

// errNoMAC means a line of a keyed log carries no "mac" member.
var errNoMAC = errors.New(`no "mac" field (written without the key, or the mac was removed)`)

// errBadMAC means the mac does not match the entry under the key.
var errBadMAC = errors.New("mac mismatch (entry modified or rewritten by someone without the key)")

// macOf is the hex HMAC-SHA256 of b under key.
func macOf(key, b []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))
}

// addMAC returns body (a JSON object) with the mac member appended.
func addMAC(key, body []byte) []byte {
	mac := macOf(key, body)
	out := make([]byte, 0, len(body)-1+macSuffixLen)
	out = append(out, body[:len(body)-1]...)
	out = append(out, macPrefix...)
	out = append(out, mac...)
	out = append(out, macSuffixEnd...)
	return out
}

// checkMAC checks the mac at the end of a hashed body under key.
func checkMAC(key, body []byte) error {
	n := len(body)
	if n < macSuffixLen+1 {
		return errNoMAC
	}
	suffix := body[n-macSuffixLen:]
	if !bytes.HasPrefix(suffix, []byte(macPrefix)) || !bytes.HasSuffix(suffix, []byte(macSuffixEnd)) {
		return errNoMAC
	}
	claimed := suffix[len(macPrefix) : len(macPrefix)+sha256.Size*2]
	inner := make([]byte, 0, n-macSuffixLen+1)
	inner = append(inner, body[:n-macSuffixLen]...)
	inner = append(inner, '}')
	want := macOf(key, inner)
	if !hmac.Equal(claimed, []byte(want)) {
		return errBadMAC
	}
	return nil
}
