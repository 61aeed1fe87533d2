package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/session"
)

// sessionStore implements session.Store on the sessions table, which holds
// the sessions and, under IDs starting with blockPrefix, the user blocks.
//
// Retention: an item's ttl is its ExpiresAt plus the audit retention
// (Options.AuditRetention, 90 days by default), rounded up to the second.
// Touch moves ExpiresAt to the expiry of the latest credentials issued
// under the session, and the ttl with it, so DynamoDB never deletes a
// session, revoked or not, before every credential issued under it has
// expired and the retention has passed on top. Revoke and Expire leave the
// ttl alone for that reason. A block is kept until its end plus the
// retention (the lift plus the retention once lifted); a block without an
// end has no ttl until it is lifted.
type sessionStore struct {
	s *Store
}

// Session attributes that key an index. user_arn_key is the folded ARN
// (session.FoldARN), so that listings by ARN ignore case; started_key
// works like created_key.
const (
	attrUser       = "user"
	attrUserARNKey = "user_arn_key"
	attrStartedKey = "started_key"
)

// The indexes of the sessions table.
var (
	sessionsByUser    = index{name: "user-started", partitionKey: attrUser, sortKey: attrStartedKey}
	sessionsByUserARN = index{name: "user-arn-started", partitionKey: attrUserARNKey, sortKey: attrStartedKey}
	sessionsByProfile = index{name: "profile-started", partitionKey: attrProfile, sortKey: attrStartedKey}
	sessionsByStatus  = index{name: "status-started", partitionKey: attrStatus, sortKey: attrStartedKey}
	sessionIndexes    = []index{sessionsByUser, sessionsByUserARN, sessionsByProfile, sessionsByStatus}
)

// Session attributes beyond those that key an index or are shared.
const (
	attrUserARN        = "user_arn"
	attrAccount        = "account"
	attrHost           = "host"
	attrPID            = "pid"
	attrStartedAt      = "started_at"
	attrLastAccessAt   = "last_access_at"
	attrRequestCount   = "request_count"
	attrSourceIdentity = "source_identity"
	attrRevokedBy      = "revoked_by"
	attrRevokedByARN   = "revoked_by_arn"
	attrRevokeReason   = "revoke_reason"
	attrRevokedAt      = "revoked_at"
)

// blockPrefix starts the ID of every block item, which no session ID can.
const blockPrefix = "block#"

// Block item attributes. None of them keys an index, so no listing ever
// sees a block.
const (
	attrBlockUserARN   = "block_user_arn"
	attrBlockUntil     = "block_until"
	attrBlockBy        = "block_by"
	attrBlockByARN     = "block_by_arn"
	attrBlockReason    = "block_reason"
	attrBlockAt        = "block_at"
	attrBlockLiftedBy  = "lifted_by"
	attrBlockLiftedARN = "lifted_by_arn"
	attrBlockLiftedAt  = "lifted_at"
)

// blockID is the ID of the block item of a person: "block#" and the
// SHA-256 of the person key (session.BlockKey), so that the key is short
// whatever the ARN holds and the same for every ARN of the person. For an
// IAM user the person key is the folded user ARN, the key blocks were
// stored under before, so those items keep working.
func blockID(userARN string) string {
	sum := sha256.Sum256([]byte(session.BlockKey(userARN)))
	return blockPrefix + hex.EncodeToString(sum[:])
}

// Create stores a new active session unless its ID is taken or its
// person is blocked: one TransactWriteItems with a ConditionCheck on the
// person's block item and the conditional Put of the session, so a block
// stored first always refuses it, and one stored after finds it.
func (ss *sessionStore) Create(ctx context.Context, se *session.Session) error {
	s := ss.s
	if err := session.CheckNew(se); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	what := "create session " + se.ID
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	err := retryTransactionConflicts(opCtx, func() error {
		_, err := s.client.TransactWriteItems(opCtx, &dynamodb.TransactWriteItemsInput{
			TransactItems: []types.TransactWriteItem{
				{ConditionCheck: ss.notBlocked(se.UserARN, se.StartedAt)},
				{Put: &types.Put{
					TableName:                aws.String(s.sessionsTable),
					Item:                     encodeSession(se, s.retention),
					ConditionExpression:      aws.String("attribute_not_exists(#id)"),
					ExpressionAttributeNames: map[string]string{"#id": attrID},
				}},
			},
		})
		return err
	})
	if reasons, ok := cancellationReasons(err); ok {
		switch {
		case reasonIs(reasons, 0, "ConditionalCheckFailed"):
			return fmt.Errorf("%s: %w", what, blockedBy(se.ID, se.UserARN, reasons[0].Item))
		case reasonIs(reasons, 1, "ConditionalCheckFailed"):
			return fmt.Errorf("%s: %w: the ID exists", what, session.ErrConflict)
		}
	}
	if err != nil {
		return s.describe(ctx, what, s.sessionsTable, err)
	}
	return nil
}

