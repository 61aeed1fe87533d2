package storecompat

import (
	"context"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/record"
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

func getRequest(ctx context.Context, b *backend, id string) (*request.Request, error) {
	return b.requests.Get(ctx, id)
}

func listRequests(ctx context.Context, b *backend, index, value string) ([]*request.Request, error) {
	// Where on the index itself, so that "status" means the stored status
	// as the previous release's listings did.
	return b.requests.List(ctx, record.Query[request.Status]{Where: []record.Match{{Index: index, Value: value}}})
}

// changeRequest applies fn to the stored request and writes it back
// conditionally, as one change.
func changeRequest(ctx context.Context, b *backend, id string, fn func(*request.Request) error) error {
	_, err := b.requests.Change(ctx, id, fn)
	return err
}

func requestIDsWithPrefix(ctx context.Context, b *backend, prefix string, limit int) ([]string, error) {
	return b.requests.IDsWithPrefix(ctx, prefix, limit)
}

// --- break-glass events ---

func openEvent(ctx context.Context, b *backend, e *breakglass.Event, lim breakglass.Limits) error {
	return b.events.Open(ctx, e, lim)
}

func getEvent(ctx context.Context, b *backend, id string) (*breakglass.Event, error) {
	return b.events.Get(ctx, id)
}

func listEvents(ctx context.Context, b *backend, index, value string) ([]*breakglass.Event, error) {
	// Where on the index itself, so that "status" means the stored status
	// as the previous release's listings did.
	return b.events.List(ctx, record.Query[breakglass.Status]{Where: []record.Match{{Index: index, Value: value}}})
}

func changeEvent(ctx context.Context, b *backend, id string, fn func(*breakglass.Event) error) error {
	_, err := b.events.Change(ctx, id, fn)
	return err
}

// --- sessions and blocks ---

func createSession(ctx context.Context, b *backend, s *session.Session) error {
	return b.sessions.Create(ctx, s)
}

func getSession(ctx context.Context, b *backend, id string) (*session.Session, error) {
	return b.sessions.Get(ctx, id)
}

func listSessions(ctx context.Context, b *backend, index, value string) ([]*session.Session, error) {
	// Where on the index itself, so that "status" means the stored status
	// as the previous release's listings did.
	return b.sessions.List(ctx, record.Query[session.Status]{Where: []record.Match{{Index: index, Value: value}}})
}

func touchSession(ctx context.Context, b *backend, id, userARN string, at, expires time.Time) error {
	return b.sessions.Touch(ctx, id, userARN, at, expires)
}

func revokeSession(ctx context.Context, b *backend, id, by, byARN, reason string, at time.Time) error {
	_, err := b.sessions.Change(ctx, id, func(s *session.Session) error { return s.Revoke(by, byARN, reason, at) })
	return err
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
