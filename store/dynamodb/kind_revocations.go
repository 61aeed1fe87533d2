package dynamodb

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/revocation"
)

// DefaultRevocationsTable is the name of the revocation list's table.
const DefaultRevocationsTable = "sentinel-revocations"

// Attributes of the revocations table. The names are the JSON names of
// revocation.Entry where one exists.
const (
	attrRevTarget       = "target"
	attrRevValue        = "value"
	attrRevTargetKey    = "target_key"
	attrRevRoles        = "roles"
	attrRevBlockedAt    = "blocked_at"
	attrRevIssuedBefore = "issued_before"
	attrRevCreatedAt    = "created_at"
	attrRevExpiresAt    = "expires_at"
	attrRevBy           = "by"
	attrRevByARN        = "by_arn"
	attrRevEndedAt      = "ended_at"
	attrRevLiftedBy     = "lifted_by"
	attrRevLiftedByARN  = "lifted_by_arn"
	// attrLeaseHolder and attrLeaseUntil are a role's lease item's;
	// attrListVersion is the list version item's counter.
	attrLeaseHolder = "holder"
	attrLeaseUntil  = "until"
	attrListVersion = "list_version"
)

// Item IDs of the table's non-entry items. Neither is a record ID, so the
// generic backend never reads one as an entry, and neither has the
// attributes an index is keyed by, so no listing sees them.
const (
	revocationVersionID = "list-version"
	revocationLeaseID   = "lease#"
)

// The indexes of the revocations table.
var (
	revocationsByStatus = index{name: "status-created", partitionKey: attrStatus, sortKey: attrCreatedKey}
	revocationsByTarget = index{name: "target-created", partitionKey: attrRevTargetKey, sortKey: attrCreatedKey}
	revocationIndexes   = []index{revocationsByStatus, revocationsByTarget}
)

// roleList is a list-of-strings attribute (the role ARNs), in order.
func roleList[T any](name string, p func(*T) *[]string) attr[T] {
	return attr[T]{
		name: name,
		put: func(it item, r *T) {
			l := *p(r)
			if len(l) == 0 {
				return
			}
			out := make([]types.AttributeValue, len(l))
			for i, s := range l {
				out[i] = &types.AttributeValueMemberS{Value: s}
			}
			it[name] = &types.AttributeValueMemberL{Value: out}
		},
		get: func(rd *itemReader, r *T) {
			var l []string
			for i, v := range rd.list(name) {
				s, ok := v.(*types.AttributeValueMemberS)
				if !ok {
					rd.fail(name, "element %d: want a string, got %T", i, v)
					return
				}
				l = append(l, s.Value)
			}
			*p(r) = l
		},
	}
}

// revocationCodec is the item of an entry in the revocations table.
var revocationCodec = codec[revocation.Entry]{
	text(attrID, func(e *revocation.Entry) *string { return &e.ID }),
	text(attrRevTarget, func(e *revocation.Entry) *revocation.Target { return &e.Target }),
	text(attrRevValue, func(e *revocation.Entry) *string { return &e.Value }),
	key(attrRevTargetKey, func(e *revocation.Entry) string { return revocation.TargetKey(e.Target, e.Value) }),
	roleList(attrRevRoles, func(e *revocation.Entry) *[]string { return &e.Roles }),
	instant(attrRevBlockedAt, func(e *revocation.Entry) *time.Time { return &e.BlockedAt }),
	instant(attrRevIssuedBefore, func(e *revocation.Entry) *time.Time { return &e.IssuedBefore }),
	instant(attrRevCreatedAt, func(e *revocation.Entry) *time.Time { return &e.CreatedAt }),
	instant(attrRevExpiresAt, func(e *revocation.Entry) *time.Time { return &e.ExpiresAt }),
	text(attrRevBy, func(e *revocation.Entry) *string { return &e.By }),
	text(attrRevByARN, func(e *revocation.Entry) *string { return &e.ByARN }),
	text(attrStatus, func(e *revocation.Entry) *revocation.Status { return &e.Status }),
	instant(attrRevEndedAt, func(e *revocation.Entry) *time.Time { return &e.EndedAt }),
	text(attrRevLiftedBy, func(e *revocation.Entry) *string { return &e.LiftedBy }),
	text(attrRevLiftedByARN, func(e *revocation.Entry) *string { return &e.LiftedByARN }),
	key(attrCreatedKey, func(e *revocation.Entry) string { return sortKey(e.CreatedAt, e.ID) }),
	whole(attrVersion, func(e *revocation.Entry) *int64 { return &e.Version }),
}

// revocationsOnBackend is revocation.Store on the revocations table: the
// generic store, whose every write also bumps the list version item in the
// same transaction, and the leases, one item per role.
type revocationsOnBackend struct {
	*record.Generic[revocation.Entry, revocation.Status]
	b *backend[revocation.Entry, revocation.Status]
}

