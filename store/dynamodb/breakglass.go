package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/breakglass"
)

// eventStore implements breakglass.Store on the break-glass table.
type eventStore struct {
	s *Store
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

// lockItem is the lock that e holds while it is active. It has none of
// the attributes that key an index, so no listing ever sees it, and it
// expires with e.
func lockItem(e *breakglass.Event, retention time.Duration) item {
	lock := item{}
	lock.setString(attrID, lockID(e.PersonKey(), e.LimitKey()))
	lock.setString(attrLockEvent, e.ID)
	lock.setString(attrLockInvoker, e.Invoker)
	lock.setString(attrLockProfile, e.Profile)
	lock.setTime(attrExpiresAt, e.ExpiresAt)
	lock.setInt(attrLockExpiresAtNS, e.ExpiresAt.UnixNano())
	lock.setInt(attrTTL, ttlFor(eventBusinessEnd(e), retention))
	return lock
}

// Open stores e as a new active event, takes the invoker's lock on its
// LimitKey and rewrites the invoker's quota item, in one transaction. The
// limits are checked against the quota as read; the quota write is
// conditioned on its version, so a concurrent open by the same user makes
// the transaction fail, and Open reads the quota again and re-checks. The
// lock is free if no item holds it or if the event holding it expired at or
// before e.OpenedAt.
func (es *eventStore) Open(ctx context.Context, e *breakglass.Event, lim breakglass.Limits) error {
	s := es.s
	what := "open break-glass event " + e.ID
	if err := checkEventID(e.ID); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if e.Status != breakglass.StatusActive {
		return fmt.Errorf("%s: %w: a new event must be active, not %q", what, breakglass.ErrInvalid, e.Status)
	}
	lock := lockItem(e, s.retention)
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
					{Put: &types.Put{
						TableName:                aws.String(s.breakglassTable),
						Item:                     encodeEvent(e, e.Version, s.retention),
						ConditionExpression:      aws.String("attribute_not_exists(#id)"),
						ExpressionAttributeNames: map[string]string{"#id": attrID},
					}},
					{Put: quotaPut},
				},
			})
			return err
		})
		if reasons, ok := cancellationReasons(err); ok {
			switch {
			case reasonIs(reasons, 1, "ConditionalCheckFailed"):
				return fmt.Errorf("%s: %w: the ID exists", what, breakglass.ErrConflict)
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
	return fmt.Errorf("%s: %w: too many concurrent break-glass writes by %s; try again", what, breakglass.ErrConflict, e.Invoker)
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

// Get reads an event with a strongly consistent read.
func (es *eventStore) Get(ctx context.Context, id string) (*breakglass.Event, error) {
	s := es.s
	what := "get break-glass event " + id
	if checkEventID(id) != nil {
		// Lock items live in the same table; they are not events.
		return nil, fmt.Errorf("%s: %w", what, breakglass.ErrNotFound)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	out, err := s.client.GetItem(opCtx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.breakglassTable),
		Key:            map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, s.describe(ctx, what, s.breakglassTable, err)
	}
	if len(out.Item) == 0 {
		return nil, fmt.Errorf("%s: %w", what, breakglass.ErrNotFound)
	}
	e, err := decodeEvent(out.Item)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return e, nil
}

// Update replaces the stored event with e if the stored one still has
// e.Version and prevStatus, and then bumps e.Version. When e leaves
// active, the same transaction deletes the lock, but only if the lock
// still names e: a newer event may have taken it over after e expired.
func (es *eventStore) Update(ctx context.Context, e *breakglass.Event, prevStatus breakglass.Status) error {
	s := es.s
	what := "update break-glass event " + e.ID
	if checkEventID(e.ID) != nil {
		return fmt.Errorf("%s: %w", what, breakglass.ErrNotFound)
	}
	put := &types.Put{
		TableName:                           aws.String(s.breakglassTable),
		Item:                                encodeEvent(e, e.Version+1, s.retention),
		ConditionExpression:                 aws.String(updateCondition),
		ExpressionAttributeNames:            updateNames,
		ExpressionAttributeValues:           updateValues(e.Version, string(prevStatus)),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	var err error
	if prevStatus == breakglass.StatusActive && e.Status != breakglass.StatusActive {
		err = es.updateReleasingLock(opCtx, put, e)
	} else {
		err = es.putEvent(opCtx, put)
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if len(ccf.Item) == 0 {
			return fmt.Errorf("%s: %w", what, breakglass.ErrNotFound)
		}
		return fmt.Errorf("%s: %w", what, breakglass.ErrConflict)
	}
	if err != nil {
		return s.describe(ctx, what, s.breakglassTable, err)
	}
	e.Version++
	return nil
}

// updateReleasingLock writes the event, deletes its lock and, when the
// event was closed, records its end in the invoker's quota (for the
// cooldown), in one transaction. If only the lock's condition fails, the
// lock belongs to another event (or is gone), and the write is tried again
// without it; if only the quota's fails, another open or close of the same
// user came in between, and the quota is read again. A failed condition on
// the event comes back as a ConditionalCheckFailedException carrying the
// stored item, as from a single write.
func (es *eventStore) updateReleasingLock(ctx context.Context, put *types.Put, e *breakglass.Event) error {
	s := es.s
	holder := item{}
	holder.setString(":event", e.ID)
	release := &types.Delete{
		TableName:                 aws.String(s.breakglassTable),
		Key:                       map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: lockID(e.PersonKey(), e.LimitKey())}},
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
			return es.putEvent(ctx, put)
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
	return fmt.Errorf("%w: too many concurrent break-glass writes by %s; try again", breakglass.ErrConflict, e.Invoker)
}

// putEvent writes the event alone, with put's condition.
func (es *eventStore) putEvent(ctx context.Context, put *types.Put) error {
	return retryTransactionConflicts(ctx, func() error {
		_, err := es.s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                           put.TableName,
			Item:                                put.Item,
			ConditionExpression:                 put.ConditionExpression,
			ExpressionAttributeNames:            put.ExpressionAttributeNames,
			ExpressionAttributeValues:           put.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: put.ReturnValuesOnConditionCheckFailure,
		})
		return err
	})
}

