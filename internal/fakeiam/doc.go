// Package fakeiam is a stand-in for the parts of AWS IAM that sentinel
// uses, speaking the IAM query protocol on loopback so that the real SDK
// client talks to it:
//
//   - key rotation: ListAccessKeys, CreateAccessKey, DeleteAccessKey;
//   - revocation in AWS: PutRolePolicy, GetRolePolicy, DeleteRolePolicy and
//     ListRolePolicies on roles made to exist with AddRole.
//
// It shares its idea of who owns which key with the STS stand-in in
// internal/fakests: callers are authenticated through it (access key ID,
// session token, and the SigV4 signature scoped to iam whenever the STS
// stand-in knows the secret), a created key
// becomes usable with STS only after a configurable delay (IAM's eventual
// consistency), and a deleted key stops working with STS at once. As in
// AWS, session credentials may call IAM only when issued with MFA, and a
// user has at most two access keys.
//
// The inline role policy actions apply IAM's validation (name patterns,
// the document's alphabet and JSON grammar, NoSuchEntity, the 10,240
// character aggregate of a role's inline policies counted without
// whitespace -> 409 LimitExceeded) and name roles within the caller's
// account, as IAM does; users, MFA sessions and role sessions may call
// them. GetRolePolicy answers the document URL-encoded, as IAM does.
//
// Denies evaluates a role's inline Deny statements against a request
// context (session tags, SourceIdentity, token issue time) for the subset
// sentinel's revocation policies use, so tests can ask whether credentials
// the STS stand-in issued would be refused; anything outside that subset is
// an error rather than a guess.
//
// moto's server (installed on the test machines) also serves IAM, but its
// STS does not check MFA and its keys would not be known to the STS
// stand-in the rest of the tests use; this stand-in keeps one source of
// truth.
package fakeiam
