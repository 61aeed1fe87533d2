// Package breakglass models an emergency access event: a person allowed by
// the policy's breakglass rules opens time-boxed access to a profile with a
// reason code and a written justification.
//
// The package holds the model, its validation, its state machine
// (active -> closed | expired), the cooldown and daily-limit checks, and the
// Store interface that the backends in store/ implement. What every record
// kind shares is package record's; this package declares events to it
// (Kind) and keeps only their own rules: reason codes and limits.
package breakglass
