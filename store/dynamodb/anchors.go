package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/session"
)

// The team service records the log heads its callers send (POST
// /v1/anchors) in the sessions table, like the user blocks: one item per
// (caller ARN, log) under an ID starting with anchorPrefix, which no
// session ID can, and with none of the attributes that key an index, so
// no listing ever sees one. An anchor item has no ttl: it is evidence for
// as long as the log exists.
const anchorPrefix = "anchor#"

// Anchor item attributes.
const (
	attrAnchorOwner = "anchor_owner"
	attrAnchorLog   = "anchor_log"
	attrAnchorFile  = "anchor_file"
	attrAnchorSeq   = "anchor_seq"
	attrAnchorHash  = "anchor_hash"
	attrAnchorTime  = "anchor_time"
)

// anchorID is the ID of the item of one caller's log: "anchor#" and the
// SHA-256 of the folded ARN and the log name, so the key has a fixed size
// and no character of either can collide with a separator.
func anchorID(ownerARN, log string) string {
	h := sha256.New()
	fold := session.FoldARN(ownerARN)
	h.Write([]byte(strconv.Itoa(len(fold)) + ":" + fold + "\n" + log))
	return anchorPrefix + hex.EncodeToString(h.Sum(nil))
}

// PutTeamAnchor records h as ownerARN's head of h.Log with a conditional
// PutItem that only moves forward: no item yet, a lower seq, or the very
// same head (a retry). Anything else is logging.ErrAnchorBehind.
func (s *Store) PutTeamAnchor(ctx context.Context, ownerARN string, h logging.Head) error {
	what := "record log anchor"
	if ownerARN == "" || h.Log == "" {
		return fmt.Errorf("%s: %w: an anchor needs an owner and a log", what, session.ErrInvalid)
	}
	if err := logging.ValidHead(h, false); err != nil {
		return fmt.Errorf("%s: %w: %v", what, session.ErrInvalid, err)
	}
	it := item{}
	it.setString(attrID, anchorID(ownerARN, h.Log))
	it.setString(attrAnchorOwner, ownerARN)
	it.setString(attrAnchorLog, h.Log)
	it.setString(attrAnchorFile, h.File)
	it.setInt(attrAnchorSeq, h.Seq)
	it.setString(attrAnchorHash, h.Hash)
	it.setTime(attrAnchorTime, h.Time)
	values := item{}
	values.setInt(":seq", h.Seq)
	values.setString(":hash", h.Hash)
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	// A record moves forward with one conditional PutItem; a first record
	// goes in a transaction with the owner's count of logs, which stays
	// under logging.MaxTeamAnchorLogs. A first record racing another
	// writer of the same log finds it there and tries to move it forward.
	for attempt := 0; attempt < 3; attempt++ {
		_, err := s.client.PutItem(opCtx, &dynamodb.PutItemInput{
			TableName:                 aws.String(s.sessionsTable),
			Item:                      it,
			ConditionExpression:       aws.String("attribute_exists(#id) AND (#seq < :seq OR (#seq = :seq AND #hash = :hash))"),
			ExpressionAttributeNames:  map[string]string{"#id": attrID, "#seq": attrAnchorSeq, "#hash": attrAnchorHash},
			ExpressionAttributeValues: values,
		})
		if err == nil {
			return nil
		}
		if _, ok := conditionFailed(err); !ok {
			return s.describe(ctx, what, s.sessionsTable, err)
		}
		exists, err := s.putFirstAnchor(opCtx, ownerARN, it)
		switch {
		case err != nil:
			return fmt.Errorf("%s: %w", what, err)
		case !exists:
			return nil
		}
		// The record exists: step 1 failed on it because it is ahead,
		// unless it was written between the two steps.
		cur, _, err := s.TeamAnchor(ctx, ownerARN, h.Log)
		if err != nil {
			return err
		}
		if !logging.Advances(cur, h) {
			return fmt.Errorf("%s: %w", what, logging.ErrAnchorBehind)
		}
	}
	return fmt.Errorf("%s: %w", what, logging.ErrAnchorBehind)
}

// anchorCountPrefix starts the ID of the item that counts one owner's
// anchored logs; like anchorPrefix, no session ID can start with it, and
// the item has no attribute that keys an index.
const anchorCountPrefix = "anchorcount#"

