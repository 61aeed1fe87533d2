package cli

import (
	"context"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// localOperations run the decision flow on this machine. Each call wires
// a broker of its own, so that the policy is read again for every call
// (a credential server's refreshes see an edit at once), and closes the
// decision log before it returns.
type localOperations struct {
	g *Globals
	// profile identifies the person ("" means the identity profile).
	profile string
	// inAWS makes revocations bite in AWS with the person's keys
	// (--in-aws; see revokeinaws.go).
	inAWS bool
}

// withActor wires the broker, identifies the person and runs fn.
func withActor[T any](ctx context.Context, o *localOperations, fn func(*broker.Broker, *broker.Actor) (T, error)) (T, error) {
	var zero T
	b, actor, closeBroker, err := o.g.actorBroker(ctx, o.profile)
	if err != nil {
		return zero, err
	}
	defer closeBroker()
	if o.inAWS {
		if err := o.g.wireInAWS(b, actor); err != nil {
			return zero, err
		}
	}
	return fn(b, actor)
}

// call runs a method of the broker that takes the actor and one argument.
func call[A, T any](ctx context.Context, o *localOperations, method func(*broker.Broker, context.Context, *broker.Actor, A) (T, error), arg A) (T, error) {
	return withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) (T, error) { return method(b, ctx, a, arg) })
}

func (o *localOperations) Issue(ctx context.Context, in broker.Input) (*broker.Grant, error) {
	// An issue decides for in.Profile alone, so the policy is read for it
	// alone (readPolicyFor).
	b, closeBroker, err := o.g.newBrokerFor(in.Profile)
	if err != nil {
		return nil, err
	}
	defer closeBroker()
	// Once a credential server's command runs, the terminal belongs to
	// the command: an MFA code can only come from --mfa-token (the first
	// decision runs before the command starts and may still ask).
	if in.Server != nil && in.Server.ID() != "" {
		b.PromptMFA = nil
	}
	return b.Issue(ctx, in)
}

// EndServerSession marks the credential server's session expired once its
// command has exited.
func (o *localOperations) EndServerSession(ctx context.Context, s *broker.ServerSession) error {
	b, closeBroker, err := o.g.newBroker()
	if err != nil {
		return err
	}
	defer closeBroker()
	return b.EndServerSession(ctx, s)
}

func (o *localOperations) Whoami(ctx context.Context) (vault.Identity, error) {
	b, err := o.g.identityBroker()
	if err != nil {
		return vault.Identity{}, err
	}
	a, err := b.Identify(ctx, o.g.identityProfile(o.profile))
	if err != nil {
		return vault.Identity{}, err
	}
	return a.Identity, nil
}

func (o *localOperations) CreateRequest(ctx context.Context, in broker.RequestInput) (*request.Request, error) {
	return call(ctx, o, (*broker.Broker).CreateRequest, in)
}

func (o *localOperations) ListRequests(ctx context.Context, q request.Query) ([]*request.Request, error) {
	return call(ctx, o, (*broker.Broker).ListRequests, q)
}

func (o *localOperations) GetRequest(ctx context.Context, id string) (*request.Request, error) {
	return call(ctx, o, (*broker.Broker).GetRequest, id)
}

func (o *localOperations) Review(ctx context.Context, id string, action request.Action, comment string) (*request.Request, error) {
	return withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) (*request.Request, error) {
		return b.Review(ctx, a, id, action, comment)
	})
}

func (o *localOperations) CancelRequest(ctx context.Context, id string) (*request.Request, error) {
	return call(ctx, o, (*broker.Broker).CancelRequest, id)
}

func (o *localOperations) RevokeRequest(ctx context.Context, id, reason string) (*request.Request, error) {
	return withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) (*request.Request, error) {
		return b.RevokeRequest(ctx, a, id, reason)
	})
}

func (o *localOperations) OpenBreakglass(ctx context.Context, in broker.BreakglassInput) (*breakglass.Event, error) {
	return call(ctx, o, (*broker.Broker).OpenBreakglass, in)
}

func (o *localOperations) ListBreakglass(ctx context.Context, q breakglass.Query) ([]*breakglass.Event, error) {
	return call(ctx, o, (*broker.Broker).ListBreakglass, q)
}

func (o *localOperations) GetBreakglass(ctx context.Context, id string) (*breakglass.Event, error) {
	return call(ctx, o, (*broker.Broker).GetBreakglass, id)
}

func (o *localOperations) CloseBreakglass(ctx context.Context, id, reason string) (*breakglass.Event, error) {
	return withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) (*breakglass.Event, error) {
		return b.CloseBreakglass(ctx, a, id, reason)
	})
}

func (o *localOperations) ListSessions(ctx context.Context, q session.Query) ([]*session.Session, error) {
	return call(ctx, o, (*broker.Broker).ListSessions, q)
}

func (o *localOperations) GetSession(ctx context.Context, id string) (*session.Session, error) {
	return call(ctx, o, (*broker.Broker).GetSession, id)
}

func (o *localOperations) RevokeSession(ctx context.Context, id, reason string) (*session.Session, error) {
	return withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) (*session.Session, error) {
		return b.RevokeSession(ctx, a, id, reason)
	})
}

func (o *localOperations) Policy() (*policy.Policy, error) {
	cfg, err := o.g.Config()
	if err != nil {
		return nil, err
	}
	return readPolicy(cfg.PolicyPath(o.g.PolicyFile))
}

func (o *localOperations) ResolveRequestID(ctx context.Context, prefix string) (string, error) {
	return call(ctx, o, (*broker.Broker).ResolveRequestID, prefix)
}

func (o *localOperations) ListReviewable(ctx context.Context) ([]*request.Request, error) {
	return withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) ([]*request.Request, error) { return b.ListReviewable(ctx, a) })
}

func (o *localOperations) BlockUser(ctx context.Context, userARN, reason string, forDuration time.Duration) (*broker.UserRevocation, error) {
	return withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) (*broker.UserRevocation, error) {
		return b.RevokeUser(ctx, a, userARN, reason, forDuration)
	})
}

func (o *localOperations) UnblockUser(ctx context.Context, userARN string) error {
	_, err := withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) (struct{}, error) {
		return struct{}{}, b.UnblockUser(ctx, a, userARN)
	})
	return err
}

// RequesterDecision is the policy's decision now for the requester of r on
// its profile, from the local broker: require_approval (usable) when any
// mode gives them that, else the deciding decision.
func (o *localOperations) RequesterDecision(_ context.Context, r *request.Request) (policy.Decision, bool, error) {
	b, closeBroker, err := o.g.newBroker()
	if err != nil {
		return policy.Decision{}, false, err
	}
	defer closeBroker()
	d, _, usable := b.RequesterDecision(vault.Identity{Name: r.Requester, ARN: r.RequesterARN}, r.Profile, time.Now())
	return d, usable, nil
}
