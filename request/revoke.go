package request

import (
	"fmt"
	"time"
)

// MaxRevokeReason caps the reason given for a revocation.
const MaxRevokeReason = 1000

// Revoke withdraws an approved request before its access window ends: from
// then on it lifts nothing. Who may revoke (the requester, or an approver
// of its profile) is the caller's decision under the current policy; this
// checks the state and the record: the request must be approved and its
// window still open at now, and reason must be 1-1000 characters of plain
// text.
func (r *Request) Revoke(user, arn, reason string, now time.Time) error {
	if err := checkName("revoked by", user, MaxName); err != nil {
		return err
	}
	if arn != "" {
		if err := checkName("revoked by ARN", arn, MaxARN); err != nil {
			return err
		}
	}
	reason, err := checkText("revoke reason", reason, 1, MaxRevokeReason)
	if err != nil {
		return err
	}
	if now.IsZero() {
		return fmt.Errorf("%w: revoke time is missing", ErrInvalid)
	}
	if r.Status != StatusApproved {
		return fmt.Errorf("%w: cannot revoke request %s: it is %s, and only an approved request can be revoked", ErrTransition, r.ID, r.Status)
	}
	if !now.Before(r.WindowEnd()) {
		return fmt.Errorf("%w: cannot revoke request %s: its window ended at %s", ErrTransition, r.ID, r.WindowEnd().UTC().Format(time.RFC3339))
	}
	now = now.UTC()
	r.Status = StatusRevoked
	r.RevokedBy, r.RevokedByARN, r.RevokeReason, r.RevokedAt = user, arn, reason, now
	r.UpdatedAt = now
	return nil
}
