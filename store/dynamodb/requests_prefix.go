package dynamodb

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/request"
)

// IDsWithPrefix returns, sorted, at most limit request IDs starting with
// prefix, from the ID-prefix index: one query of the partition of the
// prefix's first request.IndexedPrefixLen characters. Requests written
// before the index existed carry no id_prefix and are found only once
// they next change.
func (rs *requestStore) IDsWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error) {
	s := rs.s
	what := "find request IDs starting " + prefix
	if len(prefix) < request.IndexedPrefixLen || limit <= 0 {
		return nil, fmt.Errorf("%s: %w: want at least %d characters and a positive limit", what, request.ErrInvalid, request.IndexedPrefixLen)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.requestsTable),
		IndexName:                aws.String(requestsByIDPrefix.name),
		KeyConditionExpression:   aws.String("#p = :p AND begins_with(#id, :id)"),
		ExpressionAttributeNames: map[string]string{"#p": attrIDPrefix, "#id": attrID},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p":  &types.AttributeValueMemberS{Value: request.IDPrefixKey(prefix)},
			":id": &types.AttributeValueMemberS{Value: prefix},
		},
		Limit: aws.Int32(int32(min(limit, 1000))),
	}
	var ids []string
	for len(ids) < limit {
		out, err := s.client.Query(opCtx, in)
		if err != nil {
			return nil, s.describe(ctx, what, s.requestsTable, err)
		}
		for _, it := range out.Items {
			if v, ok := it[attrID].(*types.AttributeValueMemberS); ok && len(ids) < limit {
				ids = append(ids, v.Value)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return ids, nil
}
