package dynamodb

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// queryIndex reads the items whose partitionKey is value from idx of table,
// newest first, page by page, handing each to take until take returns
// false or the items run out.
//
// pageSize, when positive, caps the items per page. Callers set it only
// when take keeps every item, because this function never sends a
// FilterExpression: DynamoDB applies Limit before a filter, so the two
// together would silently return too few items.
func (s *Store) queryIndex(ctx context.Context, table string, idx index, value string, pageSize int, take func(map[string]types.AttributeValue) (more bool, err error)) error {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String(idx.name),
		KeyConditionExpression:    aws.String("#k = :v"),
		ExpressionAttributeNames:  map[string]string{"#k": idx.partitionKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: value}},
		ScanIndexForward:          aws.Bool(false),
	}
	if pageSize > 0 {
		in.Limit = aws.Int32(int32(min(pageSize, 1000)))
	}
	for {
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return err
		}
		for _, it := range out.Items {
			more, err := take(it)
			if err != nil || !more {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// conflictAttempts bounds how often a write is retried when DynamoDB
// reports a clash with another transaction in flight on the same item.
const conflictAttempts = 6

// retryTransactionConflicts runs write again while it fails only because
// another transaction was working on the same items. That clash says
// nothing about the conditions: once the other transaction ends, the write
// either succeeds or fails its conditions for a real reason. The wait
// doubles from 10 ms and stops early if ctx ends.
func retryTransactionConflicts(ctx context.Context, write func() error) error {
	wait := 10 * time.Millisecond
	var err error
	for attempt := 0; attempt < conflictAttempts; attempt++ {
		err = write()
		if !isTransactionConflict(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait *= 2
	}
	return err
}

// isTransactionConflict reports whether err is only a clash with another
// transaction: a TransactionConflictException, or a cancelled transaction
// none of whose items failed for another reason.
func isTransactionConflict(err error) bool {
	var tce *types.TransactionConflictException
	if errors.As(err, &tce) {
		return true
	}
	reasons, ok := cancellationReasons(err)
	if !ok {
		return false
	}
	conflict := false
	for _, r := range reasons {
		switch aws.ToString(r.Code) {
		case "", "None":
		case "TransactionConflict":
			conflict = true
		default:
			return false
		}
	}
	return conflict
}
