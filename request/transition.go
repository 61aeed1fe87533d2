package request

import (
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/record"
)

// The methods in this file move a request through its state machine:
//
//	pending -> approved | denied | cancelled | expired
//	approved -> revoked (before its window ends)
//
// Each one either applies the whole change or returns an error and leaves
// the request untouched. Malformed input (an empty user name, an over-long
// comment) wraps ErrInvalid; a change the state or the actor does not allow
// wraps ErrTransition; both match record's values too. Persisting the
// change is the caller's job, through Store.Change.

// Approve records user's approval. The request must be pending and not past
// ExpiresAt; the requester may never approve their own request, and each
// approver counts once. When the distinct approvals reach Required the
// request becomes approved and its access window starts at now.
func (r *Request) Approve(user, arn, comment string, now time.Time) error {
	review, err := r.review(ActionApprove, StatusApproved, user, arn, comment, now)
	if err != nil {
		return err
	}
	r.Reviews = append(r.Reviews, review)
	r.UpdatedAt = review.At
	if r.approvals() >= r.Required {
		r.Status = StatusApproved
		r.DecidedAt = review.At
	}
	return nil
}

// Deny records user's denial, which ends the request at once. The same rules
// as Approve apply: pending, not expired, not the requester, one review per
// reviewer.
func (r *Request) Deny(user, arn, comment string, now time.Time) error {
	review, err := r.review(ActionDeny, StatusDenied, user, arn, comment, now)
	if err != nil {
		return err
	}
	r.Reviews = append(r.Reviews, review)
	r.UpdatedAt = review.At
	r.Status = StatusDenied
	r.DecidedAt = review.At
	return nil
}

// Cancel withdraws a pending request. Only the requester may cancel: the
// same person (person.Same) as the recorded requester ARN.
func (r *Request) Cancel(user, arn string, now time.Time) error {
	if err := r.checkOpen(now, "cancel", StatusCancelled); err != nil {
		return err
	}
	if !person.Same(arn, r.RequesterARN) {
		return errs.Wrap(fmt.Errorf("%w: only the requester %s may cancel request %s", record.ErrTransition, r.Requester, r.ID))
	}
	now = now.UTC()
	r.Status = StatusCancelled
	r.DecidedAt = now
	r.UpdatedAt = now
	return nil
}

// Expire marks a pending request whose ExpiresAt has passed as expired. It
// is an error to expire a request that is not pending or not yet due.
func (r *Request) Expire(now time.Time) error {
	if err := machine.Guard(Kind.Name, r.ID, "expire", r.Status, StatusExpired); err != nil {
		return errs.Wrap(err)
	}
	if now.Before(r.ExpiresAt) {
		return errs.Wrap(fmt.Errorf("%w: cannot expire request %s before %s", record.ErrTransition, r.ID, r.ExpiresAt.Format(time.RFC3339)))
	}
	r.Status = StatusExpired
	// The request left pending when its time ran out, not when someone
	// noticed.
	r.DecidedAt = r.ExpiresAt
	r.UpdatedAt = now.UTC()
	return nil
}

// AutoApprove approves a pending request without a reviewer, because the
// policy's auto_approve block allowed it. The access window starts at now.
func (r *Request) AutoApprove(now time.Time) error {
	if err := r.checkOpen(now, "auto-approve", StatusApproved); err != nil {
		return err
	}
	now = now.UTC()
	r.Status = StatusApproved
	r.AutoApproved = true
	r.DecidedAt = now
	r.UpdatedAt = now
	return nil
}

// review checks a reviewer's action, which may move the request to to,
// against every rule and returns the Review to append.
func (r *Request) review(action Action, to Status, user, arn, comment string, now time.Time) (Review, error) {
	rv, err := r.checkReview(action, to, user, arn, comment, now)
	return rv, errs.Wrap(err)
}

func (r *Request) checkReview(action Action, to Status, user, arn, comment string, now time.Time) (Review, error) {
	// The ARN is who the reviewer is (person.Same); a review without one
	// is never the requester's nor a repeat, and no approval counts with it
	// when the broker re-checks the request at use.
	if err := record.Actor("reviewer", user, arn); err != nil {
		return Review{}, err
	}
	comment, err := record.Text("comment", comment, 0, MaxComment)
	if err != nil {
		return Review{}, err
	}
	if err := r.checkOpen(now, string(action), to); err != nil {
		return Review{}, err
	}
	if r.isRequester(user, arn) {
		return Review{}, fmt.Errorf("%w: %s cannot %s their own request %s", record.ErrTransition, user, action, r.ID)
	}
	for _, prev := range r.Reviews {
		if person.Same(prev.ARN, arn) {
			return Review{}, fmt.Errorf("%w: %s has already reviewed request %s", record.ErrTransition, user, r.ID)
		}
	}
	return Review{User: user, ARN: arn, Action: action, Comment: comment, At: now.UTC()}, nil
}

// checkOpen returns an error unless the machine lets the request move to
// to (it is pending) and its pending time has not run out at now.
func (r *Request) checkOpen(now time.Time, verb string, to Status) error {
	if err := machine.Guard(Kind.Name, r.ID, verb, r.Status, to); err != nil {
		return errs.Wrap(err)
	}
	if !now.Before(r.ExpiresAt) {
		return errs.Wrap(fmt.Errorf("%w: cannot %s request %s: it expired at %s", record.ErrTransition, verb, r.ID, r.ExpiresAt.Format(time.RFC3339)))
	}
	return nil
}

// isRequester reports whether the actor is the requester: the same person
// (person.Same), never a matter of the name, which a role session's caller
// chooses.
func (r *Request) isRequester(_, arn string) bool {
	return person.Same(r.RequesterARN, arn)
}

// approvals counts the approving reviews; review already keeps each
// person to one review, so this is the number of distinct approvers.
func (r *Request) approvals() int {
	n := 0
	for _, rv := range r.Reviews {
		if rv.Action == ActionApprove {
			n++
		}
	}
	return n
}
