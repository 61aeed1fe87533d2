package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/request"
)

// requestStore implements request.Store on the requests table.
type requestStore struct {
	s *Store
}

// Create stores a new request unless its ID is taken.
func (rs *requestStore) Create(ctx context.Context, r *request.Request) error {
	s := rs.s
	what := "create request " + r.ID
	if r.ID == "" {
		return fmt.Errorf("%s: %w: empty ID", what, request.ErrInvalid)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.client.PutItem(opCtx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.requestsTable),
		Item:                     encodeRequest(r, r.Version, s.retention),
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": attrID},
	})
	if _, ok := conditionFailed(err); ok {
		return fmt.Errorf("%s: %w: the ID exists", what, request.ErrConflict)
	}
	if err != nil {
		return s.describe(ctx, what, s.requestsTable, err)
	}
	return nil
}

// Get reads a request with a strongly consistent read.
func (rs *requestStore) Get(ctx context.Context, id string) (*request.Request, error) {
	s := rs.s
	what := "get request " + id
	if id == "" {
		return nil, fmt.Errorf("%s: %w", what, request.ErrNotFound)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	out, err := s.client.GetItem(opCtx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.requestsTable),
		Key:            map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, s.describe(ctx, what, s.requestsTable, err)
	}
	if len(out.Item) == 0 {
		return nil, fmt.Errorf("%s: %w", what, request.ErrNotFound)
	}
	r, err := decodeRequest(out.Item)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}

