package session

import (
	"cmp"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// The methods in this file move a session through its state machine:
//
//	active -> revoked | expired
//
// Each one either applies the whole change or returns an error and leaves
// the session untouched. Malformed input wraps ErrInvalid; a change the
// state does not allow is a *StateError. The stores apply the same rules
// in one conditional write each (see Store).

// EffectiveStatus is the status a reader should act on at now: an active
// session whose ExpiresAt has passed reads as expired even before anyone
// stores that change (Kind.Effective).
func (s *Session) EffectiveStatus(now time.Time) Status { return Kind.Effective(s, now) }

// ActiveAt reports whether the session may issue credentials at now.
func (s *Session) ActiveAt(now time.Time) bool {
	return s.EffectiveStatus(now) == StatusActive
}

// CheckTouch validates the arguments of a touch: both times set and in
// range, and the new credentials' expiry after the touch.
func CheckTouch(at, expires time.Time) error {
	return errs.Wrap(cmp.Or(
		record.Time("touch time", at),
		record.Time("credential expiry", expires),
		record.Require(expires.After(at), "credential expiry %s is not after the touch at %s",
			expires.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339)),
	))
}

// Touch records one issuance at at of credentials that expire at expires:
// one more request, LastAccessAt = at, and ExpiresAt moved to expires if
// that is later. The session must be active at at.
func (s *Session) Touch(at, expires time.Time) error {
	if err := CheckTouch(at, expires); err != nil {
		return err
	}
	if st := s.EffectiveStatus(at); st != StatusActive {
		return &StateError{ID: s.ID, Op: "touch", Status: st}
	}
	s.RequestCount++
	s.LastAccessAt = at.UTC()
	if expires.After(s.ExpiresAt) {
		s.ExpiresAt = expires.UTC()
	}
	return nil
}

// CheckRevoke validates the arguments of a revocation and returns the
// reason trimmed: by is required, byARN optional, the reason 1-1000
// characters of text, and at set.
func CheckRevoke(by, byARN, reason string, at time.Time) (string, error) {
	reason, err := record.Text("revoke reason", reason, 1, MaxReason)
	if err = cmp.Or(record.Actor("revoked by", by, byARN), err, record.Time("revoke time", at)); err != nil {
		return "", errs.Wrap(err)
	}
	return reason, nil
}

// Revoke ends an active session at once. It is allowed whenever the stored
// status is active, even past ExpiresAt: a revocation must never be refused
// because the revoker's clock runs ahead of the server's.
func (s *Session) Revoke(by, byARN, reason string, at time.Time) error {
	reason, err := CheckRevoke(by, byARN, reason, at)
	if err != nil {
		return err
	}
	if !machine.CanMove(s.Status, StatusRevoked) {
		return &StateError{ID: s.ID, Op: "revoke", Status: s.Status}
	}
	s.Status = StatusRevoked
	s.RevokedBy = by
	s.RevokedByARN = byARN
	s.RevokeReason = reason
	s.RevokedAt = at.UTC()
	return nil
}

// Expire ends an active session because its child exited (or its time ran
// out). It is allowed whenever the stored status is active.
func (s *Session) Expire(at time.Time) error {
	if err := CheckExpire(at); err != nil {
		return err
	}
	if !machine.CanMove(s.Status, StatusExpired) {
		return &StateError{ID: s.ID, Op: "expire", Status: s.Status}
	}
	s.Status = StatusExpired
	return nil
}

// CheckExpire validates the argument of an expiry: a time in range.
func CheckExpire(at time.Time) error {
	return errs.Wrap(record.Time("expiry time", at))
}
