package dynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
)

// requestsOnBackend is request.Store on the requests table: the generic
// store over the one backend, and the ID-prefix lookup, which is the
// requests' own.
type requestsOnBackend struct {
	*record.Generic[request.Request, request.Status]
	b *backend[request.Request, request.Status]
}

// newRequestStore declares requests to the backend: their table, the GSI
// of each index and their codec.
func newRequestStore(s *Store) *requestsOnBackend {
	b := &backend[request.Request, request.Status]{
		s: s, kind: request.Kind, table: s.requestsTable, codec: requestCodec,
		gsi: map[string]index{
			request.IndexRequester: requestsByRequester,
			request.IndexProfile:   requestsByProfile,
			record.StatusIndex:     requestsByStatus,
		},
	}
	return &requestsOnBackend{Generic: record.NewStore(request.Kind, b), b: b}
}

// IDsWithPrefix returns, sorted, at most limit request IDs starting with
// prefix, from the ID-prefix index: one query of the partition of the
// prefix's first record.IndexedPrefixLen characters. Requests written
// before the index existed carry no id_prefix and are found only once
// they next change.
func (rs *requestsOnBackend) IDsWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error) {
	s := rs.b.s
	what := "find request IDs starting " + prefix
	if len(prefix) < record.IndexedPrefixLen || limit <= 0 {
		return nil, rs.b.fail(what, record.Invalidf("want at least %d characters and a positive limit", record.IndexedPrefixLen))
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	in := &dynamodb.QueryInput{
		TableName:                aws.String(rs.b.table),
		IndexName:                aws.String(requestsByIDPrefix.name),
		KeyConditionExpression:   aws.String("#p = :p AND begins_with(#id, :id)"),
		ExpressionAttributeNames: map[string]string{"#p": attrIDPrefix, "#id": attrID},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p":  &types.AttributeValueMemberS{Value: record.IDPrefixKey(prefix)},
			":id": &types.AttributeValueMemberS{Value: prefix},
		},
		Limit: aws.Int32(int32(min(limit, 1000))),
	}
	var ids []string
	for len(ids) < limit {
		out, err := s.client.Query(opCtx, in)
		if err != nil {
			return nil, s.describe(ctx, what, rs.b.table, err)
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

// Request attributes beyond those that key an index.
const (
	attrRequesterARN  = "requester_arn"
	attrJustification = "justification"
	attrDurationNS    = "duration_ns"
	attrRequired      = "required"
	attrAutoApproved  = "auto_approved"
	attrCreatedAt     = "created_at"
	attrUpdatedAt     = "updated_at"
	attrDecidedAt     = "decided_at"
	attrExpiresAt     = "expires_at"
	attrReviews       = "reviews"
)

// Attributes of one review in the reviews list.
const (
	attrReviewUser    = "user"
	attrReviewARN     = "arn"
	attrReviewAction  = "action"
	attrReviewComment = "comment"
	attrReviewAt      = "at"
)
