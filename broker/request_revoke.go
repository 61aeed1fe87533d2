package broker

import (
	"context"
	"errors"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/request"
)

// RevokeRequest withdraws an approved request before its window ends, for
// reason: from then on it lifts nothing (only an approved request inside
// its window is an override, see findOverride). Its requester may, and so
// may an approver of its profile under the current policy who is not
// blocked; anyone else gets a *record.ForbiddenError. A request that is not
// approved, or whose window has ended, gives an error matching
// request.ErrTransition (409 Conflict in the team service).
func (b *Broker) RevokeRequest(ctx context.Context, a *Actor, id, reason string) (*request.Request, error) {
	now := b.now()
	// Whether a is blocked is read before the request is, with the stores
	// opened on their own: the local store is one locked file.
	blocked := b.refuseIfBlocked(ctx, a, "revoke request "+id)
	if blocked != nil && !errors.Is(blocked, ErrForbidden) {
		return nil, blocked
	}
	allowed := func(r *request.Request) error {
		if person.Same(a.Identity.ARN, r.RequesterARN) {
			return nil
		}
		rule, ok := b.Policy.ApprovalRuleFor(r.Profile)
		if !ok || !rule.IsApprover(a.Identity.Name, a.Identity.ARN) {
			return forbidden(a.Identity, "revoke request "+r.ID, "its requester or an approver of profile "+r.Profile)
		}
		// An approver acting on someone else's request must not be
		// blocked.
		return blocked
	}
	r, err := b.changeRequest(ctx, a, id, now, allowed, func(r *request.Request) error {
		return r.Revoke(a.Identity.Name, a.Identity.ARN, reason, now)
	})
	if err != nil {
		return nil, err
	}
	e := b.requestEntry(logging.EventRequestRevoked, a, r)
	e.Reason = r.RevokeReason
	err = b.appendLifecycle(&e, r.ID)
	if b.InAWS == nil {
		return r, err
	}
	stores, serr := b.openStores(ctx, a)
	if serr != nil {
		return r, errors.Join(err, &InAWSError{Holds: "request " + r.ID + " is revoked", Err: serr})
	}
	defer stores.Close()
	aws := b.revokeInAWS(ctx, a, stores, "request "+r.ID+" is revoked", b.grantInAWS(ctx, ApprovalBasis(r.ID), r.Profile, r.RoleARN, a))
	return r, errors.Join(err, aws)
}