// attrAnchorCount is the count of an owner's anchored logs.
const attrAnchorCount = "anchor_count"

// anchorCountID is the ID of ownerARN's count item.
func anchorCountID(ownerARN string) string {
	sum := sha256.Sum256([]byte(session.FoldARN(ownerARN)))
	return anchorCountPrefix + hex.EncodeToString(sum[:])
}

// putFirstAnchor writes the first record of a log and counts it against
// its owner, in one transaction. exists is true when the record was
// already there (nothing written); logging.ErrAnchorLimit when the owner
// anchors logging.MaxTeamAnchorLogs logs already.
func (s *Store) putFirstAnchor(ctx context.Context, ownerARN string, it item) (exists bool, err error) {
	values := item{}
	values.setInt(":one", 1)
	values.setInt(":zero", 0)
	values.setInt(":max", logging.MaxTeamAnchorLogs)
	err = retryTransactionConflicts(ctx, func() error {
		_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{
					TableName:                aws.String(s.sessionsTable),
					Item:                     it,
					ConditionExpression:      aws.String("attribute_not_exists(#id)"),
					ExpressionAttributeNames: map[string]string{"#id": attrID},
				}},
				{Update: &types.Update{
					TableName:                 aws.String(s.sessionsTable),
					Key:                       idKey(anchorCountID(ownerARN)),
					UpdateExpression:          aws.String("SET #n = if_not_exists(#n, :zero) + :one"),
					ConditionExpression:       aws.String("attribute_not_exists(#n) OR #n < :max"),
					ExpressionAttributeNames:  map[string]string{"#n": attrAnchorCount},
					ExpressionAttributeValues: values,
				}},
			},
		})
		return err
	})
	if reasons, ok := cancellationReasons(err); ok {
		switch {
		case reasonIs(reasons, 0, "ConditionalCheckFailed"):
			return true, nil
		case reasonIs(reasons, 1, "ConditionalCheckFailed"):
			return false, fmt.Errorf("%w: %d logs", logging.ErrAnchorLimit, logging.MaxTeamAnchorLogs)
		}
	}
	if err != nil {
		return false, s.describe(ctx, "record log anchor", s.sessionsTable, err)
	}
	return false, nil
}

// TeamAnchor reads ownerARN's head of log with a strongly consistent read,
// and false if there is none. The item is evidence: one that does not
// name the owner and log it is keyed by, or holds no valid head, is an
// error.
func (s *Store) TeamAnchor(ctx context.Context, ownerARN, log string) (logging.Head, bool, error) {
	what := "read log anchor"
	if ownerARN == "" || log == "" {
		return logging.Head{}, false, fmt.Errorf("%s: %w: an anchor needs an owner and a log", what, session.ErrInvalid)
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	out, err := s.client.GetItem(opCtx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.sessionsTable),
		Key:            idKey(anchorID(ownerARN, log)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return logging.Head{}, false, s.describe(ctx, what, s.sessionsTable, err)
	}
	if len(out.Item) == 0 {
		return logging.Head{}, false, nil
	}
	h, owner, err := decodeAnchor(out.Item)
	if err != nil {
		return logging.Head{}, false, fmt.Errorf("%s: %w", what, err)
	}
	if session.FoldARN(owner) != session.FoldARN(ownerARN) || h.Log != log {
		return logging.Head{}, false, fmt.Errorf("%s: the anchor item names another owner or log", what)
	}
	return h, true, nil
}

// decodeAnchor turns an anchor item back into a head and its owner.
func decodeAnchor(m map[string]types.AttributeValue) (logging.Head, string, error) {
	rd := &itemReader{item: m}
	h := logging.Head{
		Log:  rd.string(attrAnchorLog),
		File: rd.string(attrAnchorFile),
		Seq:  rd.int(attrAnchorSeq),
		Hash: rd.string(attrAnchorHash),
		Time: rd.time(attrAnchorTime),
	}
	owner := rd.string(attrAnchorOwner)
	if rd.err != nil {
		return h, "", fmt.Errorf("decode anchor item: %w", rd.err)
	}
	if owner == "" {
		return h, "", errors.New("decode anchor item: no owner")
	}
	if err := logging.ValidHead(h, false); err != nil {
		return h, "", fmt.Errorf("decode anchor item: %w", err)
	}
	return h, owner, nil
}