// notBlocked is the ConditionCheck that the person of userARN has no
// block in force at at: no block item, or one lifted, or one whose end is
// not after at (the negation of session.Block.ActiveAt). Times are
// fixed-width strings, so they compare as strings.
func (ss *sessionStore) notBlocked(userARN string, at time.Time) *types.ConditionCheck {
	values := item{}
	values.setTime(":at", at)
	return &types.ConditionCheck{
		TableName:                           aws.String(ss.s.sessionsTable),
		Key:                                 idKey(blockID(userARN)),
		ConditionExpression:                 aws.String("attribute_not_exists(#id) OR attribute_exists(#lat) OR (attribute_exists(#until) AND #until <= :at)"),
		ExpressionAttributeNames:            map[string]string{"#id": attrID, "#lat": attrBlockLiftedAt, "#until": attrBlockUntil},
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

// blockedBy is the refusal of session id because of the block item m
// returned with a failed ConditionCheck. A block item that does not decode
// or names another person still refuses: fail closed.
func blockedBy(id, userARN string, m map[string]types.AttributeValue) error {
	b, err := decodeBlock(m)
	if err != nil || session.BlockKey(b.UserARN) != session.BlockKey(userARN) {
		return &session.BlockedError{ID: id}
	}
	return &session.BlockedError{ID: id, Block: b}
}

// Get reads a session with a strongly consistent read.
func (ss *sessionStore) Get(ctx context.Context, id string) (*session.Session, error) {
	s := ss.s
	what := fmt.Sprintf("get session %q", id)
	if !session.ValidID(id) {
		// Block items live in the same table; they are not sessions.
		return nil, fmt.Errorf("%s: %w", what, session.ErrNotFound)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	out, err := s.client.GetItem(opCtx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.sessionsTable),
		Key:            idKey(id),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, s.describe(ctx, what, s.sessionsTable, err)
	}
	if len(out.Item) == 0 {
		return nil, fmt.Errorf("%s: %w", what, session.ErrNotFound)
	}
	se, err := decodeSession(out.Item)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return se, nil
}

// Touch counts one issuance with one TransactWriteItems: a ConditionCheck
// that the person of userARN has no block in force (see notBlocked), and
// the conditional update of the session: ADD on the count (so concurrent
// touches never lose one) under the condition that the session is
// userARN's, active and its ExpiresAt after at (so a touch never revives a
// revoked or expired session). DynamoDB has no "set to the later of", so
// the first attempt also moves ExpiresAt and asks that the stored one be
// earlier; when it is not, the second attempt leaves it. Transactions on
// the same items clash with each other; those clashes are retried.
func (ss *sessionStore) Touch(ctx context.Context, id, userARN string, at, expires time.Time) error {
	s := ss.s
	what := "touch session " + id
	if err := session.CheckTouch(at, expires); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !session.ValidID(id) || userARN == "" {
		return fmt.Errorf("%s: %w", what, session.ErrNotFound)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	names := map[string]string{
		"#status": attrStatus, "#exp": attrExpiresAt, "#last": attrLastAccessAt,
		"#count": attrRequestCount, "#version": attrVersion, "#uak": attrUserARNKey,
	}
	values := item{}
	values.setString(":active", string(session.StatusActive))
	values.setTime(":at", at)
	values.setInt(":one", 1)
	values.setString(":uak", session.FoldARN(userARN))
	update := &types.Update{
		TableName:                           aws.String(s.sessionsTable),
		Key:                                 idKey(id),
		ExpressionAttributeNames:            names,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	extend := true
	for attempt := 0; attempt < 2; attempt++ {
		attemptValues := item{}
		for k, v := range values {
			attemptValues[k] = v
		}
		if extend {
			names["#ttl"] = attrTTL
			attemptValues.setTime(":exp", expires)
			attemptValues.setInt(":ttl", ttlFor(expires, s.retention))
			update.UpdateExpression = aws.String("SET #last = :at, #exp = :exp, #ttl = :ttl ADD #count :one, #version :one")
			update.ConditionExpression = aws.String("#uak = :uak AND #status = :active AND #exp > :at AND #exp < :exp")
		} else {
			delete(names, "#ttl")
			update.UpdateExpression = aws.String("SET #last = :at ADD #count :one, #version :one")
			update.ConditionExpression = aws.String("#uak = :uak AND #status = :active AND #exp > :at")
		}
		update.ExpressionAttributeValues = attemptValues
		err := retryTransactionConflicts(opCtx, func() error {
			_, err := s.client.TransactWriteItems(opCtx, &dynamodb.TransactWriteItemsInput{
				TransactItems: []types.TransactWriteItem{
					{ConditionCheck: ss.notBlocked(userARN, at)},
					{Update: update},
				},
			})
			return err
		})
		reasons, cancelled := cancellationReasons(err)
		switch {
		case err == nil:
			return nil
		case !cancelled:
			return s.describe(ctx, what, s.sessionsTable, err)
		case reasonIs(reasons, 0, "ConditionalCheckFailed"):
			return fmt.Errorf("%s: %w", what, blockedBy(id, userARN, reasons[0].Item))
		case !reasonIs(reasons, 1, "ConditionalCheckFailed"):
			return s.describe(ctx, what, s.sessionsTable, err)
		}
		if len(reasons[1].Item) == 0 {
			return fmt.Errorf("%s: %w", what, session.ErrNotFound)
		}
		old, err := decodeSession(reasons[1].Item)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !strings.EqualFold(old.UserARN, userARN) {
			return fmt.Errorf("%s: %w: not %s's session", what, session.ErrNotFound, userARN)
		}
		if st := old.EffectiveStatus(at); st != session.StatusActive {
			return fmt.Errorf("%s: %w", what, &session.StateError{ID: id, Op: "touch", Status: st})
		}
		// Active and unexpired: the stored expiry was already as late.
		extend = false
	}
	return fmt.Errorf("%s: the session changed under every attempt", what)
}

// refusedSession decodes the item returned with a failed condition:
// ErrNotFound when there was none.
func refusedSession(what string, ccf *types.ConditionalCheckFailedException) (*session.Session, error) {
	if len(ccf.Item) == 0 {
		return nil, fmt.Errorf("%s: %w", what, session.ErrNotFound)
	}
	old, err := decodeSession(ccf.Item)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return old, nil
}

// query queries the index of the most selective key that is set and
// applies the other keys and the limit in code.
func (ss *sessionStore) query(ctx context.Context, q session.Query) ([]*session.Session, error) {
	s := ss.s
	idx, value, err := sessionIndexFor(q)
	if err != nil {
		return nil, err
	}
	if q.Limit < 0 {
		return nil, fmt.Errorf("list sessions: %w: negative limit %d", session.ErrInvalid, q.Limit)
	}
	pageSize := 0
	if countKeys(q.User, q.UserARN, q.Profile, string(q.Status)) == 1 {
		pageSize = q.Limit
	}
	return list(ctx, s, listQuery[*session.Session]{
		table: s.sessionsTable, idx: idx, value: value, limit: q.Limit, pageSize: pageSize,
		decode: decodeSession,
		match:  func(se *session.Session) bool { return sessionMatches(se, q) },
		what:   "list sessions",
	})
}

// sessionIndexFor picks the index for q: by user ARN if set, else by user
// name, else by profile, else by status.
func sessionIndexFor(q session.Query) (index, string, error) {
	switch {
	case q.UserARN != "":
		return sessionsByUserARN, session.FoldARN(q.UserARN), nil
	case q.User != "":
		return sessionsByUser, q.User, nil
	case q.Profile != "":
		return sessionsByProfile, q.Profile, nil
	case q.Status != "":
		return sessionsByStatus, string(q.Status), nil
	default:
		return index{}, "", fmt.Errorf("list sessions: %w: set a user, a user ARN, a profile or a status", session.ErrInvalid)
	}
}

// sessionMatches applies every key of q that is set.
func sessionMatches(se *session.Session, q session.Query) bool {
	return (q.User == "" || se.User == q.User) &&
		(q.UserARN == "" || session.FoldARN(se.UserARN) == session.FoldARN(q.UserARN)) &&
		(q.Profile == "" || se.Profile == q.Profile) &&
		(q.Status == "" || se.Status == q.Status)
}

// Block stores b in the user's block item, replacing any earlier block.
func (ss *sessionStore) Block(ctx context.Context, b session.Block) error {
	s := ss.s
	if err := session.CheckNewBlock(&b); err != nil {
		return fmt.Errorf("block user: %w", err)
	}
	what := "block user " + b.UserARN
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.client.PutItem(opCtx, &dynamodb.PutItemInput{
		TableName: aws.String(s.sessionsTable),
		Item:      encodeBlock(&b, s.retention),
	})
	if err != nil {
		return s.describe(ctx, what, s.sessionsTable, err)
	}
	return nil
}

// ActiveBlock reads the user's block item with a strongly consistent read.
func (ss *sessionStore) ActiveBlock(ctx context.Context, userARN string, now time.Time) (*session.Block, bool, error) {
	s := ss.s
	what := "check block of " + userARN
	if userARN == "" {
		return nil, false, fmt.Errorf("check block: %w: no user ARN", session.ErrInvalid)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	out, err := s.client.GetItem(opCtx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.sessionsTable),
		Key:            idKey(blockID(userARN)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, false, s.describe(ctx, what, s.sessionsTable, err)
	}
	if len(out.Item) == 0 {
		return nil, false, nil
	}
	b, err := decodeBlock(out.Item)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", what, err)
	}
	if session.BlockKey(b.UserARN) != session.BlockKey(userARN) {
		return nil, false, fmt.Errorf("%s: block item names another person", what)
	}
	if !b.ActiveAt(now) {
		return nil, false, nil
	}
	return b, true, nil
}

// Unblock records the lift on the condition that the block is in force
// at at: not lifted, and with no end or an end after at.
func (ss *sessionStore) Unblock(ctx context.Context, userARN, by, byARN string, at time.Time) error {
	s := ss.s
	what := "unblock " + userARN
	if err := session.CheckLift(by, byARN, at); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if userARN == "" {
		return fmt.Errorf("%s: %w: no user ARN", what, session.ErrInvalid)
	}
	names := map[string]string{
		"#id": attrID, "#until": attrBlockUntil, "#lby": attrBlockLiftedBy, "#lat": attrBlockLiftedAt, "#ttl": attrTTL,
	}
	values := item{}
	values.setString(":by", by)
	values.setTime(":at", at)
	values.setInt(":ttl", ttlFor(at, s.retention))
	update := "SET #lby = :by, #lat = :at, #ttl = :ttl"
	if byARN != "" {
		names["#larn"] = attrBlockLiftedARN
		values.setString(":arn", byARN)
		update += ", #larn = :arn"
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.client.UpdateItem(opCtx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.sessionsTable),
		Key:                       idKey(blockID(userARN)),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attribute_exists(#id) AND attribute_not_exists(#lat) AND (attribute_not_exists(#until) OR #until > :at)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if _, ok := conditionFailed(err); ok {
		return fmt.Errorf("%s: %w: no block in force", what, session.ErrNotFound)
	}
	if err != nil {
		return s.describe(ctx, what, s.sessionsTable, err)
	}
	return nil
}

// idKey is the primary key of the item with the given ID.
func idKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}}
}

// encodeSession turns se into an item. Times are fixed-width strings, so
// the conditions of Touch can compare them as strings.
func encodeSession(se *session.Session, retention time.Duration) item {
	it := item{}
	it.setString(attrID, se.ID)
	it.setString(attrUser, se.User)
	it.setString(attrUserARN, se.UserARN)
	it.setString(attrUserARNKey, session.FoldARN(se.UserARN))
	it.setString(attrAccount, se.Account)
	it.setString(attrProfile, se.Profile)
	it.setString(attrRoleARN, se.RoleARN)
	it.setString(attrHost, se.Host)
	it.setInt(attrPID, int64(se.PID))
	it.setString(attrStatus, string(se.Status))
	it.setTime(attrStartedAt, se.StartedAt)
	it.setTime(attrLastAccessAt, se.LastAccessAt)
	it.setInt(attrRequestCount, se.RequestCount)
	it.setTime(attrExpiresAt, se.ExpiresAt)
	it.setString(attrSourceIdentity, se.SourceIdentity)
	it.setString(attrRevokedBy, se.RevokedBy)
	it.setString(attrRevokedByARN, se.RevokedByARN)
	it.setString(attrRevokeReason, se.RevokeReason)
	it.setTime(attrRevokedAt, se.RevokedAt)
	it.setString(attrStartedKey, sortKey(se.StartedAt, se.ID))
	it.setInt(attrVersion, se.Version)
	it.setInt(attrTTL, ttlFor(se.ExpiresAt, retention))
	return it
}

// decodeSession turns an item back into a session and refuses one that
// does not validate: what a table holds is evidence, not authority.
func decodeSession(m map[string]types.AttributeValue) (*session.Session, error) {
	rd := &itemReader{item: m}
	se := &session.Session{
		ID:             rd.string(attrID),
		User:           rd.string(attrUser),
		UserARN:        rd.string(attrUserARN),
		Account:        rd.string(attrAccount),
		Profile:        rd.string(attrProfile),
		RoleARN:        rd.string(attrRoleARN),
		Host:           rd.string(attrHost),
		Status:         session.Status(rd.string(attrStatus)),
		StartedAt:      rd.time(attrStartedAt),
		LastAccessAt:   rd.time(attrLastAccessAt),
		RequestCount:   rd.int(attrRequestCount),
		ExpiresAt:      rd.time(attrExpiresAt),
		SourceIdentity: rd.string(attrSourceIdentity),
		RevokedBy:      rd.string(attrRevokedBy),
		RevokedByARN:   rd.string(attrRevokedByARN),
		RevokeReason:   rd.string(attrRevokeReason),
		RevokedAt:      rd.time(attrRevokedAt),
		Version:        rd.int(attrVersion),
	}
	pid := rd.int(attrPID)
	if rd.err != nil {
		return nil, fmt.Errorf("decode session item %q: %w", se.ID, rd.err)
	}
	if pid < 0 || pid > 1<<31-1 {
		return nil, fmt.Errorf("decode session item %q: pid %d out of range", se.ID, pid)
	}
	se.PID = int(pid)
	if err := se.Validate(); err != nil {
		return nil, fmt.Errorf("decode session item %q: %w", se.ID, err)
	}
	return se, nil
}

// encodeBlock turns b into the user's block item.
func encodeBlock(b *session.Block, retention time.Duration) item {
	it := item{}
	it.setString(attrID, blockID(b.UserARN))
	it.setString(attrBlockUserARN, b.UserARN)
	it.setTime(attrBlockUntil, b.Until)
	it.setString(attrBlockBy, b.By)
	it.setString(attrBlockByARN, b.ByARN)
	it.setString(attrBlockReason, b.Reason)
	it.setTime(attrBlockAt, b.At)
	it.setString(attrBlockLiftedBy, b.LiftedBy)
	it.setString(attrBlockLiftedARN, b.LiftedByARN)
	it.setTime(attrBlockLiftedAt, b.LiftedAt)
	if end := latest(b.Until, b.LiftedAt); !b.Until.IsZero() || !b.LiftedAt.IsZero() {
		it.setInt(attrTTL, ttlFor(end, retention))
	}
	return it
}

// decodeBlock turns a block item back into a block and refuses one that
// does not validate.
func decodeBlock(m map[string]types.AttributeValue) (*session.Block, error) {
	rd := &itemReader{item: m}
	b := &session.Block{
		UserARN:     rd.string(attrBlockUserARN),
		Until:       rd.time(attrBlockUntil),
		By:          rd.string(attrBlockBy),
		ByARN:       rd.string(attrBlockByARN),
		Reason:      rd.string(attrBlockReason),
		At:          rd.time(attrBlockAt),
		LiftedBy:    rd.string(attrBlockLiftedBy),
		LiftedByARN: rd.string(attrBlockLiftedARN),
		LiftedAt:    rd.time(attrBlockLiftedAt),
	}
	if rd.err != nil {
		return nil, fmt.Errorf("decode block item: %w", rd.err)
	}
	if id := rd.string(attrID); id != blockID(b.UserARN) {
		return nil, errors.New("decode block item: its ID does not match its user")
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("decode block item: %w", err)
	}
	return b, nil
}
