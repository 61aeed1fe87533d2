package cli

import (
	"context"
	"errors"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/request"
)

// errNoReviewable is the answer of a team service that cannot yet say
// which requests the caller may approve (the policy lives there).
var errNoReviewable = errors.New("--reviewable is not offered by the team service yet: list pending requests with `sentinel requests --status pending`")

// ResolveRequestID resolves an ID prefix in the local broker.
func (o *localOperations) ResolveRequestID(ctx context.Context, prefix string) (string, error) {
	return withActor(o, func(b *broker.Broker, a *broker.Actor) (string, error) { return b.ResolveRequestID(ctx, a, prefix) })
}

// ListReviewable lists what the person may approve, from the local broker.
func (o *localOperations) ListReviewable(ctx context.Context) ([]*request.Request, error) {
	return withActor(o, func(b *broker.Broker, a *broker.Actor) ([]*request.Request, error) { return b.ListReviewable(ctx, a) })
}

// resolveRequestID turns an ID or an unambiguous prefix of at least
// broker.MinIDPrefix digits into a full request ID: in the broker where it
// runs here, else by the same rule on the requests the team service lets
// the person list (their own and the pending ones).
func resolveRequestID(ctx context.Context, ops Operations, arg string) (string, error) {
	if request.ValidID(arg) {
		return arg, nil
	}
	if r, ok := ops.(interface {
		ResolveRequestID(context.Context, string) (string, error)
	}); ok {
		return r.ResolveRequestID(ctx, arg)
	}
	if _, err := broker.MatchRequestID(arg, nil); errors.Is(err, request.ErrNotFound) && !isNotFoundError(err) {
		return "", err // not a prefix at all: no listing needed to say so
	}
	own, err := ops.ListRequests(ctx, request.Query{})
	if err != nil {
		return "", err
	}
	pending, err := ops.ListRequests(ctx, request.Query{Status: request.StatusPending})
	if err != nil {
		return "", err
	}
	return broker.MatchRequestID(arg, append(own, pending...))
}

func isNotFoundError(err error) bool {
	var nf *broker.NotFoundError
	return errors.As(err, &nf)
}

// listReviewable lists the pending requests the person may approve.
func listReviewable(ctx context.Context, ops Operations) ([]*request.Request, error) {
	if r, ok := ops.(interface {
		ListReviewable(context.Context) ([]*request.Request, error)
	}); ok {
		return r.ListReviewable(ctx)
	}
	return nil, errNoReviewable
}