// Update replaces the stored request with r if the stored one still has
// r.Version and prevStatus, and then bumps r.Version.
func (rs *requestStore) Update(ctx context.Context, r *request.Request, prevStatus request.Status) error {
	s := rs.s
	what := "update request " + r.ID
	if r.ID == "" {
		return fmt.Errorf("%s: %w", what, request.ErrNotFound)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.client.PutItem(opCtx, &dynamodb.PutItemInput{
		TableName:                           aws.String(s.requestsTable),
		Item:                                encodeRequest(r, r.Version+1, s.retention),
		ConditionExpression:                 aws.String(updateCondition),
		ExpressionAttributeNames:            updateNames,
		ExpressionAttributeValues:           updateValues(r.Version, string(prevStatus)),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if ccf, ok := conditionFailed(err); ok {
		if len(ccf.Item) == 0 {
			return fmt.Errorf("%s: %w", what, request.ErrNotFound)
		}
		return fmt.Errorf("%s: %w", what, request.ErrConflict)
	}
	if err != nil {
		return s.describe(ctx, what, s.requestsTable, err)
	}
	r.Version++
	return nil
}

// query queries the index of the most selective key that is set and
// applies the other keys and the limit in code.
func (rs *requestStore) query(ctx context.Context, q request.Query) ([]*request.Request, error) {
	s := rs.s
	idx, value, err := requestIndexFor(q)
	if err != nil {
		return nil, err
	}
	if q.Limit < 0 {
		return nil, fmt.Errorf("list requests: negative limit %d", q.Limit)
	}
	// Only when the index key is the one condition can DynamoDB apply the
	// limit itself.
	pageSize := 0
	if countKeys(q.Requester, q.Profile, string(q.Status)) == 1 {
		pageSize = q.Limit
	}
	return list(ctx, s, listQuery[*request.Request]{
		table: s.requestsTable, idx: idx, value: value, limit: q.Limit, pageSize: pageSize,
		decode: decodeRequest,
		match:  func(r *request.Request) bool { return requestMatches(r, q) },
		what:   "list requests",
	})
}

// requestIndexFor picks the index for q: by requester if set (one person's
// requests are few), else by profile, else by status.
func requestIndexFor(q request.Query) (index, string, error) {
	switch {
	case q.Requester != "":
		return requestsByRequester, q.Requester, nil
	case q.Profile != "":
		return requestsByProfile, q.Profile, nil
	case q.Status != "":
		return requestsByStatus, string(q.Status), nil
	default:
		return index{}, "", errors.New("list requests: set a requester, a profile or a status")
	}
}

// requestMatches applies every key of q that is set.
func requestMatches(r *request.Request, q request.Query) bool {
	return (q.Requester == "" || r.Requester == q.Requester) &&
		(q.Profile == "" || r.Profile == q.Profile) &&
		(q.Status == "" || r.Status == q.Status)
}

// countKeys counts the non-empty query keys.
func countKeys(keys ...string) int {
	n := 0
	for _, k := range keys {
		if k != "" {
			n++
		}
	}
	return n
}

// The condition of every Update, in both tables: the stored item exists
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

// encodeRequest turns r into an item stored with the given version.
// Durations are whole nanoseconds so that they round-trip exactly.
func encodeRequest(r *request.Request, version int64, retention time.Duration) item {
	it := item{}
	it.setString(attrID, r.ID)
	it.setString(attrIDPrefix, request.IDPrefixKey(r.ID))
	it.setString(attrRequester, r.Requester)
	it.setString(attrRequesterARN, r.RequesterARN)
	it.setString(attrProfile, r.Profile)
	it.setString(attrRoleARN, r.RoleARN)
	it.setString(attrJustification, r.Justification)
	it.setInt(attrDurationNS, int64(r.Duration))
	it.setString(attrStatus, string(r.Status))
	it.setInt(attrRequired, int64(r.Required))
	it.setBool(attrAutoApproved, r.AutoApproved)
	it.setTime(attrCreatedAt, r.CreatedAt)
	it.setTime(attrUpdatedAt, r.UpdatedAt)
	it.setTime(attrDecidedAt, r.DecidedAt)
	it.setTime(attrExpiresAt, r.ExpiresAt)
	it.setString(attrCreatedKey, sortKey(r.CreatedAt, r.ID))
	it.setString(attrRevokedBy, r.RevokedBy)
	it.setString(attrRevokedByARN, r.RevokedByARN)
	it.setString(attrRevokeReason, r.RevokeReason)
	it.setTime(attrRevokedAt, r.RevokedAt)
	if len(r.Reviews) > 0 {
		reviews := make([]types.AttributeValue, len(r.Reviews))
		for i, rv := range r.Reviews {
			m := item{}
			m.setString(attrReviewUser, rv.User)
			m.setString(attrReviewARN, rv.ARN)
			m.setString(attrReviewAction, string(rv.Action))
			m.setString(attrReviewComment, rv.Comment)
			m.setTime(attrReviewAt, rv.At)
			reviews[i] = &types.AttributeValueMemberM{Value: m}
		}
		it[attrReviews] = &types.AttributeValueMemberL{Value: reviews}
	}
	it.setInt(attrVersion, version)
	it.setInt(attrTTL, ttlFor(requestBusinessEnd(r), retention))
	return it
}

// requestBusinessEnd is when a request stops mattering for access: the end
// of the access window of an approved request, else the latest of its
// expiry and its last change.
func requestBusinessEnd(r *request.Request) time.Time {
	return latest(r.ExpiresAt, r.UpdatedAt, r.DecidedAt, r.WindowEnd())
}

// decodeRequest turns an item back into a request.
func decodeRequest(m map[string]types.AttributeValue) (*request.Request, error) {
	rd := &itemReader{item: m}
	r := &request.Request{
		ID:            rd.string(attrID),
		Requester:     rd.string(attrRequester),
		RequesterARN:  rd.string(attrRequesterARN),
		Profile:       rd.string(attrProfile),
		RoleARN:       rd.string(attrRoleARN),
		Justification: rd.string(attrJustification),
		Duration:      time.Duration(rd.int(attrDurationNS)),
		Status:        request.Status(rd.string(attrStatus)),
		Required:      int(rd.int(attrRequired)),
		AutoApproved:  rd.bool(attrAutoApproved),
		CreatedAt:     rd.time(attrCreatedAt),
		UpdatedAt:     rd.time(attrUpdatedAt),
		DecidedAt:     rd.time(attrDecidedAt),
		ExpiresAt:     rd.time(attrExpiresAt),
		RevokedBy:     rd.string(attrRevokedBy),
		RevokedByARN:  rd.string(attrRevokedByARN),
		RevokeReason:  rd.string(attrRevokeReason),
		RevokedAt:     rd.time(attrRevokedAt),
		Version:       rd.int(attrVersion),
	}
	for i, v := range rd.list(attrReviews) {
		m, ok := v.(*types.AttributeValueMemberM)
		if !ok {
			rd.fail(attrReviews, "element %d: want a map, got %T", i, v)
			break
		}
		rv := &itemReader{item: m.Value}
		r.Reviews = append(r.Reviews, request.Review{
			User:    rv.string(attrReviewUser),
			ARN:     rv.string(attrReviewARN),
			Action:  request.Action(rv.string(attrReviewAction)),
			Comment: rv.string(attrReviewComment),
			At:      rv.time(attrReviewAt),
		})
		if rv.err != nil {
			rd.fail(attrReviews, "element %d: %v", i, rv.err)
		}
	}
	if rd.err != nil {
		return nil, fmt.Errorf("decode request item %q: %w", r.ID, rd.err)
	}
	if r.ID == "" {
		return nil, errors.New("decode request item: no id")
	}
	return r, nil
}
