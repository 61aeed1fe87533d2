package teamapi

import "time"

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
