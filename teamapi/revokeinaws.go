package teamapi

// CodeRevokeInAWSFailed says the revocation holds in the service's store
// but writing the SentinelRevocations policy to AWS failed: run
// `sentinel sessions sync-aws` (POST /v1/admin/sync-aws).
const CodeRevokeInAWSFailed = "RevokeInAWSFailed"
