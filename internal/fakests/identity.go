package fakests

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"time"
)

// principal is who an access key belongs to: a long-lived IAM user, or
// temporary credentials issued by GetSessionToken or AssumeRole.
type principal struct {
	arn     string
	userID  string
	account string
	// baseUser is the long-lived access key ID the credentials descend
	// from; MFA devices are registered against it.
	baseUser string
	// checkSig says that requests signed with these credentials must carry
	// a valid SigV4 signature: the user was added with its secret, and
	// temporary credentials descending from it inherit the check.
	checkSig bool
	// secret is the secret access key, kept only when checkSig is set.
	secret string

	// The fields below are set for temporary credentials only.
	temporary    bool
	sessionToken string
	expiration   time.Time
	mfa          bool   // issued after an MFA check
	roleARN      string // the role of an assumed-role session
	sourceID     string // the SourceIdentity, which role chaining keeps
	federated    bool   // a GetFederationToken session
	tags         []tag  // the session tags of an AssumeRole, as passed
	issuedAt     time.Time
}

// issued is a fresh set of temporary credentials as sent to the client. The
// secret is kept (in the principal) only when their signatures are checked.
type issued struct {
	accessKeyID  string
	secret       string
	sessionToken string
	expiration   time.Time
}

// idEncoding spells IDs with the upper-case letters and digits AWS uses.
var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// derivedID returns prefix followed by 17 characters derived from name, the
// shape of an AWS unique ID (AIDA... for users, AROA... for roles). It is
// derived rather than random so that a role keeps its ID across sessions,
// as in AWS.
func derivedID(prefix, name string) string {
	sum := sha256.Sum256([]byte(name))
	return prefix + idEncoding.EncodeToString(sum[:])[:17]
}

// cryptoRandBytes fills b from crypto/rand.
func cryptoRandBytes(b []byte) error {
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("read random bytes: %w", err)
	}
	return nil
}

// newCredentials generates temporary credentials valid until expiration:
// an ASIA... access key ID, a 40-character secret and a session token.
func (s *Server) newCredentials(expiration time.Time) (issued, error) {
	keyBytes := make([]byte, 10) // 16 base32 characters
	secretBytes := make([]byte, 30)
	tokenBytes := make([]byte, 96)
	for _, b := range [][]byte{keyBytes, secretBytes, tokenBytes} {
		if err := s.randBytes(b); err != nil {
			return issued{}, fmt.Errorf("generate credentials: %w", err)
		}
	}
	return issued{
		accessKeyID:  "ASIA" + idEncoding.EncodeToString(keyBytes),
		secret:       base64.StdEncoding.EncodeToString(secretBytes),
		sessionToken: base64.StdEncoding.EncodeToString(tokenBytes),
		expiration:   expiration,
	}, nil
}

// newRequestID returns a random request ID in the UUID layout AWS uses.
func (s *Server) newRequestID() (string, error) {
	b := make([]byte, 16)
	if err := s.randBytes(b); err != nil {
		return "", fmt.Errorf("generate request ID: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
