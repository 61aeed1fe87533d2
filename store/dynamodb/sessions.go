package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/session"
)

// sessionsOnBackend is session.Store on the sessions table: the generic
// store over the one backend, whose create checks the person's block in
// the same write, and the sessions' own operations: Touch, and the blocks,
// kept in the same table under IDs starting with blockPrefix.
//
// Retention: a session's ttl is its ExpiresAt plus the audit retention
// (Options.AuditRetention), rounded up to the second. Touch moves
// ExpiresAt to the expiry of the latest credentials issued under the
// session, and the ttl with it, so DynamoDB never deletes a session,
// revoked or not, before every credential issued under it has expired and
// the retention has passed on top. A block is kept until its end plus the
// retention (the lift plus the retention once lifted); a block without an
// end has no ttl until it is lifted.
type sessionsOnBackend struct {
	*record.Generic[session.Session, session.Status]
	b *backend[session.Session, session.Status]
}

// newSessionStore declares sessions to the backend: their table, the GSI
// of each index, their codec, and the create that checks the block.
func newSessionStore(s *Store) *sessionsOnBackend {
	ss := &sessionsOnBackend{}
	ss.b = &backend[session.Session, session.Status]{
		s: s, kind: session.Kind, table: s.sessionsTable, codec: sessionCodec,
		gsi: map[string]index{
			session.IndexUser:    sessionsByUser,
			session.IndexUserARN: sessionsByUserARN,
			session.IndexProfile: sessionsByProfile,
			record.StatusIndex:   sessionsByStatus,
		},
		insert: ss.insert,
	}
	ss.Generic = record.NewStore(session.Kind, ss.b)
	return ss
}

// Create stores a new active session unless its ID is taken or its person
// is blocked at its StartedAt (see insert).
func (ss *sessionsOnBackend) Create(ctx context.Context, se *session.Session) error {
	if se == nil {
		return ss.b.fail("create session", record.Invalidf("no session given"))
	}
	if err := session.CheckNew(se); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return ss.Generic.Create(ctx, se)
}

