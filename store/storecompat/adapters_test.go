package storecompat

import (
	"context"
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// The checks reach the stores only through the functions in this file, one
// per operation, so that a change of the store interfaces is adapted here
// and nowhere else. Listing takes the index by name ("requester",
// "profile", "status", ...) and one value, as every index is keyed.

// backend is one store under test, opened on old data.
type backend struct {
	requests request.Store
	events   breakglass.Store
	sessions session.Store
	team     teamAnchors
	// log is the per-machine decision-log anchor; nil where the backend
	// has none (DynamoDB).
	log logAnchors
	// lockHolder reads, beneath the store, the lock slot in which the
	// previous release kept oldHolder's break-glass lock, and returns the
	// event ID it names now ("" if the slot is empty). It pins the lock
	// layout: no refusal can, since the person's history refuses too.
	lockHolder func(ctx context.Context, oldHolder string) (string, error)
}

type teamAnchors interface {
	PutTeamAnchor(ctx context.Context, ownerARN string, h logging.Head) error
	TeamAnchor(ctx context.Context, ownerARN, log string) (logging.Head, bool, error)
}

type logAnchors interface {
	Anchor(ctx context.Context, h logging.Head) error
	LastAnchor(ctx context.Context, log string) (logging.Head, bool, error)
}

// --- requests ---

func createRequest(ctx context.Context, b *backend, r *request.Request) error {
	return b.requests.Create(ctx, r)
}

func getRequest(ctx context.Context, b *backend, id string) (*request.Request, error) {
	return b.requests.Get(ctx, id)
}

func listRequests(ctx context.Context, b *backend, index, value string) ([]*request.Request, error) {
	var q request.Query
	switch index {
	case "requester":
		q.Requester = value
	case "profile":
		q.Profile = value
	case "status":
		q.Status = request.Status(value)
	default:
		return nil, fmt.Errorf("no request index %q", index)
	}
	return b.requests.List(ctx, q)
}

// changeRequest applies fn to the stored request and writes it back
// conditionally, as one change.
func changeRequest(ctx context.Context, b *backend, id string, fn func(*request.Request) error) error {
	r, err := b.requests.Get(ctx, id)
	if err != nil {
		return err
	}
	prev := r.Status
	if err := fn(r); err != nil {
		return err
	}
	return b.requests.Update(ctx, r, prev)
}

func requestIDsWithPrefix(ctx context.Context, b *backend, prefix string, limit int) ([]string, error) {
	p, ok := b.requests.(interface {
		IDsWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error)
	})
	if !ok {
		return nil, fmt.Errorf("%T cannot list request IDs by prefix", b.requests)
	}
	return p.IDsWithPrefix(ctx, prefix, limit)
}

// --- break-glass events ---

func openEvent(ctx context.Context, b *backend, e *breakglass.Event, lim breakglass.Limits) error {
	return b.events.Open(ctx, e, lim)
}

func getEvent(ctx context.Context, b *backend, id string) (*breakglass.Event, error) {
	return b.events.Get(ctx, id)
}

func listEvents(ctx context.Context, b *backend, index, value string) ([]*breakglass.Event, error) {
	var q breakglass.Query
	switch index {
	case "invoker":
		q.Invoker = value
	case "profile":
		q.Profile = value
	case "status":
		q.Status = breakglass.Status(value)
	default:
		return nil, fmt.Errorf("no event index %q", index)
	}
	return b.events.List(ctx, q)
}

func changeEvent(ctx context.Context, b *backend, id string, fn func(*breakglass.Event) error) error {
	e, err := b.events.Get(ctx, id)
	if err != nil {
		return err
	}
	prev := e.Status
	if err := fn(e); err != nil {
		return err
	}
	return b.events.Update(ctx, e, prev)
}

// --- sessions and blocks ---

func createSession(ctx context.Context, b *backend, s *session.Session) error {
	return b.sessions.Create(ctx, s)
}

func getSession(ctx context.Context, b *backend, id string) (*session.Session, error) {
	return b.sessions.Get(ctx, id)
}

func listSessions(ctx context.Context, b *backend, index, value string) ([]*session.Session, error) {
	var q session.Query
	switch index {
	case "user":
		q.User = value
	case "user_arn":
		q.UserARN = value
	case "profile":
		q.Profile = value
	case "status":
		q.Status = session.Status(value)
	default:
		return nil, fmt.Errorf("no session index %q", index)
	}
	return b.sessions.List(ctx, q)
}

func touchSession(ctx context.Context, b *backend, id, userARN string, at, expires time.Time) error {
	return b.sessions.Touch(ctx, id, userARN, at, expires)
}

func revokeSession(ctx context.Context, b *backend, id, by, byARN, reason string, at time.Time) error {
	return b.sessions.Revoke(ctx, id, by, byARN, reason, at)
}

func expireSession(ctx context.Context, b *backend, id string, at time.Time) error {
	return b.sessions.Expire(ctx, id, at)
}

func blockUser(ctx context.Context, b *backend, bl session.Block) error {
	return b.sessions.Block(ctx, bl)
}

func activeBlock(ctx context.Context, b *backend, userARN string, at time.Time) (*session.Block, bool, error) {
	return b.sessions.ActiveBlock(ctx, userARN, at)
}

func unblockUser(ctx context.Context, b *backend, userARN, by, byARN string, at time.Time) error {
	return b.sessions.Unblock(ctx, userARN, by, byARN, at)
}
