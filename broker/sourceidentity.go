package broker

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// STS accepts a SourceIdentity of 2-64 characters from [A-Za-z0-9_+=,.@-].
const maxSourceIdentity = 64

const sourceIdentityPrefix = "sentinel"

// Bases of a SourceIdentity: why the credentials were issued.
const (
	BasisDirect          = "direct"
	basisApprovalPrefix  = "apr-"
	basisBreakglassPrefx = "bg-"
)

// requestIDBytes gives 12 hex characters: enough to be unique in a log,
// short enough to leave room for the user name within STS's 64 characters.
const requestIDBytes = 6

// ApprovalBasis is the SourceIdentity basis for credentials granted by an
// approved request.
func ApprovalBasis(id string) string { return basisApprovalPrefix + id }

// BreakglassBasis is the SourceIdentity basis for credentials granted by a
// break-glass event.
func BreakglassBasis(id string) string { return basisBreakglassPrefx + id }

// NewRequestID returns a random request ID of lowercase hex. A failure of
// the random source is an error, never a fixed value.
func NewRequestID(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, requestIDBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("generate request id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// isSourceIdentityChar reports whether STS accepts c in a SourceIdentity (and
// in a role session name).
func isSourceIdentityChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("_+=,.@-", c) >= 0
}

// sanitize replaces every character STS would reject with '-'.
func sanitize(s string) string {
	b := []byte(s)
	for i := range b {
		if !isSourceIdentityChar(b[i]) {
			b[i] = '-'
		}
	}
	return string(b)
}

// FormatSourceIdentity builds "sentinel.<user>.<basis>.<request-id>". Only
// the user part is ever shortened to fit STS's 64 characters; the prefix,
// basis and request ID are kept whole, so the value always parses back.
func FormatSourceIdentity(user, basis, requestID string) (string, error) {
	if !validBasis(basis) {
		return "", fmt.Errorf("source identity: invalid basis %q", basis)
	}
	if !isLowerHex(requestID) || len(requestID) < 8 {
		return "", fmt.Errorf("source identity: invalid request id %q", requestID)
	}
	fixed := len(sourceIdentityPrefix) + 1 + 1 + len(basis) + 1 + len(requestID)
	room := maxSourceIdentity - fixed
	if room < 1 {
		return "", fmt.Errorf("source identity: basis and request id leave no room for the user")
	}
	u := sanitize(user)
	if u == "" {
		u = "-"
	}
	if len(u) > room {
		u = u[:room]
	}
	return sourceIdentityPrefix + "." + u + "." + basis + "." + requestID, nil
}

// SourceIdentity is a parsed SourceIdentity.
type SourceIdentity struct {
	User      string
	Basis     string
	RequestID string
}

// ParseSourceIdentity splits a value made by FormatSourceIdentity: the
// prefix, then the last two dot-separated fields are the basis and request
// ID, and everything between is the user (which may contain dots).
func ParseSourceIdentity(s string) (SourceIdentity, error) {
	if len(s) < 2 || len(s) > maxSourceIdentity {
		return SourceIdentity{}, errors.New("source identity: length outside 2-64")
	}
	for i := 0; i < len(s); i++ {
		if !isSourceIdentityChar(s[i]) {
			return SourceIdentity{}, fmt.Errorf("source identity: character %q not allowed", s[i])
		}
	}
	rest, ok := strings.CutPrefix(s, sourceIdentityPrefix+".")
	if !ok {
		return SourceIdentity{}, errors.New("source identity: missing sentinel prefix")
	}
	last := strings.LastIndexByte(rest, '.')
	if last < 0 {
		return SourceIdentity{}, errors.New("source identity: missing request id")
	}
	reqID := rest[last+1:]
	rest = rest[:last]
	mid := strings.LastIndexByte(rest, '.')
	if mid < 0 {
		return SourceIdentity{}, errors.New("source identity: missing basis")
	}
	si := SourceIdentity{User: rest[:mid], Basis: rest[mid+1:], RequestID: reqID}
	if si.User == "" || !validBasis(si.Basis) || len(si.RequestID) < 8 || !isLowerHex(si.RequestID) {
		return SourceIdentity{}, errors.New("source identity: malformed")
	}
	return si, nil
}

// RoleSessionName is "sentinel-<user>", sanitised to what STS accepts
// (2-64 characters of [A-Za-z0-9_+=,.@-]).
func RoleSessionName(user string) string {
	name := "sentinel-" + sanitize(user)
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

func validBasis(b string) bool {
	if b == BasisDirect {
		return true
	}
	for _, p := range []string{basisApprovalPrefix, basisBreakglassPrefx} {
		if id, ok := strings.CutPrefix(b, p); ok {
			return id != "" && isLowerHex(id)
		}
	}
	return false
}

func isLowerHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
