package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// kindBackend is record.Backend over one kind's table, built from the
// kind's create, get, conditional replace and query by one index. The
// generic store (record.Generic) serves Change and List on top of it.
type kindBackend[T any] struct {
	insert  func(ctx context.Context, r *T) error
	load    func(ctx context.Context, id string) (*T, error)
	replace func(ctx context.Context, old, r *T) error
	scan    func(ctx context.Context, index, value string, limit int) ([]*T, error)
	// conflict is the kind's ErrConflict, which a lost replace returns.
	conflict error
}

func (b *kindBackend[T]) Insert(ctx context.Context, r *T) error { return b.insert(ctx, r) }

func (b *kindBackend[T]) Load(ctx context.Context, id string) (*T, error) { return b.load(ctx, id) }

// Replace makes a lost race an ErrConflict error, which Change retries.
func (b *kindBackend[T]) Replace(ctx context.Context, old, r *T) error {
	err := b.replace(ctx, old, r)
	if errors.Is(err, b.conflict) && !errors.Is(err, record.ErrConflict) {
		return fmt.Errorf("%w: %w", record.ErrConflict, err)
	}
	return err
}

func (b *kindBackend[T]) Scan(ctx context.Context, ix record.Index[T], value string, limit int) ([]*T, error) {
	return b.scan(ctx, ix.Name, value, limit)
}

// requestsView is the request.Store of the requests table.
type requestsView struct {
	*record.Generic[request.Request, request.Status]
	rs *requestStore
}

func (v requestsView) IDsWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error) {
	return v.rs.IDsWithPrefix(ctx, prefix, limit)
}

func newRequestsView(s *Store) requestsView {
	rs := &requestStore{s: s}
	return requestsView{rs: rs, Generic: record.NewStore(request.Kind, &kindBackend[request.Request]{
		insert: rs.Create,
		load:   rs.Get,
		replace: func(ctx context.Context, old, r *request.Request) error {
			c := *r
			c.Version = old.Version
			return rs.Update(ctx, &c, old.Status)
		},
		scan: func(ctx context.Context, index, value string, limit int) ([]*request.Request, error) {
			q := request.Query{Limit: limit}
			switch index {
			case request.IndexRequester:
				q.Requester = value
			case request.IndexProfile:
				q.Profile = value
			default:
				q.Status = request.Status(value)
			}
			return rs.query(ctx, q)
		},
		conflict: request.ErrConflict,
	})}
}

// eventsView is the breakglass.Store of the break-glass table.
type eventsView struct {
	record.Reader[breakglass.Event, breakglass.Status]
	es *eventStore
}

func (v eventsView) Open(ctx context.Context, e *breakglass.Event, lim breakglass.Limits) error {
	return v.es.Open(ctx, e, lim)
}

func newEventsView(s *Store) eventsView {
	es := &eventStore{s: s}
	return eventsView{es: es, Reader: record.NewStore(breakglass.Kind, &kindBackend[breakglass.Event]{
		insert: func(context.Context, *breakglass.Event) error {
			return fmt.Errorf("%w: a break-glass event is only opened", breakglass.ErrInvalid)
		},
		load: es.Get,
		replace: func(ctx context.Context, old, e *breakglass.Event) error {
			c := *e
			c.Version = old.Version
			return es.Update(ctx, &c, old.Status)
		},
		scan: func(ctx context.Context, index, value string, limit int) ([]*breakglass.Event, error) {
			q := breakglass.Query{Limit: limit}
			switch index {
			case breakglass.IndexInvoker:
				q.Invoker = value
			case breakglass.IndexProfile:
				q.Profile = value
			default:
				q.Status = breakglass.Status(value)
			}
			return es.query(ctx, q)
		},
		conflict: breakglass.ErrConflict,
	})}
}

// sessionsView is the session.Store of the sessions table.
type sessionsView struct {
	*record.Generic[session.Session, session.Status]
	ss *sessionStore
}

// Create keeps the table's own create: the block check is part of its
// write.
func (v sessionsView) Create(ctx context.Context, se *session.Session) error {
	return v.ss.Create(ctx, se)
}

func (v sessionsView) Touch(ctx context.Context, id, userARN string, at, expires time.Time) error {
	return v.ss.Touch(ctx, id, userARN, at, expires)
}

func (v sessionsView) Block(ctx context.Context, b session.Block) error { return v.ss.Block(ctx, b) }

func (v sessionsView) ActiveBlock(ctx context.Context, userARN string, now time.Time) (*session.Block, bool, error) {
	return v.ss.ActiveBlock(ctx, userARN, now)
}

func (v sessionsView) Unblock(ctx context.Context, userARN, by, byARN string, at time.Time) error {
	return v.ss.Unblock(ctx, userARN, by, byARN, at)
}

func newSessionsView(s *Store) sessionsView {
	ss := &sessionStore{s: s}
	return sessionsView{ss: ss, Generic: record.NewStore(session.Kind, &kindBackend[session.Session]{
		insert:  ss.Create,
		load:    ss.Get,
		replace: ss.replace,
		scan: func(ctx context.Context, index, value string, limit int) ([]*session.Session, error) {
			q := session.Query{Limit: limit}
			switch index {
			case session.IndexUser:
				q.User = value
			case session.IndexUserARN:
				q.UserARN = value
			case session.IndexProfile:
				q.Profile = value
			default:
				q.Status = session.Status(value)
			}
			return ss.query(ctx, q)
		},
		conflict: record.ErrConflict,
	})}
}

// replace writes se in place of old if the stored session still has old's
// version and status, in one conditional PutItem; a touch bumps the
// version, so a change racing touches starts again on a fresh copy.
func (ss *sessionStore) replace(ctx context.Context, old, se *session.Session) error {
	s := ss.s
	what := "change session " + se.ID
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.client.PutItem(opCtx, &dynamodb.PutItemInput{
		TableName:                           aws.String(s.sessionsTable),
		Item:                                encodeSession(se, s.retention),
		ConditionExpression:                 aws.String(updateCondition),
		ExpressionAttributeNames:            updateNames,
		ExpressionAttributeValues:           updateValues(old.Version, string(old.Status)),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if ccf, ok := conditionFailed(err); ok {
		if len(ccf.Item) == 0 {
			return fmt.Errorf("%s: %w", what, session.ErrNotFound)
		}
		return fmt.Errorf("%s: %w", what, record.ErrConflict)
	}
	if err != nil {
		return s.describe(ctx, what, s.sessionsTable, err)
	}
	return nil
}