// query queries the index of the most selective key that is set and
// applies the other keys and the limit in code.
func (es *eventStore) query(ctx context.Context, q breakglass.Query) ([]*breakglass.Event, error) {
	s := es.s
	idx, value, err := eventIndexFor(q)
	if err != nil {
		return nil, err
	}
	if q.Limit < 0 {
		return nil, fmt.Errorf("list break-glass events: negative limit %d", q.Limit)
	}
	pageSize := 0
	if countKeys(q.Invoker, q.Profile, string(q.Status)) == 1 {
		pageSize = q.Limit
	}
	return list(ctx, s, listQuery[*breakglass.Event]{
		table: s.breakglassTable, idx: idx, value: value, limit: q.Limit, pageSize: pageSize,
		decode: decodeEvent,
		match:  func(e *breakglass.Event) bool { return eventMatches(e, q) },
		what:   "list break-glass events",
	})
}

// eventIndexFor picks the index for q: by invoker if set, else by profile,
// else by status.
func eventIndexFor(q breakglass.Query) (index, string, error) {
	switch {
	case q.Invoker != "":
		return eventsByInvoker, q.Invoker, nil
	case q.Profile != "":
		return eventsByProfile, q.Profile, nil
	case q.Status != "":
		return eventsByStatus, string(q.Status), nil
	default:
		return index{}, "", errors.New("list break-glass events: set an invoker, a profile or a status")
	}
}

// eventMatches applies every key of q that is set.
func eventMatches(e *breakglass.Event, q breakglass.Query) bool {
	return (q.Invoker == "" || e.Invoker == q.Invoker) &&
		(q.Profile == "" || e.Profile == q.Profile) &&
		(q.Status == "" || e.Status == q.Status)
}

// checkEventID refuses IDs the table cannot hold as events: empty ones and
// those of lock items.
func checkEventID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty event ID", breakglass.ErrInvalid)
	}
	if strings.HasPrefix(id, lockPrefix) || strings.HasPrefix(id, quotaPrefix) {
		return fmt.Errorf("%w: event ID %q is reserved for lock and quota items", breakglass.ErrInvalid, id)
	}
	return nil
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

// encodeEvent turns e into an item stored with the given version.
func encodeEvent(e *breakglass.Event, version int64, retention time.Duration) item {
	it := item{}
	it.setString(attrID, e.ID)
	it.setString(attrInvoker, e.Invoker)
	it.setString(attrInvokerARN, e.InvokerARN)
	it.setString(attrProfile, e.Profile)
	it.setString(attrRoleARN, e.RoleARN)
	it.setString(attrReasonCode, string(e.ReasonCode))
	it.setString(attrJustification, e.Justification)
	it.setInt(attrDurationNS, int64(e.Duration))
	it.setString(attrStatus, string(e.Status))
	it.setTime(attrOpenedAt, e.OpenedAt)
	it.setTime(attrExpiresAt, e.ExpiresAt)
	it.setTime(attrClosedAt, e.ClosedAt)
	it.setString(attrClosedBy, e.ClosedBy)
	it.setString(attrCloseReason, e.CloseReason)
	it.setString(attrOpenedKey, sortKey(e.OpenedAt, e.ID))
	it.setInt(attrVersion, version)
	it.setInt(attrTTL, ttlFor(eventBusinessEnd(e), retention))
	return it
}

// eventBusinessEnd is when an event stops granting access: its expiry, or
// its closing if that came later.
func eventBusinessEnd(e *breakglass.Event) time.Time {
	return latest(e.ExpiresAt, e.ClosedAt)
}

// decodeEvent turns an item back into an event.
func decodeEvent(m map[string]types.AttributeValue) (*breakglass.Event, error) {
	rd := &itemReader{item: m}
	e := &breakglass.Event{
		ID:            rd.string(attrID),
		Invoker:       rd.string(attrInvoker),
		InvokerARN:    rd.string(attrInvokerARN),
		Profile:       rd.string(attrProfile),
		RoleARN:       rd.string(attrRoleARN),
		ReasonCode:    breakglass.ReasonCode(rd.string(attrReasonCode)),
		Justification: rd.string(attrJustification),
		Duration:      time.Duration(rd.int(attrDurationNS)),
		Status:        breakglass.Status(rd.string(attrStatus)),
		OpenedAt:      rd.time(attrOpenedAt),
		ExpiresAt:     rd.time(attrExpiresAt),
		ClosedAt:      rd.time(attrClosedAt),
		ClosedBy:      rd.string(attrClosedBy),
		CloseReason:   rd.string(attrCloseReason),
		Version:       rd.int(attrVersion),
	}
	if rd.err != nil {
		return nil, fmt.Errorf("decode break-glass item %q: %w", e.ID, rd.err)
	}
	if err := checkEventID(e.ID); err != nil {
		return nil, fmt.Errorf("decode break-glass item: %w", err)
	}
	return e, nil
}
