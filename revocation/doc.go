// Package revocation is the revocation list that makes a revocation bite in
// AWS: which credentials sentinel has revoked, on which roles, until when,
// and the SentinelRevocations inline policy each role gets from it.
//
// An Entry is one record kind on the shared record lifecycle (Kind): a
// revoked session (denied by its sentinel-session-id tag), a revoked grant
// (an approval or break-glass event, denied by the basis in every
// SourceIdentity), a blocked person (denied by their label), an unblocked
// person (their credentials issued before the block stay denied, so an
// unblock never brings a thief's credentials back), and the size-limit
// fallback of one role (every session issued before a moment). Each entry
// expires with the latest credential it targets, at most 12 hours (STS's
// longest role session) after it was made, and is then pruned (Prune); a
// role's policy is deleted when no entry is left (Document.Empty).
//
// Render turns the list into one role's policy deterministically: the
// store is the source of truth, and the policy can be rendered again from
// it at any time (sync-aws) with the same bytes. IAM counts a role's
// inline policies together against 10,240 characters; when the entries do
// not fit, the role falls back to denying every session issued before now,
// which also denies innocent sessions of that role until they refresh.
//
// What it reaches: every credential sentinel issues for a role carries its
// SourceIdentity, and in server mode the sentinel-session-id tag on every
// hop. What it does not reach:
//   - profiles without a role (GetSessionToken credentials have no role to
//     put a policy on) and IAM Identity Center profiles used directly,
//     whose AWSReservedSSO_* roles cannot be edited;
//   - credentials of roles sentinel did not issue;
//   - in local mode, a person whose own keys can still assume the role can
//     mint new credentials without sentinel's SourceIdentity; only the
//     team deployment, where only the service may assume protected roles
//     (and their trust policy requires the tag), closes that.
//
// Times in the policy have whole seconds and are rounded up, so a
// credential issued in the same second just before a block or fallback is
// denied too. IAM applies a changed policy within seconds; it is
// eventually consistent.
//
// The package holds the model, its validation, its transitions and the
// renderer; the IAM writes, the lease per role and the stores live
// elsewhere. It imports the standard library, record and person only.
package revocation
