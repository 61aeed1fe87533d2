package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
)

// eventsOnBackend is breakglass.Store on the break-glass table: the
// generic store over the one backend, whose writes a break-glass event
// extends with its lock and its invoker's quota.
type eventsOnBackend struct {
	record.Reader[breakglass.Event, breakglass.Status]
	b *backend[breakglass.Event, breakglass.Status]
}

// newBreakglassStore declares break-glass events to the backend: their
// table, the GSI of each index, their codec, and the two writes that do
// more than a PutItem. Open is the only way in (the store offers
// record.Reader, not Create); should anything insert an event bare, it
// still takes its lock, so an active event never exists without one. An
// event that leaves active releases its lock in the same write.
func newBreakglassStore(s *Store) *eventsOnBackend {
	es := &eventsOnBackend{}
	es.b = &backend[breakglass.Event, breakglass.Status]{
		s: s, kind: breakglass.Kind, table: s.breakglassTable, codec: eventCodec,
		gsi: map[string]index{
			breakglass.IndexInvoker: eventsByInvoker,
			breakglass.IndexProfile: eventsByProfile,
			record.StatusIndex:      eventsByStatus,
		},
		insert: func(ctx context.Context, e *breakglass.Event, put *types.Put) error {
			return es.open(ctx, e, put, breakglass.Limits{})
		},
		replace: func(ctx context.Context, old, e *breakglass.Event, put *types.Put) error {
			if old.Status == breakglass.StatusActive && e.Status != breakglass.StatusActive {
				return es.replaceReleasingLock(ctx, put, e)
			}
			return s.putItem(ctx, put)
		},
	}
	es.Reader = record.NewStore(breakglass.Kind, es.b)
	return es
}

// Open stores e as a new active event under lim (see breakglass.Store).
func (es *eventsOnBackend) Open(ctx context.Context, e *breakglass.Event, lim breakglass.Limits) error {
	k := breakglass.Kind
	if e == nil {
		return es.b.fail("open "+k.Name, record.Invalidf("no event given"))
	}
	if err := k.Validate(e); err != nil {
		return k.Errors.Wrap(err)
	}
	if !record.ValidID(e.ID) {
		return es.b.fail("open "+k.Name, record.Invalidf("%q is not a record ID", e.ID))
	}
	n := k.Normalize(e)
	return es.open(ctx, n, es.b.insertPut(n), lim)
}

// open stores e (put), takes the lock of its person and LimitKey and
// rewrites its person's quota, in one transaction. The limits are checked
// against the quota as read; the quota write is conditioned on its
// version, so a concurrent open by the same person makes the transaction
// fail, and open reads the quota again and re-checks. The lock is free if
// no item holds it or if the event holding it expired at or before
// e.OpenedAt.
func (es *eventsOnBackend) open(ctx context.Context, e *breakglass.Event, put *types.Put, lim breakglass.Limits) error {
	s := es.b.s
	what := "open break-glass event " + e.ID
	if e.Status != breakglass.StatusActive {
		return es.b.fail(what, record.Invalidf("a new event must be active, not %q", e.Status))
	}
	lock := es.lockItem(e)
	openedAt := item{}
	openedAt.setInt(":opened", e.OpenedAt.UnixNano())
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	for attempt := 0; attempt < quotaAttempts; attempt++ {
		q, err := es.readQuota(opCtx, e)
		if err != nil {
			return s.describe(ctx, what, s.breakglassTable, err)
		}
		if err := breakglass.CheckLimits(q.history(), e.PersonKey(), e.LimitKey(), e.OpenedAt, lim); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		q.record(e)
		q.prune(e.OpenedAt)
		quotaPut, err := q.put(s.breakglassTable, s.retention)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		err = retryTransactionConflicts(opCtx, func() error {
			_, err := s.client.TransactWriteItems(opCtx, &dynamodb.TransactWriteItemsInput{
				TransactItems: []types.TransactWriteItem{
					{Put: &types.Put{
						TableName:                           aws.String(s.breakglassTable),
						Item:                                lock,
						ConditionExpression:                 aws.String("attribute_not_exists(#id) OR #exp <= :opened"),
						ExpressionAttributeNames:            map[string]string{"#id": attrID, "#exp": attrLockExpiresAtNS},
						ExpressionAttributeValues:           openedAt,
						ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
					}},
					{Put: put},
					{Put: quotaPut},
				},
			})
			return err
		})
		if reasons, ok := cancellationReasons(err); ok {
			switch {
			case reasonIs(reasons, 1, "ConditionalCheckFailed"):
				return es.b.fail(what, fmt.Errorf("%w: the ID exists", record.ErrConflict))
			case reasonIs(reasons, 0, "ConditionalCheckFailed"):
				return fmt.Errorf("%s: %w", what, lockHeld(reasons[0].Item))
			case reasonIs(reasons, 2, "ConditionalCheckFailed"):
				if err := quotaBackoff(opCtx, attempt); err != nil {
					return s.describe(ctx, what, s.breakglassTable, err)
				}
				continue
			}
		}
		if err != nil {
			return s.describe(ctx, what, s.breakglassTable, err)
		}
		return nil
	}
	return es.b.fail(what, fmt.Errorf("%w: too many concurrent break-glass writes by %s; try again", record.ErrConflict, e.Invoker))
}

