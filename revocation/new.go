package revocation

import (
	"fmt"
	"slices"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// Params are what every new entry needs besides its target.
type Params struct {
	// Roles are the role ARNs the targeted credentials were issued for.
	Roles []string
	// Now is when the revocation is made; every targeted credential was
	// issued before it.
	Now time.Time
	// ExpiresAt is the latest expiry of any credential the entry targets,
	// at most MaxCredentialLifetime (and MaxSkew) after Now.
	ExpiresAt time.Time
	// By and ByARN are who revoked.
	By    string
	ByARN string
}

// NewSession returns an active entry revoking the server-mode session with
// the given ID: every credential tagged with it is denied.
func NewSession(sessionID string, p Params) (*Entry, error) {
	return newEntry(TargetSession, sessionID, p)
}

// NewGrant returns an active entry revoking the credentials issued under a
// grant; basis is "apr-<request ID>" for an approval or "bg-<event ID>" for
// a break-glass event.
func NewGrant(basis string, p Params) (*Entry, error) {
	return newEntry(TargetGrant, basis, p)
}

// NewBlock returns an active entry denying every credential of the person
// with the given label (person.Label). p.Now is the block's time.
func NewBlock(label string, p Params) (*Entry, error) {
	return newEntry(TargetBlock, label, p)
}

// NewUnblocked returns the entry that replaces a lifted block: it keeps
// denying the credentials the person was issued before the block, until
// the block entry would have expired, so that an unblock never brings a
// thief's credentials back. now is the unblock's time. When those
// credentials have all expired already it returns ErrNothingLeft.
func NewUnblocked(block *Entry, now time.Time, by, byARN string) (*Entry, error) {
	if block == nil || block.Target != TargetBlock {
		return nil, record.Invalidf("an unblocked entry replaces a block entry")
	}
	if !now.Before(block.ExpiresAt) {
		return nil, fmt.Errorf("unblock %s: %w", block.Value, ErrNothingLeft)
	}
	e, err := build(TargetUnblocked, block.Value, Params{
		Roles: block.Roles, Now: now, ExpiresAt: block.ExpiresAt, By: by, ByARN: byARN,
	}, func(e *Entry) { e.BlockedAt = block.CreatedAt.UTC() })
	if err != nil {
		return nil, err
	}
	return e, nil
}

// NewOlder returns the entry for the size-limit fallback of one role: it
// denies every session of the role issued before issuedBefore (pass
// Document.IssuedBefore of the fallback document), and is kept until the
// role's longest session issued before then has expired; longest is the
// role's maximum session duration (at most MaxCredentialLifetime).
func NewOlder(role string, issuedBefore time.Time, longest time.Duration) (*Entry, error) {
	if longest <= 0 || longest > MaxCredentialLifetime {
		return nil, record.Invalidf("longest session %s is not between 0 and %s", longest, MaxCredentialLifetime)
	}
	t := wholeSecond(issuedBefore)
	return build(TargetOlder, "", Params{
		Roles: []string{role}, Now: t, ExpiresAt: t.Add(longest), By: SystemActor,
	}, func(e *Entry) { e.IssuedBefore = t })
}

// newEntry builds and validates an active entry without extra fields.
func newEntry(t Target, value string, p Params) (*Entry, error) {
	return build(t, value, p, func(*Entry) {})
}

// build makes an active entry with a fresh ID, lets set fill the target's
// own fields, and validates the result.
func build(t Target, value string, p Params, set func(*Entry)) (*Entry, error) {
	id, err := record.NewID()
	if err != nil {
		return nil, fmt.Errorf("generate revocation ID: %w", err)
	}
	e := &Entry{
		ID:        id,
		Target:    t,
		Value:     value,
		Roles:     slices.Clone(p.Roles),
		CreatedAt: p.Now.UTC(),
		ExpiresAt: p.ExpiresAt.UTC(),
		By:        p.By,
		ByARN:     p.ByARN,
		Status:    StatusActive,
	}
	set(e)
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return e, nil
}
