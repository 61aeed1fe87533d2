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
	_, err := s.client.PutItem(opCtx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.sessionsTable),
		Item:                      it,
		ConditionExpression:       aws.String("attribute_not_exists(#id) OR #seq < :seq OR (#seq = :seq AND #hash = :hash)"),
		ExpressionAttributeNames:  map[string]string{"#id": attrID, "#seq": attrAnchorSeq, "#hash": attrAnchorHash},
		ExpressionAttributeValues: values,
	})
	if _, ok := conditionFailed(err); ok {
		return fmt.Errorf("%s: %w", what, logging.ErrAnchorBehind)
	}
	if err != nil {
		return s.describe(ctx, what, s.sessionsTable, err)
	}
	return nil
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
