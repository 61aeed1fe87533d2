// Package fakests is a stand-in for AWS STS that the tests and the offline
// demo of sentinel run on loopback, because no machine here reaches AWS.
//
// It speaks the real AWS query protocol (form-encoded POST, XML responses
// with the ...Result wrapper, <ErrorResponse> errors), so the real AWS SDK
// for Go v2 and the AWS CLI can talk to it unchanged through
// AWS_ENDPOINT_URL_STS or --endpoint-url. It serves AssumeRole,
// GetSessionToken and GetCallerIdentity, and rejects what real STS rejects
// (a SourceIdentity with a colon, a DurationSeconds out of range, a wrong MFA
// code, an unknown or expired key) so that tests catch what production would.
//
// Signatures are checked as STS checks them (SigV4, service sts, the date
// within 15 minutes) for users added with AddUserWithSecret and for the
// temporary credentials issued to them; the sentinel team service forwards
// signed GetCallerIdentity proofs here and relies on that. Users added with
// AddUser are identified by the access key ID in the Authorization header
// alone, and the secrets of their temporary credentials are not kept.
// Secrets are never recorded or logged.
//
// Other stand-ins authenticate their callers through it (Authenticate, the
// same checks with the signature scoped to their service), and Issued tells
// what it issued temporary credentials for (role, session tags,
// SourceIdentity, issue time), which the IAM stand-in evaluates policies
// against.
package fakests
