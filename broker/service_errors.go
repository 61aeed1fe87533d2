package broker

import (
	"fmt"

	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
)

// notAllowedf is a refusal because of who asks that names no one record
// in a form of its own: the team service answers 403 because it matches
// ErrForbidden.
func notAllowedf(format string, args ...any) error {
	return &record.ForbiddenError{Reason: fmt.Sprintf(format, args...)}
}

// checkNotRequester refuses a review of one's own request before the
// request's own state machine would call it a bad transition: who asks,
// not the request's state, is why it is refused.
func checkNotRequester(r *request.Request, a *Actor, action request.Action) error {
	if person.Same(r.RequesterARN, a.Identity.ARN) {
		return notAllowedf("%s: %s cannot %s their own request %s", request.ErrTransition, a.Identity.Name, action, r.ID)
	}
	return nil
}
