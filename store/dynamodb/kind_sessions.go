package dynamodb

import (
	"context"
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
// the same write, and the sessions' own operations: Touch, and the blocks
// (see sessionStore for those and for the ttl of sessions and blocks).
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
		return record.Invalidf("no session given")
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
		return record.Invalidf("%s: a new session must be active, not %s", what, se.Status)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	err := retryTransactionConflicts(opCtx, func() error {
		_, err := s.client.TransactWriteItems(opCtx, &dynamodb.TransactWriteItemsInput{
			TransactItems: []types.TransactWriteItem{
				{ConditionCheck: (&sessionStore{s: s}).notBlocked(se.UserARN, se.StartedAt)},
				{Put: put},
			},
		})
		return err
	})
	if reasons, ok := cancellationReasons(err); ok {
		switch {
		case reasonIs(reasons, 0, "ConditionalCheckFailed"):
			return fmt.Errorf("%s: %w", what, blockedBy(se.ID, se.UserARN, reasons[0].Item))
		case reasonIs(reasons, 1, "ConditionalCheckFailed"):
			return fmt.Errorf("%s: %w: the ID exists", what, record.ErrConflict)
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
		return fmt.Errorf("%s: %w", what, &record.NotFoundError{Kind: session.Kind.Name, ID: id})
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	block := (&sessionStore{s: s}).notBlocked(userARN, at)
	for extend := true; ; extend = false {
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
			return nil
		case !cancelled:
			return s.describe(ctx, what, s.sessionsTable, err)
		case reasonIs(reasons, 0, "ConditionalCheckFailed"):
			return fmt.Errorf("%s: %w", what, blockedBy(id, userARN, reasons[0].Item))
		case !reasonIs(reasons, 1, "ConditionalCheckFailed"):
			return s.describe(ctx, what, s.sessionsTable, err)
		case len(reasons[1].Item) == 0:
			return fmt.Errorf("%s: %w", what, &record.NotFoundError{Kind: session.Kind.Name, ID: id})
		}
		old, err := ss.b.decode(reasons[1].Item)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !strings.EqualFold(old.UserARN, userARN) {
			return fmt.Errorf("%s: %w", what, &record.NotFoundError{Kind: session.Kind.Name, ID: id})
		}
		if st := old.EffectiveStatus(at); st != session.StatusActive {
			return fmt.Errorf("%s: %w", what, &session.StateError{ID: id, Op: "touch", Status: st})
		}
		if !extend {
			return fmt.Errorf("%s: the session changed under every attempt", what)
		}
		// Active and unexpired: the stored expiry is later than expires.
	}
}

// touchUpdate is the conditional update of one touch; extend moves
// ExpiresAt and the ttl to expires (see Touch).
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
	condition := "#uak = :uak AND #status = :active AND #exp > :at"
	if extend {
		names["#ttl"] = attrTTL
		values.setTime(":exp", expires)
		values.setInt(":ttl", ttlFor(expires, s.retention))
		update = "SET #last = :at, #exp = :exp, #ttl = :ttl ADD #count :one, #version :one"
		condition += " AND #exp <= :exp"
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

// Block stores b in its person's block item (see sessionStore.Block).
func (ss *sessionsOnBackend) Block(ctx context.Context, b session.Block) error {
	return (&sessionStore{s: ss.b.s}).Block(ctx, b)
}

// ActiveBlock reads the block of the person of userARN in force at now
// (see sessionStore.ActiveBlock).
func (ss *sessionsOnBackend) ActiveBlock(ctx context.Context, userARN string, now time.Time) (*session.Block, bool, error) {
	return (&sessionStore{s: ss.b.s}).ActiveBlock(ctx, userARN, now)
}

// Unblock lifts the block of userARN in force at at (see
// sessionStore.Unblock).
func (ss *sessionsOnBackend) Unblock(ctx context.Context, userARN, by, byARN string, at time.Time) error {
	return (&sessionStore{s: ss.b.s}).Unblock(ctx, userARN, by, byARN, at)
}
