package local

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/session"
)

// sessions is where sessions live in the file. The local store keeps
// every session and block for good: it prunes nothing, so a record lives
// at least as long as any credentials issued under it. A new session's
// block is read in the transaction that stores it, so a block stored
// before that commit refuses the session, and one stored after it finds
// the session when it lists them.
var sessions = func() *collection[session.Session, session.Status] {
	c := newCollection(session.Kind, bucketSessions, map[string][]byte{
		session.IndexUser:    bucketSessionsByUser,
		session.IndexUserARN: bucketSessionsByUserARN,
		session.IndexProfile: bucketSessionsByProfile,
		record.StatusIndex:   bucketSessionsByStatus,
	})
	c.inserting = func(tx *bolt.Tx, s *session.Session) error {
		return refuseBlocked(tx, s.ID, s.UserARN, s.StartedAt)
	}
	return c
}()

// sessionStore is the session.Store view of a Store: the generic store,
// with Create checking a new session first, and touches and blocks.
type sessionStore struct {
	*record.Generic[session.Session, session.Status]
	s *Store
}

// Create stores a new active session (checked with session.CheckNew), or
// returns session.ErrConflict if the ID is taken.
func (ss *sessionStore) Create(ctx context.Context, s *session.Session) error {
	if err := session.CheckNew(s); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return ss.Generic.Create(ctx, s)
}

// Touch counts one issuance, in one write transaction (bbolt runs one at a
// time, so no count is lost), applying the rules of session.Session.Touch.
// The same transaction reads the block of the session's person, so a
// block that committed first always refuses the touch.
func (ss *sessionStore) Touch(ctx context.Context, id, userARN string, at, expires time.Time) error {
	if err := session.CheckTouch(at, expires); err != nil {
		return fmt.Errorf("touch session %s: %w", id, err)
	}
	if !session.ValidID(id) {
		return fmt.Errorf("touch session %q: %w", id, session.ErrNotFound)
	}
	err := ss.s.batch(ctx, func(tx *bolt.Tx) error {
		old, err := sessions.get(tx, id)
		if err != nil {
			return err
		}
		if !strings.EqualFold(old.UserARN, userARN) {
			return fmt.Errorf("%w: session %s is not %s's", session.ErrNotFound, id, userARN)
		}
		s := session.Kind.Normalize(old)
		if err := s.Touch(at, expires); err != nil {
			return err
		}
		if err := refuseBlocked(tx, id, s.UserARN, at); err != nil {
			return err
		}
		s.Version++
		return sessions.put(tx, old, session.Kind.Normalize(s))
	})
	if err != nil {
		return fmt.Errorf("touch session %s: %w", id, err)
	}
	return nil
}

// refuseBlocked returns a *session.BlockedError when the person of
// userARN has a block in force at at.
func refuseBlocked(tx *bolt.Tx, id, userARN string, at time.Time) error {
	b, err := getBlock(tx, userARN)
	if err != nil {
		return err
	}
	if b != nil && b.ActiveAt(at) {
		return &session.BlockedError{ID: id, Block: b}
	}
	return nil
}

// Block stores b under its person key (session.BlockKey), replacing any
// earlier block of that person.
func (ss *sessionStore) Block(ctx context.Context, b session.Block) error {
	if err := session.CheckNewBlock(&b); err != nil {
		return fmt.Errorf("block user: %w", err)
	}
	item := storedBlock(&b)
	raw, err := json.Marshal(item)
	if err != nil {
		return fmt.Errorf("block user %s: encode: %w", b.UserARN, err)
	}
	err = ss.s.run(ctx, true, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlocks).Put([]byte(session.BlockKey(b.UserARN)), raw)
	})
	if err != nil {
		return fmt.Errorf("block user %s: %w", b.UserARN, err)
	}
	return nil
}

// ActiveBlock returns the block of userARN if it is in force at now.
func (ss *sessionStore) ActiveBlock(ctx context.Context, userARN string, now time.Time) (*session.Block, bool, error) {
	if userARN == "" {
		return nil, false, fmt.Errorf("check block: %w: no user ARN", session.ErrInvalid)
	}
	var b *session.Block
	err := ss.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		b, err = getBlock(tx, userARN)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("check block of %s: %w", userARN, err)
	}
	if b == nil || !b.ActiveAt(now) {
		return nil, false, nil
	}
	return b, true, nil
}

// Unblock lifts the block of userARN that is in force at at.
func (ss *sessionStore) Unblock(ctx context.Context, userARN, by, byARN string, at time.Time) error {
	if err := session.CheckLift(by, byARN, at); err != nil {
		return fmt.Errorf("unblock %s: %w", userARN, err)
	}
	err := ss.s.run(ctx, true, func(tx *bolt.Tx) error {
		b, err := getBlock(tx, userARN)
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("%w: no block for %s", session.ErrNotFound, userARN)
		}
		if err := b.Lift(by, byARN, at); err != nil {
			return err
		}
		raw, err := json.Marshal(storedBlock(b))
		if err != nil {
			return fmt.Errorf("encode block: %w", err)
		}
		return tx.Bucket(bucketBlocks).Put([]byte(session.BlockKey(userARN)), raw)
	})
	if err != nil {
		return fmt.Errorf("unblock %s: %w", userARN, err)
	}
	return nil
}

// getBlock loads the block of the person of userARN, or nil if there is
// none. Blocks of IAM users stored before person keys existed sit under
// the same key (the lower-cased user ARN).
func getBlock(tx *bolt.Tx, userARN string) (*session.Block, error) {
	raw := tx.Bucket(bucketBlocks).Get([]byte(session.BlockKey(userARN)))
	if raw == nil {
		return nil, nil
	}
	b, err := decodeBlock(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: decode block: %v", ErrCorrupt, err)
	}
	if session.BlockKey(b.UserARN) != session.BlockKey(userARN) {
		return nil, fmt.Errorf("%w: the block stored for %s names another person", ErrCorrupt, userARN)
	}
	return b, nil
}

// decodeBlock reads a stored block and refuses one that does not validate.
func decodeBlock(raw []byte) (*session.Block, error) {
	b := new(session.Block)
	if err := json.Unmarshal(raw, b); err != nil {
		return nil, err
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

// storedBlock returns the copy of b to write, with times in UTC.
func storedBlock(b *session.Block) *session.Block {
	c := *b
	c.At = c.At.UTC()
	c.Until = c.Until.UTC()
	c.LiftedAt = c.LiftedAt.UTC()
	return &c
}
