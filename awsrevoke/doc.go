// Package awsrevoke writes the revocation list to AWS: for each role it
// renders the SentinelRevocations inline policy from the store
// (revocation.Render) and puts it on the role, or deletes it once empty.
//
// IAM has no conditional write, so the writes to one role are serialised
// by the role's lease in the store (revocation.Store.TakeLease): the
// holder renders from a consistent read, writes, then reads the list
// version again, and writes again if the list changed meanwhile. Two
// service instances revoking at once therefore both end up in the policy:
// whichever writes last rendered after both entries were stored.
//
// IAM calls only work inside the caller's account, so each role is
// written through its account's revoker role (Accounts), assumed with the
// caller's base credentials; the caller's own account may go without one,
// its own credentials then make the calls.
//
// The store stays the source of truth: a failed write changes nothing in
// it, and Sync (or SyncAll, `sentinel sessions sync-aws`) renders the same
// document again later. Lower layers return typed errors (Error).
package awsrevoke
