package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
)

// BreakglassInput opens emergency access to a profile.
type BreakglassInput struct {
	Profile       string
	ReasonCode    string
	Justification string
	// Duration is how long access lasts; 0 means one hour, or the rule's
	// max_duration when that is shorter.
	Duration time.Duration
}

// OpenBreakglass opens a break-glass event for the actor, checked against
// the policy's break-glass rules, the cooldown and the daily limit. The
// store enforces atomically that one person (breakglass.Event.PersonKey)
// has at most one active event per profile's role, and keeps the cooldown
// and daily limit per person.
func (b *Broker) OpenBreakglass(ctx context.Context, a *Actor, in BreakglassInput) (*breakglass.Event, error) {
	now := b.now()
	rule, ok := b.Policy.BreakglassRuleFor(in.Profile, a.Identity.Name, a.Identity.ARN)
	if !ok {
		return nil, notAllowedf("no break-glass rule in the policy lets %s break the glass on profile %s", a.Identity.Name, in.Profile)
	}
	if !rule.AllowsReason(in.ReasonCode) {
		return nil, notAllowedf("reason code %q is not allowed by break-glass rule %s (allowed: %v)", in.ReasonCode, rule.Name, rule.ReasonCodes)
	}
	d := in.Duration
	if d == 0 {
		d = min(time.Hour, rule.MaxDuration)
	}
	id, err := breakglass.NewID()
	if err != nil {
		return nil, err
	}
	e, err := breakglass.New(breakglass.NewParams{
		ID: id, Invoker: a.Identity.Name, InvokerARN: a.Identity.ARN, Profile: in.Profile,
		ReasonCode: breakglass.ReasonCode(in.ReasonCode), Justification: in.Justification,
		Duration: d, MaxDuration: rule.MaxDuration, Now: now,
		RoleARN: b.boundRole(in.Profile),
	})
	if err != nil {
		return nil, err
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	st := stores.Breakglass()
	if err := st.Open(ctx, e, breakglass.Limits{Cooldown: rule.Cooldown, MaxPerDay: rule.MaxPerDay}); err != nil {
		return nil, fmt.Errorf("open break-glass on %s: %w", in.Profile, err)
	}
	entry := b.breakglassEntry(logging.EventBreakglassOpened, a, e)
	entry.Justification = e.Justification
	err = b.appendLifecycle(&entry, e.ID)
	b.sendNotification(ctx, a, breakglassNotification(logging.EventBreakglassOpened, a, e, ""))
	return e, err
}

// CloseBreakglass ends an active event early; its invoker or an approver of
// its profile may.
func (b *Broker) CloseBreakglass(ctx context.Context, a *Actor, id, reason string) (*breakglass.Event, error) {
	if err := checkBreakglassID(id); err != nil {
		return nil, err
	}
	now := b.now()
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	st := stores.Breakglass()
	e, err := st.Get(ctx, id)
	if err != nil {
		return nil, lookupError("break-glass event", id, breakglass.ErrNotFound, err)
	}
	invoker := person.Same(e.InvokerARN, a.Identity.ARN)
	approver := false
	if rule, ok := b.Policy.ApprovalRuleFor(e.Profile); ok {
		approver = rule.IsApprover(a.Identity.Name, a.Identity.ARN)
	}
	if !invoker && !approver {
		return nil, notAllowedf("%s may not close break-glass %s: only its invoker or an approver of profile %s may", a.Identity.Name, id, e.Profile)
	}
	if !invoker {
		// A blocked approver closes nobody else's break-glass.
		if err := b.refuseBlockedActor(ctx, stores.Sessions(), a, "close break-glass "+id); err != nil {
			return nil, err
		}
	}
	// The event is closed by one conditional write (Change), which also
	// releases its lock; an event whose time ran out gets its expiry
	// recorded instead, and that is the reason it cannot be closed.
	var lapsed *breakglass.Event
	e, err = st.Change(ctx, id, func(e *breakglass.Event) error {
		lapsed = nil
		if e.Status == breakglass.StatusActive && e.EffectiveStatus(now) == breakglass.StatusExpired {
			lapsed = e
			return e.Expire(now)
		}
		return e.Close(a.Identity.Name, reason, now)
	})
	if lapsed != nil {
		return nil, b.eventLapsed(a, lapsed, e, err)
	}
	if err != nil {
		if errors.Is(err, breakglass.ErrConflict) {
			return nil, &ConflictError{Kind: "break-glass event", ID: id, Err: err}
		}
		if errors.Is(err, breakglass.ErrNotFound) {
			return nil, lookupError("break-glass event", id, breakglass.ErrNotFound, err)
		}
		return nil, err
	}
	entry := b.breakglassEntry(logging.EventBreakglassClosed, a, e)
	entry.Comment = reason
	err = b.appendLifecycle(&entry, e.ID)
	b.sendNotification(ctx, a, breakglassNotification(logging.EventBreakglassClosed, a, e, reason))
	aws := b.revokeInAWS(ctx, a, stores, "break-glass "+e.ID+" is closed", b.grantInAWS(ctx, BreakglassBasis(e.ID), e.Profile, e.RoleARN, a))
	return e, errors.Join(err, aws)
}

// eventLapsed logs the expiry a close recorded instead (stored, nil when
// that write failed) and reports it as the reason the event cannot be
// closed.
func (b *Broker) eventLapsed(a *Actor, e, stored *breakglass.Event, err error) error {
	if err == nil {
		entry := b.breakglassEntry(logging.EventBreakglassExpired, a, stored)
		_ = b.Log.Append(&entry) // the expiry is reported below either way
	}
	return fmt.Errorf("%w: cannot close break-glass event %s: it expired at %s",
		breakglass.ErrTransition, e.ID, e.ExpiresAt.UTC().Format(time.RFC3339))
}

// GetBreakglass returns one event.
func (b *Broker) GetBreakglass(ctx context.Context, a *Actor, id string) (*breakglass.Event, error) {
	return getRecord(ctx, b, a, "break-glass event", id, checkBreakglassID, breakglass.ErrNotFound,
		func(s Stores) func(context.Context, string) (*breakglass.Event, error) { return s.Breakglass().Get })
}

// ListBreakglass lists events, newest first, each with its status as of
// now (see listEffective). With no invoker, profile or status given, it lists
// the actor's own: the same person's (person.Same), not a namesake's.
func (b *Broker) ListBreakglass(ctx context.Context, a *Actor, q breakglass.Query) ([]*breakglass.Event, error) {
	mine := q.Invoker == "" && q.Profile == "" && q.Status == ""
	everyStatus := mine && !foundByName(a.Identity.ARN)
	if mine && !everyStatus {
		q.Invoker = a.Identity.Name
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	var every []breakglass.Status
	if everyStatus {
		every = []breakglass.Status{breakglass.StatusActive, breakglass.StatusClosed, breakglass.StatusExpired}
	}
	out, err := listRecords(ctx, stores.Breakglass(), breakglass.Kind, q.Record(b.now()), every)
	if err != nil || !mine {
		return out, err
	}
	return slices.DeleteFunc(out, func(e *breakglass.Event) bool { return !person.Same(e.InvokerARN, a.Identity.ARN) }), nil
}

// checkBreakglassID refuses, before any store call, an ID that no event
// can have.
func checkBreakglassID(id string) error {
	if breakglass.ValidID(id) {
		return nil
	}
	return fmt.Errorf("%w: %s is not a break-glass ID (16 hex digits, as `sentinel breakglass` prints)", breakglass.ErrNotFound, quoteID(id))
}

func (b *Broker) breakglassEntry(event string, a *Actor, e *breakglass.Event) logging.Entry {
	end := e.ExpiresAt.UTC()
	return logging.Entry{
		Time:            b.now(),
		Event:           event,
		Actor:           a.Identity.Name,
		ActorARN:        a.Identity.ARN,
		Subject:         e.ID,
		Profile:         e.Profile,
		ReasonCode:      string(e.ReasonCode),
		Status:          string(e.Status),
		DurationSeconds: int64(e.Duration.Seconds()),
		ExpiresAt:       &end,
		PolicyPath:      b.Policy.Path,
		PolicySHA256:    b.Policy.SHA256,
	}
}
