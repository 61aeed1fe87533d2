package request

import (
	"cmp"
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/record"
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
	reason, err := record.Text("revoke reason", reason, 1, MaxRevokeReason)
	if err = cmp.Or(record.Actor("revoked by", user, arn), err, record.Require(!now.IsZero(), "revoke time is missing")); err != nil {
		return errs.Wrap(err)
	}
	if err := machine.Guard(Kind.Name, r.ID, "revoke", r.Status, StatusRevoked); err != nil {
		return errs.Wrap(fmt.Errorf("%w, and only an approved request can be revoked", err))
	}
	if !now.Before(r.WindowEnd()) {
		return errs.Wrap(fmt.Errorf("%w: cannot revoke request %s: its window ended at %s", record.ErrTransition, r.ID, r.WindowEnd().UTC().Format(time.RFC3339)))
	}
	now = now.UTC()
	r.Status = StatusRevoked
	r.RevokedBy, r.RevokedByARN, r.RevokeReason, r.RevokedAt = user, arn, reason, now
	r.UpdatedAt = now
	return nil
}