// insert writes put with one TransactWriteItems: a ConditionCheck on the
// person's block item and the conditional Put of the session, so a block
// stored first always refuses it, and one stored after finds it.
func (ss *sessionsOnBackend) insert(ctx context.Context, se *session.Session, put *types.Put) error {
	s := ss.b.s
	what := "create session " + se.ID
	if se.Status != session.StatusActive {
		return ss.b.fail(what, record.Invalidf("a new session must be active, not %s", se.Status))
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	err := retryTransactionConflicts(opCtx, func() error {
		_, err := s.client.TransactWriteItems(opCtx, &dynamodb.TransactWriteItemsInput{
			TransactItems: []types.TransactWriteItem{
				{ConditionCheck: ss.notBlocked(se.UserARN, se.StartedAt)},
				{Put: put},
			},
		})
		return err
	})
	if reasons, ok := cancellationReasons(err); ok {
		switch {
		case reasonIs(reasons, 0, "ConditionalCheckFailed"):
			return fmt.Errorf("%s: %w", what, ss.blockedBy(se.ID, se.UserARN, reasons[0].Item))
		case reasonIs(reasons, 1, "ConditionalCheckFailed"):
			return ss.b.fail(what, fmt.Errorf("%w: the ID exists", record.ErrConflict))
		}
	}
	if err != nil {
		return s.describe(ctx, what, s.sessionsTable, err)
	}
	return nil
}

// Touch counts one issuance at at with one TransactWriteItems and no read
// before it: a ConditionCheck that the person of userARN has no block in
// force (see notBlocked), and the conditional update of the session: ADD
// on the count and the version (so concurrent touches never lose one),
// under the condition that the session is userARN's, active and its
// ExpiresAt after at (so a touch never revives a revoked or expired
// session). DynamoDB has no "set to the later of", so the write moves
// ExpiresAt (and the ttl) to expires on the condition that the stored one
// is not later: true for every touch whose credentials end no sooner than
// the last ones, among them a warm decision handing out the same
// credentials again. Only when the session outlasts the new credentials
// does the refusal, whose returned item says so, lead to a second write
// that leaves ExpiresAt alone.
func (ss *sessionsOnBackend) Touch(ctx context.Context, id, userARN string, at, expires time.Time) error {
	s := ss.b.s
	what := "touch session " + id
	if err := session.CheckTouch(at, expires); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !record.ValidID(id) || userARN == "" {
		return fmt.Errorf("%s: %w", what, ss.b.notFound(id))
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	block := ss.notBlocked(userARN, at)
	// Try first the write the hint says will hold; the other one only if
	// its condition on the stored expiry failed.
	extend := !s.touches.expiryAtLeast(id, expires)
	for attempt := 1; ; attempt++ {
		update := touchUpdate(s, id, userARN, at, expires, extend)
		err := retryTransactionConflicts(opCtx, func() error {
			_, err := s.client.TransactWriteItems(opCtx, &dynamodb.TransactWriteItemsInput{
				TransactItems: []types.TransactWriteItem{{ConditionCheck: block}, {Update: update}},
			})
			return err
		})
		reasons, cancelled := cancellationReasons(err)
		switch {
		case err == nil:
			if extend {
				s.touches.saw(id, expires)
			}
			return nil
		case !cancelled:
			return s.describe(ctx, what, s.sessionsTable, err)
		case reasonIs(reasons, 0, "ConditionalCheckFailed"):
			return fmt.Errorf("%s: %w", what, ss.blockedBy(id, userARN, reasons[0].Item))
		case !reasonIs(reasons, 1, "ConditionalCheckFailed"):
			return s.describe(ctx, what, s.sessionsTable, err)
		case len(reasons[1].Item) == 0:
			return fmt.Errorf("%s: %w", what, ss.b.notFound(id))
		}
		old, err := ss.b.decode(reasons[1].Item)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !strings.EqualFold(old.UserARN, userARN) {
			return fmt.Errorf("%s: %w", what, ss.b.notFound(id))
		}
		if st := old.EffectiveStatus(at); st != session.StatusActive {
			return fmt.Errorf("%s: %w", what, &session.StateError{ID: id, Op: "touch", Status: st})
		}
		if attempt == 2 {
			return fmt.Errorf("%s: the session changed under every attempt", what)
		}
		// Active and unexpired: only the condition on the stored expiry
		// failed, so the other write holds.
		s.touches.saw(id, old.ExpiresAt)
		extend = !extend
	}
}

// touchUpdate is the conditional update of one touch: with extend it moves
// ExpiresAt and the ttl to expires and holds only if the stored expiry is
// not after it; without, it leaves them and holds only if the stored
// expiry is not before it. Exactly one of the two holds for an active
// session (see Touch).
func touchUpdate(s *Store, id, userARN string, at, expires time.Time, extend bool) *types.Update {
	names := map[string]string{
		"#status": attrStatus, "#exp": attrExpiresAt, "#last": attrLastAccessAt,
		"#count": attrRequestCount, "#version": attrVersion, "#uak": attrUserARNKey,
	}
	values := item{}
	values.setString(":active", string(session.StatusActive))
	values.setTime(":at", at)
	values.setInt(":one", 1)
	values.setString(":uak", session.FoldARN(userARN))
	update := "SET #last = :at ADD #count :one, #version :one"
	values.setTime(":exp", expires)
	condition := "#uak = :uak AND #status = :active AND #exp > :at AND #exp >= :exp"
	if extend {
		names["#ttl"] = attrTTL
		values.setInt(":ttl", ttlFor(expires, s.retention))
		update = "SET #last = :at, #exp = :exp, #ttl = :ttl ADD #count :one, #version :one"
		condition = "#uak = :uak AND #status = :active AND #exp > :at AND #exp <= :exp"
	}
	return &types.Update{
		TableName:                           aws.String(s.sessionsTable),
		Key:                                 idKey(id),
		UpdateExpression:                    aws.String(update),
		ConditionExpression:                 aws.String(condition),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

// notBlocked is the ConditionCheck that the person of userARN has no
// block in force at at: no block item, or one lifted, or one whose end is
// not after at (the negation of session.Block.ActiveAt). Times are
// fixed-width strings, so they compare as strings.
func (ss *sessionsOnBackend) notBlocked(userARN string, at time.Time) *types.ConditionCheck {
	values := item{}
	values.setTime(":at", at)
	return &types.ConditionCheck{
		TableName:                           aws.String(ss.b.table),
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
func (ss *sessionsOnBackend) blockedBy(id, userARN string, m map[string]types.AttributeValue) error {
	b, err := decodeBlockItem(m)
	if err != nil || session.BlockKey(b.UserARN) != session.BlockKey(userARN) {
		return &session.BlockedError{ID: id}
	}
	return &session.BlockedError{ID: id, Block: b}
}

// blockItem is the item of b: its codec's attributes and, once the block
// has an end or was lifted, the ttl.
func blockItem(b *session.Block, retention time.Duration) item {
	it := blockCodec.encode(b)
	if !b.Until.IsZero() || !b.LiftedAt.IsZero() {
		it.setInt(attrTTL, ttlFor(latest(b.Until, b.LiftedAt), retention))
	}
	return it
}

// decodeBlockItem reads a block item and refuses one whose ID is not its
// person's or that does not validate.
func decodeBlockItem(m map[string]types.AttributeValue) (*session.Block, error) {
	b, err := blockCodec.decode(m)
	if err != nil {
		return nil, session.Kind.Errors.Wrap(record.Invalidf("stored block item: %v", err))
	}
	rd := &itemReader{item: m}
	if rd.string(attrID) != blockID(b.UserARN) {
		return nil, session.Kind.Errors.Wrap(record.Invalidf("stored block item: its ID does not match its user"))
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("stored block item: %w", err)
	}
	return b, nil
}

// Block stores b in its person's block item, replacing any earlier block.
func (ss *sessionsOnBackend) Block(ctx context.Context, b session.Block) error {
	s := ss.b.s
	if err := session.CheckNewBlock(&b); err != nil {
		return fmt.Errorf("block user: %w", err)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.client.PutItem(opCtx, &dynamodb.PutItemInput{
		TableName: aws.String(ss.b.table),
		Item:      blockItem(&b, s.retention),
	})
	if err != nil {
		return s.describe(ctx, "block user "+b.UserARN, ss.b.table, err)
	}
	return nil
}

// ActiveBlock reads the block item of the person of userARN with a
// strongly consistent read, and returns the block if it is in force at
// now.
func (ss *sessionsOnBackend) ActiveBlock(ctx context.Context, userARN string, now time.Time) (*session.Block, bool, error) {
	s := ss.b.s
	what := "check block of " + userARN
	if userARN == "" {
		return nil, false, ss.b.fail("check block", record.Invalidf("no user ARN"))
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	it, err := s.getItem(opCtx, ss.b.table, blockID(userARN))
	if err != nil {
		return nil, false, s.describe(ctx, what, ss.b.table, err)
	}
	if len(it) == 0 {
		return nil, false, nil
	}
	b, err := decodeBlockItem(it)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", what, err)
	}
	if session.BlockKey(b.UserARN) != session.BlockKey(userARN) {
		return nil, false, ss.b.fail(what, record.Invalidf("the block item names another person"))
	}
	if !b.ActiveAt(now) {
		return nil, false, nil
	}
	return b, true, nil
}

// Unblock records the lift on the condition that the block is in force at
// at: not lifted, and with no end or an end after at.
func (ss *sessionsOnBackend) Unblock(ctx context.Context, userARN, by, byARN string, at time.Time) error {
	s := ss.b.s
	what := "unblock " + userARN
	if err := session.CheckLift(by, byARN, at); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if userARN == "" {
		return ss.b.fail(what, record.Invalidf("no user ARN"))
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
		TableName:                 aws.String(ss.b.table),
		Key:                       idKey(blockID(userARN)),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attribute_exists(#id) AND attribute_not_exists(#lat) AND (attribute_not_exists(#until) OR #until > :at)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if _, ok := conditionFailed(err); ok {
		return ss.b.fail(what, fmt.Errorf("%w: no block in force", record.ErrNotFound))
	}
	if err != nil {
		return s.describe(ctx, what, ss.b.table, err)
	}
	return nil
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