// Revocations returns the revocation.Store kept in the revocations table.
func (s *Store) Revocations() revocation.Store {
	rs := &revocationsOnBackend{}
	rs.b = &backend[revocation.Entry, revocation.Status]{
		s: s, kind: revocation.Kind, table: s.revocationsTable, codec: revocationCodec,
		gsi: map[string]index{
			record.StatusIndex:     revocationsByStatus,
			revocation.IndexTarget: revocationsByTarget,
		},
		insert: rs.insert,
		replace: func(ctx context.Context, _, _ *revocation.Entry, put *types.Put) error {
			return rs.withVersion(ctx, put)
		},
	}
	rs.Generic = record.NewStore(revocation.Kind, rs.b)
	return rs
}

// revocationKey is the key of the item with the given ID.
func revocationKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}}
}

// insert stores a new entry and bumps the version in one transaction.
func (rs *revocationsOnBackend) insert(ctx context.Context, e *revocation.Entry, put *types.Put) error {
	what := "create revocation " + e.ID
	opCtx, cancel := rs.b.s.withTimeout(ctx)
	defer cancel()
	err := rs.withVersion(opCtx, put)
	if _, ok := conditionFailed(err); ok {
		return fmt.Errorf("%s: %w: the ID exists", what, record.ErrConflict)
	}
	if err != nil {
		return rs.b.s.describe(ctx, what, rs.b.table, err)
	}
	return nil
}

// withVersion writes put and adds one to the list version in one
// TransactWriteItems. A failed condition on put comes back as a
// *types.ConditionalCheckFailedException carrying the stored item, as a
// PutItem's would.
func (rs *revocationsOnBackend) withVersion(ctx context.Context, put *types.Put) error {
	s := rs.b.s
	bump := &types.Update{
		TableName:                 aws.String(rs.b.table),
		Key:                       revocationKey(revocationVersionID),
		UpdateExpression:          aws.String("ADD #n :one"),
		ExpressionAttributeNames:  map[string]string{"#n": attrListVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
	}
	put.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	err := retryTransactionConflicts(ctx, func() error {
		_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			TransactItems: []types.TransactWriteItem{{Put: put}, {Update: bump}},
		})
		return err
	})
	if reasons, ok := cancellationReasons(err); ok && reasonIs(reasons, 0, "ConditionalCheckFailed") {
		return &types.ConditionalCheckFailedException{Message: reasons[0].Message, Item: reasons[0].Item}
	}
	return err
}

// TakeLease writes role's lease item for holder on the condition that
// there is none, it is holder's, or it ended by now.
func (rs *revocationsOnBackend) TakeLease(ctx context.Context, role, holder string, now, until time.Time) error {
	s := rs.b.s
	what := "take the revocation lease of " + role
	if role == "" || holder == "" || !until.After(now) {
		return record.Invalidf("%s: want a role, a holder and a later end", what)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	it := item{}
	it.setString(attrID, revocationLeaseID+revocation.LeaseKey(role))
	it.setString(attrLeaseHolder, holder)
	it.setInt(attrLeaseUntil, until.UnixMilli())
	it.setInt(attrTTL, ttlFor(until, s.retention))
	_, err := s.client.PutItem(opCtx, &dynamodb.PutItemInput{
		TableName:           aws.String(rs.b.table),
		Item:                it,
		ConditionExpression: aws.String("attribute_not_exists(#id) OR #h = :h OR #u <= :now"),
		ExpressionAttributeNames: map[string]string{
			"#id": attrID, "#h": attrLeaseHolder, "#u": attrLeaseUntil,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":h":   &types.AttributeValueMemberS{Value: holder},
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)},
		},
	})
	if _, ok := conditionFailed(err); ok {
		return fmt.Errorf("%s: %w", what, revocation.ErrLeaseHeld)
	}
	if err != nil {
		return s.describe(ctx, what, rs.b.table, err)
	}
	return nil
}

// ReleaseLease deletes role's lease item if holder holds it.
func (rs *revocationsOnBackend) ReleaseLease(ctx context.Context, role, holder string) error {
	s := rs.b.s
	what := "release the revocation lease of " + role
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.client.DeleteItem(opCtx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(rs.b.table),
		Key:                       revocationKey(revocationLeaseID + revocation.LeaseKey(role)),
		ConditionExpression:       aws.String("#h = :h"),
		ExpressionAttributeNames:  map[string]string{"#h": attrLeaseHolder},
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": &types.AttributeValueMemberS{Value: holder}},
	})
	if _, ok := conditionFailed(err); ok {
		return nil
	}
	if err != nil {
		return s.describe(ctx, what, rs.b.table, err)
	}
	return nil
}

// ListVersion reads the list version item with a strongly consistent read.
func (rs *revocationsOnBackend) ListVersion(ctx context.Context) (int64, error) {
	s := rs.b.s
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	out, err := s.client.GetItem(opCtx, &dynamodb.GetItemInput{
		TableName:      aws.String(rs.b.table),
		Key:            revocationKey(revocationVersionID),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, s.describe(ctx, "read the revocation list version", rs.b.table, err)
	}
	rd := &itemReader{item: out.Item}
	n := rd.int(attrListVersion)
	if rd.err != nil {
		return 0, fmt.Errorf("revocation list version: %w", rd.err)
	}
	return n, nil
}
