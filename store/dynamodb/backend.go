package dynamodb

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/record"
)

// backend is record.Backend on one DynamoDB table, the same code for every
// kind: a kind brings its declaration (its table, the GSI of each of its
// indexes, its attribute codec) and, where its writes must do more than
// one conditional PutItem, a hook.
type backend[T any, S ~string] struct {
	s     *Store
	kind  *record.Kind[T, S]
	table string
	// gsi maps each index name of the kind to the GSI that serves it.
	gsi   map[string]index
	codec codec[T]

	// insert, when set, stores a new record instead of the one
	// conditional PutItem (put), and returns the final error: break-glass
	// events take their lock, sessions check their person's block.
	insert func(ctx context.Context, r *T, put *types.Put) error
	// replace, when set, writes put (conditioned on old's version and
	// status) with whatever else the kind changes in the same write, and
	// returns what a single PutItem would: a failed condition on put as a
	// *types.ConditionalCheckFailedException carrying the stored item.
	replace func(ctx context.Context, old, r *T, put *types.Put) error
}

var _ record.Backend[struct{}] = (*backend[struct{}, string])(nil)

// item is the whole item of r: its codec's attributes and the ttl, its
// kind's End plus the audit retention.
func (b *backend[T, S]) item(r *T) item {
	it := b.codec.encode(r)
	it.setInt(attrTTL, ttlFor(b.kind.End(r), b.s.retention))
	return it
}

// decode reads a record out of an item and checks it with the kind's
// Validate: what a table holds is evidence, not authority.
func (b *backend[T, S]) decode(m map[string]types.AttributeValue) (*T, error) {
	r, err := b.codec.decode(m)
	if err != nil {
		return nil, b.kind.Errors.Wrap(record.Invalidf("stored %s item: %v", b.kind.Name, err))
	}
	if id := b.kind.ID(r); !record.ValidID(id) {
		// Lock, quota, block and anchor items share the tables.
		return nil, b.kind.Errors.Wrap(record.Invalidf("stored %s item: %q is not a record ID", b.kind.Name, id))
	}
	if err := b.kind.Validate(r); err != nil {
		return nil, b.fail(fmt.Sprintf("stored %s %s", b.kind.Name, b.kind.ID(r)), err)
	}
	return r, nil
}

// fail is err after what, matching the kind's own error value as well as
// record's (see record.Errors.Wrap), with the kind's words first.
func (b *backend[T, S]) fail(what string, err error) error {
	return fmt.Errorf("%s: %w", what, b.kind.Errors.Wrap(err))
}

// notFound is the error for a missing record with the given ID, worded as
// the local store words it ("session not found: no session with ID ...").
func (b *backend[T, S]) notFound(id string) error {
	return b.kind.Errors.Wrap(&record.NotFoundError{Kind: b.kind.Name, ID: id})
}

// Insert stores r unless an item has its ID.
func (b *backend[T, S]) Insert(ctx context.Context, r *T) error {
	id := b.kind.ID(r)
	what := fmt.Sprintf("create %s %s", b.kind.Name, id)
	if !record.ValidID(id) {
		return b.fail(what, record.Invalidf("%q is not a record ID", id))
	}
	put := b.insertPut(r)
	if b.insert != nil {
		return b.insert(ctx, r, put)
	}
	opCtx, cancel := b.s.withTimeout(ctx)
	defer cancel()
	err := b.s.putItem(opCtx, put)
	if _, ok := conditionFailed(err); ok {
		return b.fail(what, fmt.Errorf("%w: the ID exists", record.ErrConflict))
	}
	if err != nil {
		return b.s.describe(ctx, what, b.table, err)
	}
	return nil
}

// insertPut is the conditional Put of a new record: no item has its ID.
func (b *backend[T, S]) insertPut(r *T) *types.Put {
	return &types.Put{
		TableName:                aws.String(b.table),
		Item:                     b.item(r),
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": attrID},
	}
}

// Load reads the record with a strongly consistent read. An ID that is not
// a record ID (a lock, quota, block or anchor item's) is not found.
func (b *backend[T, S]) Load(ctx context.Context, id string) (*T, error) {
	if !record.ValidID(id) {
		return nil, b.notFound(id)
	}
	opCtx, cancel := b.s.withTimeout(ctx)
	defer cancel()
	it, err := b.s.getItem(opCtx, b.table, id)
	if err != nil {
		return nil, b.s.describe(ctx, fmt.Sprintf("get %s %s", b.kind.Name, id), b.table, err)
	}
	if len(it) == 0 {
		return nil, b.notFound(id)
	}
	return b.decode(it)
}

