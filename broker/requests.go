package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/vault"
)

var errNoStore = errors.New("no approval store is configured")

// autoApprover is the actor recorded when the policy's auto_approve block
// grants a request.
const autoApprover = "sentinel:auto-approve"

// RequestInput asks for access to a profile.
type RequestInput struct {
	Profile       string
	Justification string
	// Duration is the access window asked for; 0 means one hour, or the
	// approval rule's max_duration when that is shorter.
	Duration time.Duration
	// Force files the request even when the requester already has a
	// pending one for the profile (see DuplicateRequestError).
	Force bool
}

// CreateRequest records a request for access by the actor. When the
// policy's auto_approve block covers it, the request is approved at once.
func (b *Broker) CreateRequest(ctx context.Context, a *Actor, in RequestInput) (*request.Request, error) {
	now := b.now()
	// A request that no approval could make usable only costs approvers'
	// time, or tempts one into approving what the policy denies.
	if err := b.checkApprovable(a.Identity, in.Profile, "", now); err != nil {
		return nil, err
	}
	rule, ok := b.Policy.ApprovalRuleFor(in.Profile)
	if !ok {
		return nil, notAllowedf("no approval rule in the policy covers profile %s, so nobody could approve the request", in.Profile)
	}
	d := in.Duration
	if d == 0 {
		d = min(time.Hour, rule.MaxDuration)
	}
	id, err := request.NewID()
	if err != nil {
		return nil, err
	}
	r, err := request.New(request.NewParams{
		ID: id, Requester: a.Identity.Name, RequesterARN: a.Identity.ARN, Profile: in.Profile,
		Justification: in.Justification, Duration: d, MaxDuration: rule.MaxDuration,
		PendingTTL: rule.RequestTTL, Required: rule.Required, Now: now,
		RoleARN: b.boundRole(in.Profile),
	})
	if err != nil {
		return nil, err
	}
	auto := rule.AutoApproves(a.Identity.Name, a.Identity.ARN, now, d)
	if auto {
		if err := r.AutoApprove(now); err != nil {
			return nil, err
		}
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	// A duplicate costs approvers' time; one the policy approves at once
	// costs nobody's.
	if !auto {
		pending, err := b.pendingOf(ctx, stores.Requests(), a.Identity, r.Profile)
		if err != nil {
			return nil, fmt.Errorf("look for a pending request: %w", err)
		}
		// --force files another one, but not without bound: approvers'
		// lists and notifications are not a place to flood.
		if len(pending) > 0 && (!in.Force || len(pending) >= MaxPendingPerProfile) {
			return nil, &DuplicateRequestError{Existing: pending[0]}
		}
	}
	if err := stores.Requests().Create(ctx, r); err != nil {
		return nil, fmt.Errorf("store request: %w", err)
	}
	created := b.requestEntry(logging.EventRequestCreated, a, r)
	created.Justification = r.Justification
	if err := b.Log.Append(&created); err != nil {
		return r, fmt.Errorf("request %s stored, but the log could not be written: %w", r.ID, err)
	}
	if auto {
		approved := b.requestEntry(logging.EventRequestApproved, a, r)
		approved.Actor, approved.ActorARN = autoApprover, ""
		approved.Comment = "auto-approved by rule " + rule.Name
		if err := b.Log.Append(&approved); err != nil {
			return r, fmt.Errorf("request %s auto-approved, but the log could not be written: %w", r.ID, err)
		}
	}
	b.sendNotification(ctx, a, requestNotification(logging.EventRequestCreated, a, r, ""))
	if auto {
		b.sendNotification(ctx, NewActor(vault.Identity{Name: autoApprover}), requestNotification(logging.EventRequestApproved, a, r, "auto-approved by rule "+rule.Name))
	}
	return r, nil
}

// Review approves or denies a request as the actor, who must be named as
// an approver of the request's profile and must not be its requester.
func (b *Broker) Review(ctx context.Context, a *Actor, id string, action request.Action, comment string) (*request.Request, error) {
	// A blocked approver reviews nothing (issue 14: a block wins).
	if err := b.refuseIfBlocked(ctx, a, string(action)+" request "+id); err != nil {
		return nil, err
	}
	now := b.now()
	r, err := b.changeRequest(ctx, a, id, now, func(r *request.Request) error {
		rule, ok := b.Policy.ApprovalRuleFor(r.Profile)
		if !ok {
			return notAllowedf("no approval rule in the policy covers profile %s, so nobody can review request %s", r.Profile, id)
		}
		if !rule.IsApprover(a.Identity.Name, a.Identity.ARN) {
			return notAllowedf("%s is not an approver for profile %s (rule %s)", a.Identity.Name, r.Profile, rule.Name)
		}
		if err := checkNotRequester(r, a, action); err != nil {
			return err
		}
		if action == request.ActionApprove {
			// An approval that could not be used is refused, so that the
			// approver is never under the impression of having granted
			// what the policy denies.
			return b.checkApprovable(vault.Identity{Name: r.Requester, ARN: r.RequesterARN}, r.Profile, r.ID, now)
		}
		return nil
	}, func(r *request.Request) error {
		if action == request.ActionApprove {
			return r.Approve(a.Identity.Name, a.Identity.ARN, comment, now)
		}
		return r.Deny(a.Identity.Name, a.Identity.ARN, comment, now)
	})
	if err != nil {
		return nil, err
	}
	event := logging.EventRequestApproved
	if action == request.ActionDeny {
		event = logging.EventRequestDenied
	}
	e := b.requestEntry(event, a, r)
	e.Comment = comment
	err = b.appendLifecycle(&e, r.ID)
	b.sendNotification(ctx, a, requestNotification(event, a, r, comment))
	return r, err
}

// MaxPendingPerProfile is how many pending requests one person may have
// for one profile, --force included.
const MaxPendingPerProfile = 3

// CancelRequest withdraws a pending request; only its requester may.
func (b *Broker) CancelRequest(ctx context.Context, a *Actor, id string) (*request.Request, error) {
	now := b.now()
	mine := func(r *request.Request) error {
		if !person.Same(a.Identity.ARN, r.RequesterARN) {
			return forbidden(a.Identity, "cancel request "+r.ID, "its requester "+r.Requester)
		}
		return nil
	}
	r, err := b.changeRequest(ctx, a, id, now, mine, func(r *request.Request) error {
		return r.Cancel(a.Identity.Name, a.Identity.ARN, now)
	})
	if err != nil {
		return nil, err
	}
	e := b.requestEntry(logging.EventRequestCancelled, a, r)
	err = b.appendLifecycle(&e, r.ID)
	b.sendNotification(ctx, a, requestNotification(logging.EventRequestCancelled, a, r, ""))
	return r, err
}

// changeRequest applies change to request id in one conditional write
// (request.Store.Change, which retries a lost race on a fresh copy),
// after checking it with allowed (which may be nil). A pending request
// whose time ran out gets its expiry recorded instead, and that is
// reported as the reason the change cannot go ahead.
func (b *Broker) changeRequest(ctx context.Context, a *Actor, id string, now time.Time, allowed, change func(*request.Request) error) (*request.Request, error) {
	if err := checkRequestID(id); err != nil {
		return nil, err
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	var lapsed *request.Request
	var refused error
	r, err := stores.Requests().Change(ctx, id, func(r *request.Request) error {
		lapsed, refused = nil, nil
		if allowed != nil {
			refused = allowed(r)
		}
		switch {
		case refused != nil:
		case r.Status == request.StatusPending && r.EffectiveStatus(now) == request.StatusExpired:
			lapsed = r
			return r.Expire(now)
		default:
			refused = change(r)
		}
		return refused
	})
	switch {
	case lapsed != nil:
		return nil, b.requestLapsed(a, lapsed, r, err)
	case refused != nil:
		return nil, refused
	case errors.Is(err, request.ErrNotFound):
		return nil, lookupError("request", id, request.ErrNotFound, err)
	case err != nil:
		return nil, conflictHint(err, id)
	}
	return r, nil
}

// requestLapsed logs the expiry a change recorded (stored, nil when the
// write failed) and reports it as the reason the change cannot go ahead.
func (b *Broker) requestLapsed(a *Actor, r, stored *request.Request, err error) error {
	if err == nil {
		e := b.requestEntry(logging.EventRequestExpired, a, stored)
		_ = b.Log.Append(&e) // the expiry is reported below either way
	}
	return fmt.Errorf("%w: request %s expired at %s: ask again with `sentinel request %s`",
		request.ErrTransition, r.ID, r.ExpiresAt.UTC().Format(time.RFC3339), r.Profile)
}

// GetRequest returns one request.
func (b *Broker) GetRequest(ctx context.Context, a *Actor, id string) (*request.Request, error) {
	return getRecord(ctx, b, a, "request", id, checkRequestID, request.ErrNotFound,
		func(s Stores) func(context.Context, string) (*request.Request, error) { return s.Requests().Get })
}

// ListRequests lists requests, newest first, each with its status as of
// now (see listEffective). With no requester, profile or status given, it
// lists the actor's own: those of the same person (person.Same), not those
// of whoever else carries the same name.
func (b *Broker) ListRequests(ctx context.Context, a *Actor, q request.Query) ([]*request.Request, error) {
	mine := q.Requester == "" && q.Profile == "" && q.Status == ""
	everyStatus := mine && !foundByName(a.Identity.ARN)
	if mine && !everyStatus {
		q.Requester = a.Identity.Name
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	var every []request.Status
	if everyStatus {
		every = request.Kind.Machine.Statuses()
	}
	out, err := listRecords(ctx, stores.Requests(), request.Kind, q.Record(b.now()), every)
	if err != nil || !mine {
		return out, err
	}
	return slices.DeleteFunc(out, func(r *request.Request) bool { return !person.Same(r.RequesterARN, a.Identity.ARN) }), nil
}

func (b *Broker) requestEntry(event string, a *Actor, r *request.Request) logging.Entry {
	e := logging.Entry{
		Time:            b.now(),
		Event:           event,
		Actor:           a.Identity.Name,
		ActorARN:        a.Identity.ARN,
		Subject:         r.ID,
		Profile:         r.Profile,
		Status:          string(r.Status),
		DurationSeconds: int64(r.Duration.Seconds()),
		PolicyPath:      b.Policy.Path,
		PolicySHA256:    b.Policy.SHA256,
	}
	if r.Status == request.StatusApproved {
		end := r.WindowEnd().UTC()
		e.ExpiresAt = &end
	}
	return e
}

func (b *Broker) appendLifecycle(e *logging.Entry, id string) error {
	if err := b.Log.Append(e); err != nil {
		return fmt.Errorf("%s done, but the log could not be written: %w", id, err)
	}
	return nil
}

// checkRequestID refuses, before any store call, an ID that no request
// can have, so that a typo gets a plain answer and a long or empty argument
// never reaches the store or the error message whole.
func checkRequestID(id string) error {
	if request.ValidID(id) {
		return nil
	}
	return fmt.Errorf("%w: %s is not a request ID (16 hex digits, as `sentinel request` prints)", request.ErrNotFound, quoteID(id))
}

// quoteID quotes an ID given on the command line for an error message,
// cut short when it is long.
func quoteID(id string) string {
	const keep = 40
	if len(id) > keep {
		return fmt.Sprintf("%q...", id[:keep])
	}
	return fmt.Sprintf("%q", id)
}

// conflictHint explains a lost conditional write.
func conflictHint(err error, id string) error {
	if errors.Is(err, request.ErrConflict) {
		return &ConflictError{Kind: "request", ID: id, Err: err}
	}
	return lookupError("request", id, request.ErrNotFound, err)
}
