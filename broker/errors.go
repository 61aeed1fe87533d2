package broker

import (
	"context"
	"errors"
	"fmt"

	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/vault"
)

// ErrDenied is matched (errors.Is) by every denial of credentials.
var ErrDenied = errors.New("access denied")

// DeniedError says why credentials were refused, and which ways on the
// policy still offers this person; the cli words the advice.
type DeniedError struct {
	Profile string
	User    string
	Effect  policy.Effect
	Reason  string
	// Route is what the person could do next under the current policy.
	Route DenialRoute
	// Pending is the person's own request for the profile that is still
	// waiting for approval (RouteRequest only; nil when there is none or
	// the store could not tell).
	Pending *PendingRequest
}

// DenialRoute is the way past a denial that the policy offers.
type DenialRoute int

// The ways past a denial.
const (
	// RouteNone: the policy offers nothing.
	RouteNone DenialRoute = iota
	// RouteServer: the profile is served only by `exec --server`.
	RouteServer
	// RouteRequest: an approval rule covers the profile.
	RouteRequest
	// RouteNoApprover: approval is required but no approval rule covers
	// the profile, so nobody can give it.
	RouteNoApprover
	// RouteBreakglass: the person may break the glass on the profile.
	RouteBreakglass
)

func (e *DeniedError) Error() string {
	return fmt.Sprintf("access to profile %s denied for %s: %s (policy: %s)", e.Profile, e.User, e.Reason, e.Effect)
}

// Is makes errors.Is(err, ErrDenied) true.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// deniedError builds the denial for a decision that no override lifted,
// naming what the policy offers this person instead.
func (b *Broker) deniedError(ctx context.Context, sign Signer, profile string, caller vault.Identity, dec policy.Decision) error {
	e := &DeniedError{Profile: profile, User: caller.Name, Effect: dec.Effect, Reason: dec.Reason}
	switch dec.Effect {
	case policy.EffectRequireServer:
		e.Route = RouteServer
	case policy.EffectRequireApproval:
		e.Route = RouteNoApprover
		if rule, ok := b.Policy.ApprovalRuleFor(profile); ok {
			e.Route = RouteRequest
			e.Pending = b.pendingForDenial(ctx, sign, caller, profile, rule)
		}
	default:
		if _, ok := b.Policy.BreakglassRuleFor(profile, caller.Name, caller.ARN); ok {
			e.Route = RouteBreakglass
		}
	}
	return e
}

// ConflictError says that a record changed while it was being written
// (another reviewer, a cancellation), so the change was not applied.
type ConflictError struct {
	// Kind is "request" or "break-glass event".
	Kind string
	ID   string
	Err  error
}

func (e *ConflictError) Error() string { return fmt.Sprintf("%s %s: %v", e.Kind, e.ID, e.Err) }
func (e *ConflictError) Unwrap() error { return e.Err }

// lookupError words a store error about one record: a
// *record.NotFoundError says plainly that no record of the kind has the ID
// given (the stores' own messages repeat the ID, so theirs is not passed
// on), and matches notFound, the kind's own error.
func lookupError(what, id string, notFound, err error) error {
	if errors.Is(err, notFound) || errors.Is(err, record.ErrNotFound) {
		return &record.NotFoundError{Kind: what, ID: id, Err: notFound}
	}
	return fmt.Errorf("%s %s: %w", what, id, err)
}