// getItem reads the item with the given ID with a strongly consistent
// read; a missing item is an empty one.
func (s *Store) getItem(ctx context.Context, table, id string) (map[string]types.AttributeValue, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            idKey(id),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

// Replace writes r over old with one PutItem (or the kind's replace hook)
// on the condition that the stored item still has old's version and
// status. The item returned with a failed condition tells a lost race
// (ErrConflict) from a record that is gone (ErrNotFound).
func (b *backend[T, S]) Replace(ctx context.Context, old, r *T) error {
	id := b.kind.ID(r)
	what := fmt.Sprintf("update %s %s", b.kind.Name, id)
	if !record.ValidID(id) || b.kind.ID(old) != id {
		return b.notFound(id)
	}
	put := &types.Put{
		TableName:                           aws.String(b.table),
		Item:                                b.item(r),
		ConditionExpression:                 aws.String(updateCondition),
		ExpressionAttributeNames:            updateNames,
		ExpressionAttributeValues:           updateValues(*b.kind.Version(old), string(b.kind.Status(old))),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	opCtx, cancel := b.s.withTimeout(ctx)
	defer cancel()
	var err error
	if b.replace != nil {
		err = b.replace(opCtx, old, r, put)
	} else {
		err = b.s.putItem(opCtx, put)
	}
	if ccf, ok := conditionFailed(err); ok {
		if len(ccf.Item) == 0 {
			return b.notFound(id)
		}
		return b.fail(what, fmt.Errorf("%w: another write came first", record.ErrConflict))
	}
	if err != nil {
		return b.s.describe(ctx, what, b.table, err)
	}
	return nil
}

// Scan queries the GSI of ix for value (folded on a folded index), newest
// first, page by page, up to limit records (0: all). An item that does not
// decode ends the listing with an error: a damaged record is never
// skipped silently.
func (b *backend[T, S]) Scan(ctx context.Context, ix record.Index[T], value string, limit int) ([]*T, error) {
	what := fmt.Sprintf("list %ss by %s", b.kind.Name, ix.Name)
	gsi, ok := b.gsi[ix.Name]
	if !ok {
		return nil, b.fail(what, record.Invalidf("the table has no such index"))
	}
	if limit < 0 {
		return nil, b.fail(what, record.Invalidf("negative limit %d", limit))
	}
	if ix.Fold {
		value = strings.ToLower(value)
	}
	if value == "" {
		// DynamoDB refuses an empty key value; no item is stored under one.
		return nil, nil
	}
	opCtx, cancel := b.s.withTimeout(ctx)
	defer cancel()
	var found []*T
	var bad error
	err := b.s.queryIndex(opCtx, b.table, gsi, value, limit, func(it map[string]types.AttributeValue) (bool, error) {
		r, err := b.decode(it)
		if err != nil {
			bad = err
			return false, nil
		}
		found = append(found, r)
		return limit == 0 || len(found) < limit, nil
	})
	switch {
	case bad != nil:
		return nil, fmt.Errorf("%s: %w", what, bad)
	case err != nil:
		return nil, b.s.describe(ctx, what, b.table, err)
	}
	return found, nil
}

// putItem sends put as one PutItem, again while it clashes only with a
// transaction in flight on the same item.
func (s *Store) putItem(ctx context.Context, put *types.Put) error {
	return retryTransactionConflicts(ctx, func() error {
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
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

// The condition of every Replace, in every table: the stored item exists
// with the caller's version and the expected previous status.
const updateCondition = "attribute_exists(#id) AND #version = :expected AND #status = :prev"

// updateNames maps the placeholders of updateCondition; status and version
// are DynamoDB reserved words, so they cannot be used bare.
var updateNames = map[string]string{"#id": attrID, "#version": attrVersion, "#status": attrStatus}

// updateValues fills the values of updateCondition.
func updateValues(expected int64, prevStatus string) map[string]types.AttributeValue {
	it := item{}
	it.setInt(":expected", expected)
	it[":prev"] = &types.AttributeValueMemberS{Value: prevStatus}
	return it
}

// idKey is the primary key of the item with the given ID.
func idKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}}
}
