package local

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/session"
)

// sessionStore is the session.Store view of a Store. The local store keeps
// every session and block for good: it prunes nothing, so a record lives
// at least as long as any credentials issued under it.
type sessionStore struct{ s *Store }

var (
	sessionsByUser    = index[session.Session]{bucketSessionsByUser, func(s *session.Session) string { return s.User }}
	sessionsByUserARN = index[session.Session]{bucketSessionsByUserARN, func(s *session.Session) string { return session.FoldARN(s.UserARN) }}
	sessionsByProfile = index[session.Session]{bucketSessionsByProfile, func(s *session.Session) string { return s.Profile }}
	sessionsByStatus  = index[session.Session]{bucketSessionsByStatus, func(s *session.Session) string { return string(s.Status) }}

	sessions = &collection[session.Session]{
		what:     "session",
		items:    bucketSessions,
		indexes:  []index[session.Session]{sessionsByUser, sessionsByUserARN, sessionsByProfile, sessionsByStatus},
		id:       func(s *session.Session) string { return s.ID },
		sortTime: func(s *session.Session) time.Time { return s.StartedAt },
		notFound: session.ErrNotFound,
		decode:   decodeSession,
	}
)

// decodeSession reads a stored session and refuses one that does not
// validate: the file is writable by its owner, so what it holds is
// evidence, not authority.
func decodeSession(raw []byte) (*session.Session, error) {
	s := new(session.Session)
	if err := json.Unmarshal(raw, s); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Create stores a new active session, or returns session.ErrConflict if
// the ID is taken.
func (ss *sessionStore) Create(ctx context.Context, s *session.Session) error {
	if err := session.CheckNew(s); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	item := storedSession(s)
	err := ss.s.run(ctx, true, func(tx *bolt.Tx) error {
		if sessions.exists(tx, s.ID) {
			return fmt.Errorf("%w: session %s already exists", session.ErrConflict, s.ID)
		}
		// The block is read in the same write transaction, so a block
		// stored before this commit refuses the session, and one stored
		// after it finds the session when it lists them.
		if err := refuseBlocked(tx, s.ID, s.UserARN, s.StartedAt); err != nil {
			return err
		}
		return sessions.put(tx, nil, item)
	})
	if err != nil {
		return fmt.Errorf("create session %s: %w", s.ID, err)
	}
	return nil
}

// Get returns the session with the given ID, or session.ErrNotFound.
func (ss *sessionStore) Get(ctx context.Context, id string) (*session.Session, error) {
	if !session.ValidID(id) {
		return nil, fmt.Errorf("get session %q: %w", id, session.ErrNotFound)
	}
	var s *session.Session
	err := ss.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		s, err = sessions.get(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	return s, nil
}

// Touch counts one issuance, in one write transaction (bbolt runs one at a
// time, so no count is lost), applying the rules of session.Session.Touch.
// The same transaction reads the block of the session's person, so a
// block that committed first always refuses the touch.
func (ss *sessionStore) Touch(ctx context.Context, id, userARN string, at, expires time.Time) error {
	if err := session.CheckTouch(at, expires); err != nil {
		return fmt.Errorf("touch session %s: %w", id, err)
	}
	return ss.changeTx(ctx, ss.s.batch, "touch", id, func(tx *bolt.Tx, s *session.Session) error {
		if !strings.EqualFold(s.UserARN, userARN) {
			return fmt.Errorf("%w: session %s is not %s's", session.ErrNotFound, id, userARN)
		}
		if err := s.Touch(at, expires); err != nil {
			return err
		}
		return refuseBlocked(tx, id, s.UserARN, at)
	})
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

// Revoke ends an active session, applying the rules of
// session.Session.Revoke in one write transaction.
func (ss *sessionStore) Revoke(ctx context.Context, id, by, byARN, reason string, at time.Time) error {
	if _, err := session.CheckRevoke(by, byARN, reason, at); err != nil {
		return fmt.Errorf("revoke session %s: %w", id, err)
	}
	return ss.change(ctx, "revoke", id, func(s *session.Session) error { return s.Revoke(by, byARN, reason, at) })
}

// Expire ends an active session whose child exited.
func (ss *sessionStore) Expire(ctx context.Context, id string, at time.Time) error {
	return ss.change(ctx, "expire", id, func(s *session.Session) error { return s.Expire(at) })
}

// change loads a session, applies fn and writes the result with its
// version bumped, all in one write transaction.
func (ss *sessionStore) change(ctx context.Context, op, id string, fn func(s *session.Session) error) error {
	write := func(ctx context.Context, fn func(*bolt.Tx) error) error { return ss.s.run(ctx, true, fn) }
	return ss.changeWith(ctx, write, op, id, fn)
}

// changeWith is change with the write transaction given: an ordinary one,
// or one that concurrent touches share.
func (ss *sessionStore) changeWith(ctx context.Context, write func(context.Context, func(*bolt.Tx) error) error, op, id string, fn func(s *session.Session) error) error {
	return ss.changeTx(ctx, write, op, id, func(_ *bolt.Tx, s *session.Session) error { return fn(s) })
}

// changeTx is changeWith whose fn also reads the transaction.
func (ss *sessionStore) changeTx(ctx context.Context, write func(context.Context, func(*bolt.Tx) error) error, op, id string, fn func(tx *bolt.Tx, s *session.Session) error) error {
	if !session.ValidID(id) {
		return fmt.Errorf("%s session %q: %w", op, id, session.ErrNotFound)
	}
	err := write(ctx, func(tx *bolt.Tx) error {
		old, err := sessions.get(tx, id)
		if err != nil {
			return err
		}
		item := *old
		if err := fn(tx, &item); err != nil {
			return err
		}
		item.Version++
		return sessions.put(tx, old, storedSession(&item))
	})
	if err != nil {
		return fmt.Errorf("%s session %s: %w", op, id, err)
	}
	return nil
}

// List returns the sessions matching q, newest first, served by the index
// of the most selective key that is set.
func (ss *sessionStore) List(ctx context.Context, q session.Query) ([]*session.Session, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("list sessions: %w: negative limit %d", session.ErrInvalid, q.Limit)
	}
	var (
		ix    index[session.Session]
		value string
	)
	switch {
	case q.UserARN != "":
		ix, value = sessionsByUserARN, session.FoldARN(q.UserARN)
	case q.User != "":
		ix, value = sessionsByUser, q.User
	case q.Profile != "":
		ix, value = sessionsByProfile, q.Profile
	case q.Status != "":
		ix, value = sessionsByStatus, string(q.Status)
	default:
		return nil, fmt.Errorf("list sessions: %w: give a user, a user ARN, a profile or a status", session.ErrInvalid)
	}
	var out []*session.Session
	err := ss.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		out, err = sessions.list(tx, ix, value, func(s *session.Session) bool { return sessionMatches(s, q) }, q.Limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// sessionMatches applies every key of q that is set.
func sessionMatches(s *session.Session, q session.Query) bool {
	return (q.User == "" || s.User == q.User) &&
		(q.UserARN == "" || session.FoldARN(s.UserARN) == session.FoldARN(q.UserARN)) &&
		(q.Profile == "" || s.Profile == q.Profile) &&
		(q.Status == "" || s.Status == q.Status)
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

// storedSession returns the copy of s to write, with times in UTC.
func storedSession(s *session.Session) *session.Session {
	c := *s
	c.StartedAt = c.StartedAt.UTC()
	c.LastAccessAt = c.LastAccessAt.UTC()
	c.ExpiresAt = c.ExpiresAt.UTC()
	c.RevokedAt = c.RevokedAt.UTC()
	return &c
}

// storedBlock returns the copy of b to write, with times in UTC.
func storedBlock(b *session.Block) *session.Block {
	c := *b
	c.At = c.At.UTC()
	c.Until = c.Until.UTC()
	c.LiftedAt = c.LiftedAt.UTC()
	return &c
}
