package teamapi

import (
	"strings"
	"time"
)

// CodeRevokeInAWSFailed says the revocation holds in the service's store
// but writing the SentinelRevocations policy to AWS failed: run
// `sentinel sessions sync-aws` (POST /v1/admin/sync-aws).
const CodeRevokeInAWSFailed = "RevokeInAWSFailed"

// SyncAWSResult is one role of the answer to POST /v1/admin/sync-aws.
type SyncAWSResult struct {
	Role         string     `json:"role"`
	PolicySHA256 string     `json:"policy_sha256,omitempty"`
	Deleted      bool       `json:"deleted,omitempty"`
	NoRole       bool       `json:"no_role,omitempty"`
	Fallback     bool       `json:"fallback,omitempty"`
	IssuedBefore *time.Time `json:"issued_before,omitempty"`
	Error        string     `json:"error,omitempty"`
}

// SyncAWSDocument answers POST /v1/admin/sync-aws.
type SyncAWSDocument struct {
	Roles []SyncAWSResult `json:"roles"`
}

// AWSDenyView is one revocation entry naming a session, in the answer to
// GET /v1/sessions/{id}: since when the AWS deny is in the revocation
// list (it is written to IAM at once, which applies it within seconds),
// on which roles, and until when it is kept.
type AWSDenyView struct {
	Since  time.Time `json:"since"`
	Roles  []string  `json:"roles"`
	Until  time.Time `json:"until"`
	Status string    `json:"status"`
}

// FallbackHeader is the answer header that carries, once per role, a
// revocation-in-AWS fallback of the call: the role's list did not fit its
// inline policy budget, so every session of the role issued before the
// time is denied. Its value is FormatFallback's.
const FallbackHeader = "Sentinel-Revoke-Fallback"

// FormatFallback is the header value of one fallback: the role ARN, a
// space, the time in RFC 3339.
func FormatFallback(role string, issuedBefore time.Time) string {
	return role + " " + issuedBefore.UTC().Format(time.RFC3339)
}

// ParseFallback reads a FormatFallback value; ok is false for anything
// else.
func ParseFallback(v string) (role string, issuedBefore time.Time, ok bool) {
	role, at, found := strings.Cut(v, " ")
	if !found || !strings.HasPrefix(role, "arn:") || len(role) > 2048 {
		return "", time.Time{}, false
	}
	// The role reaches a terminal: printable ASCII only, no escape
	// sequence a look-alike service could slip in.
	for i := 0; i < len(role); i++ {
		if role[i] < 0x21 || role[i] > 0x7e {
			return "", time.Time{}, false
		}
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return "", time.Time{}, false
	}
	return role, t, true
}