// lockItem is the lock that e holds while it is active: the ID of e and
// its expiry, and, for people reading the table, its invoker and profile
// under names that key no index, so that no listing ever sees it. It
// expires with e.
func (es *eventsOnBackend) lockItem(e *breakglass.Event) item {
	lock := item{}
	lock.setString(attrID, lockID(e.PersonKey(), e.LimitKey()))
	lock.setString(attrLockEvent, e.ID)
	lock.setString(attrLockInvoker, e.Invoker)
	lock.setString(attrLockProfile, e.Profile)
	lock.setTime(attrExpiresAt, e.ExpiresAt)
	lock.setInt(attrLockExpiresAtNS, e.ExpiresAt.UnixNano())
	lock.setInt(attrTTL, ttlFor(breakglass.Kind.End(e), es.b.s.retention))
	return lock
}

// replaceReleasingLock writes the event (put), deletes its lock and, when
// the event was closed, records its end in its person's quota (for the
// cooldown), in one transaction. The lock is deleted only if it still
// names e: a newer event may have taken it over after e expired. If only
// the lock's condition fails, the write is tried again without it; if
// only the quota's fails, another open or close of the same person came
// in between, and the quota is read again. A failed condition on the
// event comes back as a ConditionalCheckFailedException carrying the
// stored item, as from a single write.
func (es *eventsOnBackend) replaceReleasingLock(ctx context.Context, put *types.Put, e *breakglass.Event) error {
	s := es.b.s
	holder := item{}
	holder.setString(":event", e.ID)
	release := &types.Delete{
		TableName:                 aws.String(s.breakglassTable),
		Key:                       idKey(lockID(e.PersonKey(), e.LimitKey())),
		ConditionExpression:       aws.String("#event = :event"),
		ExpressionAttributeNames:  map[string]string{"#event": attrLockEvent},
		ExpressionAttributeValues: holder,
	}
	withLock := true
	for attempt := 0; attempt < quotaAttempts; attempt++ {
		items := []types.TransactWriteItem{{Put: put}}
		lockAt, quotaAt := -1, -1
		if withLock {
			lockAt = len(items)
			items = append(items, types.TransactWriteItem{Delete: release})
		}
		if e.Status == breakglass.StatusClosed {
			q, err := es.readQuota(ctx, e)
			if err != nil {
				return err
			}
			q.record(e)
			quotaPut, err := q.put(s.breakglassTable, s.retention)
			if err != nil {
				return err
			}
			quotaAt = len(items)
			items = append(items, types.TransactWriteItem{Put: quotaPut})
		}
		if len(items) == 1 {
			return s.putItem(ctx, put)
		}
		err := retryTransactionConflicts(ctx, func() error {
			_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
			return err
		})
		reasons, ok := cancellationReasons(err)
		switch {
		case !ok:
			return err
		case reasonIs(reasons, 0, "ConditionalCheckFailed"):
			return &types.ConditionalCheckFailedException{Message: reasons[0].Message, Item: reasons[0].Item}
		case lockAt > 0 && reasonIs(reasons, lockAt, "ConditionalCheckFailed"):
			withLock = false
		case quotaAt > 0 && reasonIs(reasons, quotaAt, "ConditionalCheckFailed"):
			if err := quotaBackoff(ctx, attempt); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return breakglass.Kind.Errors.Wrap(fmt.Errorf("%w: too many concurrent break-glass writes by %s; try again", record.ErrConflict, e.Invoker))
}

// lockPrefix starts the ID of every lock item, which no event ID can.
const lockPrefix = "lock#"

// Lock item attributes. A lock holds the ID of the active event and its
// expiry; once that expiry has passed, a new event may take the lock over.
// It names its invoker and profile for people reading the table, under
// names that key no index.
const (
	attrLockEvent       = "event_id"
	attrLockExpiresAtNS = "expires_at_ns"
	attrLockInvoker     = "lock_invoker"
	attrLockProfile     = "lock_profile"
)

// lockID is the ID of the lock item for one person (Event.PersonKey, never
// a name the caller chose) and limit key (the event's role, or its profile
// when it has none). A lock taken by an older version, under the invoker's
// name, is no longer read: the quota's history still holds its active
// event, which CheckLimits refuses a second one for. The ID is
// "lock#" and the SHA-256 of the two names, each prefixed by its length so
// that different pairs never share a lock ("a#b"+"c" and "a"+"b#c" differ).
// Hashing keeps the ID short whatever the names hold: DynamoDB caps a key
// at 2048 bytes, and names may be 256 multi-byte characters each.
func lockID(invoker, profile string) string {
	h := sha256.New()
	for _, name := range []string{invoker, profile} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(name)))
		h.Write(n[:])
		h.Write([]byte(name))
	}
	return lockPrefix + hex.EncodeToString(h.Sum(nil))
}

// lockHeld is the error for a lock that another active event holds, with
// that event's expiry as the next possible time when the lock item says.
func lockHeld(lock map[string]types.AttributeValue) error {
	le := &breakglass.LimitError{Err: breakglass.ErrActiveExists}
	rd := &itemReader{item: lock}
	if id, ns := rd.string(attrLockEvent), rd.int(attrLockExpiresAtNS); rd.err == nil && id != "" && ns > 0 {
		le.Next = time.Unix(0, ns).UTC()
		le.Detail = fmt.Sprintf("event %s is active until %s", id, le.Next.Format(time.RFC3339))
	}
	return le
}

// Event attributes beyond those that key an index or are shared with
// requests.
const (
	attrInvokerARN  = "invoker_arn"
	attrRoleARN     = "role_arn"
	attrReasonCode  = "reason_code"
	attrOpenedAt    = "opened_at"
	attrClosedAt    = "closed_at"
	attrClosedBy    = "closed_by"
	attrCloseReason = "close_reason"
)
