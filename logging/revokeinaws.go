package logging

// Events of revocation in AWS (revoke_in_aws): the SentinelRevocations
// policy written on roles (Roles, and PolicySHA256 of the document
// written, not of the policy file), or a write that failed (Roles,
// Reason). A failure never undoes the revocation in the store.
const (
	EventRevokedInAWS      = "session.revoked_in_aws"
	EventRevokeInAWSFailed = "revoke_in_aws.failed"
)
