package broker

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/vault"
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

// FormatSourceIdentity builds "sentinel.<label>.<basis>.<request-id>", with
// label a person's label (person.Label): one value per person, with no dot
// and at most person.MaxLabel characters, so that every part is kept whole
// within STS's 64 characters and the value always parses back.
func FormatSourceIdentity(label, basis, requestID string) (string, error) {
	if !person.ValidLabel(label) {
		return "", fmt.Errorf("source identity: invalid label %q", label)
	}
	if !validBasis(basis) {
		return "", fmt.Errorf("source identity: invalid basis %q", basis)
	}
	if !isLowerHex(requestID) || len(requestID) < 8 {
		return "", fmt.Errorf("source identity: invalid request id %q", requestID)
	}
	si := sourceIdentityPrefix + "." + label + "." + basis + "." + requestID
	if len(si) > maxSourceIdentity {
		return "", fmt.Errorf("source identity: %d characters, more than STS's %d", len(si), maxSourceIdentity)
	}
	return si, nil
}

// SourceIdentity is a parsed SourceIdentity.
type SourceIdentity struct {
	// Label is the person's label (person.Label).
	Label     string
	Basis     string
	RequestID string
}

// ParseSourceIdentity splits a value made by FormatSourceIdentity: the
// prefix, the label, the basis and the request ID, separated by dots, none
// of which holds a dot.
func ParseSourceIdentity(s string) (SourceIdentity, error) {
	if len(s) < 2 || len(s) > maxSourceIdentity {
		return SourceIdentity{}, errors.New("source identity: length outside 2-64")
	}
	for i := 0; i < len(s); i++ {
		if !isSourceIdentityChar(s[i]) {
			return SourceIdentity{}, fmt.Errorf("source identity: character %q not allowed", s[i])
		}
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != sourceIdentityPrefix {
		return SourceIdentity{}, errors.New("source identity: want sentinel.<label>.<basis>.<request id>")
	}
	si := SourceIdentity{Label: parts[1], Basis: parts[2], RequestID: parts[3]}
	if !person.ValidLabel(si.Label) || !validBasis(si.Basis) || len(si.RequestID) < 8 || !isLowerHex(si.RequestID) {
		return SourceIdentity{}, errors.New("source identity: malformed")
	}
	return si, nil
}

// RoleSessionName is "sentinel-<label>": a person's label (person.Label)
// fits STS's 2-64 characters of [A-Za-z0-9_+=,.@-] whole.
func RoleSessionName(label string) string {
	return "sentinel-" + label
}

// personLabel is the label of caller under the current policy: its first
// accounts: entry is where IAM users keep their bare names. A caller ARN
// that names no person is refused, so nothing is issued under a label that
// could be anyone's.
func (b *Broker) personLabel(caller vault.Identity) (string, error) {
	k, err := person.Of(caller.ARN)
	if err != nil {
		return "", fmt.Errorf("source identity: caller %q: %w", caller.ARN, err)
	}
	return person.Label(k, b.homeAccount()), nil
}

// homeAccount is the policy's first accounts: entry, "" when it has none.
func (b *Broker) homeAccount() string {
	if b.Policy == nil || len(b.Policy.Accounts) == 0 {
		return ""
	}
	return b.Policy.Accounts[0]
}

// LabelPrefix is "sentinel.<label>.", the start of every SourceIdentity
// this broker's policy gives the person behind arn, and of no other
// person's; an IAM condition on it followed by "*" matches exactly their
// sessions.
func (b *Broker) LabelPrefix(arn string) (string, error) {
	k, err := person.Of(arn)
	if err != nil {
		return "", fmt.Errorf("label of %q: %w", arn, err)
	}
	return person.LabelPrefix(k, b.homeAccount()), nil
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
