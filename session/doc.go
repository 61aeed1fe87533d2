// Package session models a server-mode session: one `sentinel exec
// --server` run (or one client of the team service) that is decided again
// on every credential refresh, tracked so that someone else can stop it.
//
// The package holds the model, its validation, its state machine
// (active -> revoked | expired; nothing leaves a final state), user blocks
// (a stolen laptop: refuse every new session of a user for a while), and
// the Store interface that the backends in store/ implement. What every
// record kind shares is package record's; this package declares sessions
// to it (Kind) and keeps only their own rules: touch, revoke and blocks.
//
// A session reads as expired once its ExpiresAt has passed, even before
// anyone stores that change (EffectiveStatus), and a Touch past ExpiresAt
// is refused: only Touch moves ExpiresAt, so an expired session cannot come
// back. Revoke, by contrast, is allowed while the stored status is active
// whatever the clocks say, so that a revocation never loses to clock skew.
package session
