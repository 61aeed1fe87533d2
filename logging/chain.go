package logging

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// ZeroHash is the prev_hash of the first entry of a chain.
const ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// hashPrefix starts the suffix that carries a line's hash; the suffix is
// hashPrefix, 64 lower-case hex digits, and hashSuffixEnd.
const (
	hashPrefix    = `,"hash":"`
	hashSuffixEnd = `"}`
	hashSuffixLen = len(hashPrefix) + sha256.Size*2 + len(hashSuffixEnd)
)

// errNoHash means a line does not end in the hash suffix.
var errNoHash = errors.New(`does not end in a "hash" field of 64 lower-case hex digits`)

// seal turns the JSON object body (which has no "hash" member) into a
// complete log line: body with `,"hash":"<hex>"}` in place of its final
// "}", plus "\n". It returns the line and the hash.
func seal(body []byte) ([]byte, string) {
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:])
	line := make([]byte, 0, len(body)-1+hashSuffixLen+1)
	line = append(line, body[:len(body)-1]...)
	line = append(line, hashPrefix...)
	line = append(line, h...)
	line = append(line, hashSuffixEnd...)
	line = append(line, '\n')
	return line, h
}

// unseal splits a line (without its "\n") into the body that was hashed
// and the hash the line claims. It checks the shape only, not the hash.
func unseal(line []byte) (body []byte, claimed string, err error) {
	return unsealInto(nil, line)
}

// unsealInto is unseal writing the body into dst's storage (Verify reuses
// one buffer for every line, so that a long log costs no garbage per line).
func unsealInto(dst, line []byte) (body []byte, claimed string, err error) {
	n := len(line)
	if n < hashSuffixLen+2 || line[0] != '{' {
		return nil, "", errNoHash
	}
	suffix := line[n-hashSuffixLen:]
	if !bytes.HasPrefix(suffix, []byte(hashPrefix)) || !bytes.HasSuffix(suffix, []byte(hashSuffixEnd)) {
		return nil, "", errNoHash
	}
	claimed = string(suffix[len(hashPrefix) : len(hashPrefix)+sha256.Size*2])
	if !isLowerHex(claimed) {
		return nil, "", errNoHash
	}
	body = append(dst[:0], line[:n-hashSuffixLen]...)
	body = append(body, '}')
	return body, claimed, nil
}

// hashIs reports whether the hex SHA-256 of b is claimed, without
// allocating.
func hashIs(b []byte, claimed string) bool {
	sum := sha256.Sum256(b)
	var h [sha256.Size * 2]byte
	hex.Encode(h[:], sum[:])
	return string(h[:]) == claimed
}

// hashOf is the hex SHA-256 of b.
func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// link is what chaining needs from a line: its position, the hashes and,
// for a rotation entry, the file it continues.
type link struct {
	Seq          *int64  `json:"seq"`
	PrevHash     *string `json:"prev_hash"`
	Event        string  `json:"event"`
	PreviousFile *string `json:"previous_file"`
}

// parseLink decodes seq and prev_hash from a hashed body.
func parseLink(body []byte) (seq int64, prev string, err error) {
	l, err := parseLinkInfo(body)
	if err != nil {
		return 0, "", err
	}
	return *l.Seq, *l.PrevHash, nil
}

// parseLinkInfo decodes what chaining needs from a hashed body; Seq and
// PrevHash are set when err is nil.
func parseLinkInfo(body []byte) (link, error) {
	var l link
	if err := json.Unmarshal(body, &l); err != nil {
		return l, fmt.Errorf("not a valid JSON object: %w", err)
	}
	if l.Seq == nil {
		return l, errors.New(`no "seq" field`)
	}
	if l.PrevHash == nil {
		return l, errors.New(`no "prev_hash" field`)
	}
	return l, nil
}
