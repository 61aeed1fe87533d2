package revocation

import (
	"errors"
	"strings"
	"time"
)

// Target says what an entry revokes, and so what its Value holds.
type Target string

// The targets of an entry.
const (
	// TargetSession revokes one server-mode session: Value is its ID, and
	// every credential tagged sentinel-session-id=<ID> is denied.
	TargetSession Target = "session"
	// TargetGrant revokes the credentials issued under one approval or
	// break-glass event: Value is the SourceIdentity basis, "apr-<ID>" or
	// "bg-<ID>".
	TargetGrant Target = "grant"
	// TargetBlock denies every credential of one blocked person: Value is
	// the person's label (person.Label).
	TargetBlock Target = "block"
	// TargetUnblocked keeps denying, after an unblock, the credentials a
	// person was issued before the block: Value is the label and
	// BlockedAt the block's time. An unblock must never bring a thief's
	// credentials back.
	TargetUnblocked Target = "unblocked"
	// TargetOlder is the size-limit fallback for one role: every session
	// of the role issued before IssuedBefore is denied. Value is empty and
	// Roles holds that one role.
	TargetOlder Target = "older"
)

// Status is where an entry stands.
type Status string

// The statuses of an entry. Active can move to pruned or, for a block, to
// lifted; both are final.
const (
	// StatusActive entries are rendered into the policies of their roles
	// until their ExpiresAt.
	StatusActive Status = "active"
	// StatusPruned entries are those whose targeted credentials have all
	// expired; an active entry reads as pruned once its ExpiresAt passes.
	StatusPruned Status = "pruned"
	// StatusLifted is a block entry removed by an unblock; an unblocked
	// entry takes over what still needs denying.
	StatusLifted Status = "lifted"
)

// Limits on an entry.
const (
	// MaxCredentialLifetime is STS's longest role session: every
	// credential an entry targets was issued before the entry was created
	// (or, for an unblocked entry, before the block), so none outlives
	// this after it.
	MaxCredentialLifetime = 12 * time.Hour
	// MaxSkew is the clock difference tolerated between the instance that
	// issued a credential and the one that records its revocation.
	MaxSkew = 5 * time.Minute
	// MaxRoles caps the roles one entry names: the pinned role and its via
	// roles, never a whole organisation.
	MaxRoles = 64
	// MaxARN is the longest role ARN accepted.
	MaxARN = 2048
	// SystemActor is By of the entries sentinel stores on its own (the
	// size-limit fallback).
	SystemActor = "sentinel"
)

// Errors, checked with errors.Is. Validation failures match
// record.ErrInvalid and transitions record.ErrTransition.
var (
	// ErrNothingLeft means every credential an entry would target has
	// expired already: there is nothing to store.
	ErrNothingLeft = errors.New("every targeted credential has expired")
	// ErrTooLarge means not even the fallback document fits the budget
	// left by the role's other inline policies.
	ErrTooLarge = errors.New("revocation policy does not fit the role's inline policy limit")
)

// Entry is one revocation: which credentials to deny, on which roles, and
// until when.
type Entry struct {
	ID     string `json:"id"`
	Target Target `json:"target"`
	// Value is the session ID, grant basis or label (see Target); empty
	// for an older entry.
	Value string `json:"value,omitempty"`
	// Roles are the role ARNs the targeted credentials were issued for:
	// the pinned role and the via roles credentials were handed out for.
	Roles []string `json:"roles"`
	// BlockedAt is the block's time, on an unblocked entry only.
	BlockedAt time.Time `json:"blocked_at,omitzero"`
	// IssuedBefore is the fallback's time, on an older entry only.
	IssuedBefore time.Time `json:"issued_before,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	// ExpiresAt is the latest expiry of any credential the entry targets:
	// after it the entry is pruned.
	ExpiresAt time.Time `json:"expires_at"`
	By        string    `json:"by"`
	ByARN     string    `json:"by_arn,omitempty"`
	Status    Status    `json:"status"`
	// EndedAt is when the entry was pruned or lifted; LiftedBy and
	// LiftedByARN say who lifted a block.
	EndedAt     time.Time `json:"ended_at,omitzero"`
	LiftedBy    string    `json:"lifted_by,omitempty"`
	LiftedByARN string    `json:"lifted_by_arn,omitempty"`
	Version     int64     `json:"version"`
}

// ActiveAt reports whether the entry is to be rendered at now: stored as
// active and not yet expired.
func (e *Entry) ActiveAt(now time.Time) bool {
	return e.Status == StatusActive && now.Before(e.ExpiresAt)
}

// Names reports whether role is one of the entry's roles. Role ARNs are
// compared ignoring case, as IAM names are unique regardless of case.
func (e *Entry) Names(role string) bool {
	for _, r := range e.Roles {
		if strings.EqualFold(r, role) {
			return true
		}
	}
	return false
}

// reach is the moment before which every credential the entry targets was
// issued: the block's time for an unblocked entry, the fallback's time for
// an older one, else when the entry was made.
func (e *Entry) reach() time.Time {
	switch e.Target {
	case TargetUnblocked:
		return e.BlockedAt
	case TargetOlder:
		return e.IssuedBefore
	}
	return e.CreatedAt
}
