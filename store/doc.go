// Package store is the home of the backends that keep requests and
// break-glass events: store/local (an embedded bbolt file, for one machine)
// and store/dynamodb (a shared table, for a team). Both implement
// request.Store and breakglass.Store, and both pass the contract suite in
// store/storetest, which pins down the behaviour the interfaces leave open:
//
//   - Values round-trip exactly: every field comes back equal, times in UTC
//     to the nanosecond (a zero time stays zero), durations exact.
//   - Create and Open refuse an existing ID with ErrConflict.
//   - Get and Update of a missing ID return ErrNotFound.
//   - Update writes only if the stored copy has the caller's Version and the
//     given prevStatus; on success the stored Version is the old one plus
//     one and the caller's copy is bumped to match. A lost race returns
//     ErrConflict, leaves the stored copy alone and leaves the caller's
//     Version as it was. Stores check no domain rule beyond that: the
//     state machines live in the request and breakglass packages.
//   - List needs at least one of its keys (an error otherwise), applies every
//     key that is set, returns newest first (CreatedAt or OpenedAt, then ID),
//     and applies Limit after filtering. Status means the stored status, not
//     the effective one.
//   - breakglass.Store.Open keeps at most one active event per invoker and
//     profile (exact, case-sensitive names). An existing event blocks a new
//     one while it is stored as active and its ExpiresAt is after the new
//     event's OpenedAt; the new event's OpenedAt is the reference time, so
//     the check uses the caller's clock. The loser gets ErrActiveExists, even
//     under a race. An Update that moves an event out of active releases the
//     lock in the same atomic write, but only if the lock is that event's
//     (an expired event must not free a newer event's lock).
//   - session.Store: Create validates (session.Session.Validate) and takes
//     only active sessions; every read validates what it decodes and
//     refuses a damaged record rather than act on it. Touch, Revoke and
//     Expire are each one conditional write; every successful one bumps
//     Version by one. Touch adds exactly one to RequestCount (32 concurrent
//     touches count 32), sets LastAccessAt, moves ExpiresAt only later, and
//     is refused with a *session.StateError unless the stored status is
//     active and at is before ExpiresAt. Revoke needs only the stored
//     status active; a revoke racing touches ends revoked, and every touch
//     either counted before it or got ErrRevoked. List keys: User (exact),
//     UserARN (ignoring case), Profile, Status. Blocks are keyed by the
//     folded user ARN; a damaged block is an error, never "no block".
//     Retention: the local file prunes nothing; DynamoDB sets ttl to
//     ExpiresAt + AuditRetention.
//
// This package itself holds no code.
package store
