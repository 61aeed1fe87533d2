package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/session"
)

// bucketAnchors holds one record per decision log: its last anchored head,
// keyed by the log's name. It is created on the first anchor, so stores
// written before it existed need no migration.
var bucketAnchors = []byte("anchors")

// Anchors returns the store's view as a decision-log anchor. It is the
// weakest anchor: whoever writes the log can usually write this file too.
func (s *Store) Anchors() *AnchorStore { return &AnchorStore{s: s} }

// AnchorStore keeps the last head of each decision log in the store file;
// a head only ever moves forward. It implements logging.Anchorer and
// logging.AnchorSource.
type AnchorStore struct{ s *Store }

// String names the anchor.
func (a *AnchorStore) String() string { return "local store " + a.s.path }

// Anchor records h unless it is behind the head already recorded for
// h.Log (logging.ErrAnchorBehind).
func (a *AnchorStore) Anchor(ctx context.Context, h logging.Head) error {
	if err := logging.ValidHead(h, false); err != nil {
		return err
	}
	val, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return a.s.run(ctx, true, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketAnchors)
		if err != nil {
			return fmt.Errorf("create anchors bucket: %w", err)
		}
		key := keyPart(h.Log)
		if old := b.Get(key); old != nil {
			cur, err := decodeAnchor(old)
			if err != nil {
				return err
			}
			if !logging.Advances(cur, h) {
				return fmt.Errorf("%w: holds seq %d, got seq %d", logging.ErrAnchorBehind, cur.Seq, h.Seq)
			}
		}
		return b.Put(key, val)
	})
}

// LastAnchor returns the head recorded for log.
func (a *AnchorStore) LastAnchor(ctx context.Context, log string) (logging.Head, bool, error) {
	var h logging.Head
	var ok bool
	err := a.s.run(ctx, false, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAnchors)
		if b == nil {
			return nil
		}
		v := b.Get(keyPart(log))
		if v == nil {
			return nil
		}
		var err error
		h, err = decodeAnchor(v)
		ok = err == nil
		return err
	})
	return h, ok, err
}

// decodeAnchor reads a stored head; the file is evidence, so its shape is
// checked.
func decodeAnchor(v []byte) (logging.Head, error) {
	var h logging.Head
	if err := json.Unmarshal(v, &h); err != nil {
		return h, fmt.Errorf("%w: anchor record: %v", ErrCorrupt, err)
	}
	if err := logging.ValidHead(h, false); err != nil {
		return h, fmt.Errorf("%w: anchor record: %v", ErrCorrupt, err)
	}
	return h, nil
}

// bucketTeamAnchors holds the heads the team service records for its
// callers: one record per (caller ARN, log), keyed by both, so that one
// caller can never move or read another's record.
var bucketTeamAnchors = []byte("team_anchors")

// teamAnchorKey keys a caller's record of one log. The ARN is folded
// (session.FoldARN) because IAM compares ARNs without case.
func teamAnchorKey(ownerARN, log string) []byte {
	return append(keyPart(session.FoldARN(ownerARN)), keyPart(log)...)
}

// PutTeamAnchor records h as ownerARN's head of h.Log unless it is behind
// the one recorded (logging.ErrAnchorBehind). It is the team service's
// anchor store (broker.TeamAnchors).
func (s *Store) PutTeamAnchor(ctx context.Context, ownerARN string, h logging.Head) error {
	if ownerARN == "" || h.Log == "" {
		return fmt.Errorf("%w: an anchor needs an owner and a log", session.ErrInvalid)
	}
	if err := logging.ValidHead(h, false); err != nil {
		return fmt.Errorf("%w: %v", session.ErrInvalid, err)
	}
	val, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return s.run(ctx, true, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketTeamAnchors)
		if err != nil {
			return fmt.Errorf("create team anchors bucket: %w", err)
		}
		key := teamAnchorKey(ownerARN, h.Log)
		if old := b.Get(key); old != nil {
			cur, err := decodeAnchor(old)
			if err != nil {
				return err
			}
			if !logging.Advances(cur, h) {
				return fmt.Errorf("%w: holds seq %d, got seq %d", logging.ErrAnchorBehind, cur.Seq, h.Seq)
			}
		} else if n := countPrefix(b, keyPart(session.FoldARN(ownerARN)), logging.MaxTeamAnchorLogs); n >= logging.MaxTeamAnchorLogs {
			return fmt.Errorf("%w: %d logs", logging.ErrAnchorLimit, n)
		}
		return b.Put(key, val)
	})
}

// TeamAnchor returns the head ownerARN recorded for log, and false if
// there is none.
func (s *Store) TeamAnchor(ctx context.Context, ownerARN, log string) (logging.Head, bool, error) {
	var h logging.Head
	var ok bool
	err := s.run(ctx, false, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTeamAnchors)
		if b == nil {
			return nil
		}
		v := b.Get(teamAnchorKey(ownerARN, log))
		if v == nil {
			return nil
		}
		var err error
		h, err = decodeAnchor(v)
		if err == nil && h.Log != log {
			err = fmt.Errorf("%w: team anchor record names another log", ErrCorrupt)
		}
		ok = err == nil
		return err
	})
	return h, ok, err
}

// countPrefix counts the keys of b that start with prefix, up to max.
// Keys are length-prefixed parts, so one owner's prefix is never the
// start of another owner's keys.
func countPrefix(b *bolt.Bucket, prefix []byte, max int) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && n < max; k, _ = c.Next() {
		n++
	}
	return n
}
