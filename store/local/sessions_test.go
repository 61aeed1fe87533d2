package local

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// sessionBuckets are the buckets only sessions and blocks use.
var sessionBuckets = [][]byte{bucketSessions, bucketSessionsByUser, bucketSessionsByUserARN, bucketSessionsByProfile, bucketSessionsByStatus, bucketBlocks}

// TestSessionContract runs the session contract against a long-lived
// handle, a per-operation one (server mode) and one handle per operation
// (separate processes meeting at the file lock).
func TestSessionContract(t *testing.T) {
	t.Run("held", func(t *testing.T) {
		s := openTemp(t, Options{})
		storetest.TestSessionStore(t, func(*testing.T) session.Store { return s.Sessions() })
	})
	t.Run("per-operation", func(t *testing.T) {
		s := openTemp(t, Options{PerOperation: true})
		storetest.TestSessionStore(t, func(*testing.T) session.Store { return s.Sessions() })
	})
	t.Run("many-handles", func(t *testing.T) {
		h := &handles{path: filepath.Join(t.TempDir(), "state.db")}
		storetest.TestSessionStore(t, func(*testing.T) session.Store { return newHandleSessions(h) })
	})
}

// handleSessions is a session.Store that opens the file per operation.
type handleSessions struct {
	*record.Generic[session.Session, session.Status]
	h *handles
}

func newHandleSessions(h *handles) handleSessions {
	return handleSessions{Generic: record.NewStore(session.Kind, handleBackend[session.Session, session.Status]{h, sessions}), h: h}
}

func (hs handleSessions) Create(ctx context.Context, se *session.Session) error {
	return hs.h.with(func(s *Store) error { return s.Sessions().Create(ctx, se) })
}

func (hs handleSessions) Touch(ctx context.Context, id, userARN string, at, expires time.Time) error {
	return hs.h.with(func(s *Store) error { return s.Sessions().Touch(ctx, id, userARN, at, expires) })
}

func (hs handleSessions) Block(ctx context.Context, b session.Block) error {
	return hs.h.with(func(s *Store) error { return s.Sessions().Block(ctx, b) })
}

func (hs handleSessions) ActiveBlock(ctx context.Context, arn string, now time.Time) (b *session.Block, ok bool, err error) {
	err = hs.h.with(func(s *Store) error { b, ok, err = s.Sessions().ActiveBlock(ctx, arn, now); return err })
	return b, ok, err
}

func (hs handleSessions) Unblock(ctx context.Context, arn, by, byARN string, at time.Time) error {
	return hs.h.with(func(s *Store) error { return s.Sessions().Unblock(ctx, arn, by, byARN, at) })
}

// testSession returns a valid active session for user.
func testSession(t testing.TB, user string) *session.Session {
	t.Helper()
	id, err := session.NewID()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s, err := session.New(session.NewParams{
		ID: id, User: user, UserARN: "arn:aws:iam::111122223333:user/" + user, Account: "111122223333",
		Profile: "prod", Now: now, ExpiresAt: now.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTamperedSessionIsCorrupt rewrites a stored session by hand into one
// that does not validate (a revoked session turned back to active, keeping
// its revocation details; an escape sequence in a name) and checks that
// every read refuses it instead of acting on it.
func TestTamperedSessionIsCorrupt(t *testing.T) {
	for name, tamper := range map[string]func(m map[string]any){
		"revived":        func(m map[string]any) { m["status"] = "active" },
		"escape in user": func(m map[string]any) { m["user"] = "alice\x1b[2J" },
		"unknown status": func(m map[string]any) { m["status"] = "paused" },
		"not an object":  nil,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			s := mustOpen(t, path, Options{})
			ctx := context.Background()
			se := testSession(t, "alice")
			if err := s.Sessions().Create(ctx, se); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Sessions().Change(ctx, se.ID, func(se *session.Session) error { return se.Revoke("bob", "", "stolen", se.StartedAt.Add(time.Minute)) }); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketSessions)
				raw := []byte("[1,2,3]")
				if tamper != nil {
					var m map[string]any
					if err := json.Unmarshal(b.Get([]byte(se.ID)), &m); err != nil {
						return err
					}
					tamper(m)
					if raw, err = json.Marshal(m); err != nil {
						return err
					}
				}
				return b.Put([]byte(se.ID), raw)
			})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}

			s = mustOpen(t, path, Options{})
			defer s.Close()
			if _, err := s.Sessions().Get(ctx, se.ID); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Get: got %v, want ErrCorrupt", err)
			}
			if err := s.Sessions().Touch(ctx, se.ID, se.UserARN, se.StartedAt.Add(2*time.Minute), se.ExpiresAt); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Touch: got %v, want ErrCorrupt", err)
			}
			if _, err := s.Sessions().List(ctx, session.Query{User: "alice"}.Record(time.Now())); !errors.Is(err, ErrCorrupt) {
				t.Errorf("List: got %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestTamperedBlockIsCorrupt checks that a block damaged by hand is an
// error, not "no block": a broken block must not let the user back in.
func TestTamperedBlockIsCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := mustOpen(t, path, Options{})
	ctx := context.Background()
	arn := "arn:aws:iam::111122223333:user/alice"
	if err := s.Sessions().Block(ctx, session.Block{UserARN: arn, By: "bob", Reason: "stolen", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlocks).Put([]byte(session.FoldARN(arn)), []byte(`{"user_arn":""}`))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, Options{})
	defer s.Close()
	if _, ok, err := s.Sessions().ActiveBlock(ctx, arn, time.Now()); !errors.Is(err, ErrCorrupt) || ok {
		t.Fatalf("ActiveBlock of a damaged block: %v, %v; want ErrCorrupt", ok, err)
	}
}

// TestOlderFileGainsSessionBuckets opens a file made before sessions
// existed (no session buckets) and checks that the store adds them.
func TestOlderFileGainsSessionBuckets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	makeStore(t, path)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range sessionBuckets {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, path, Options{})
	defer s.Close()
	if err := s.Sessions().Create(context.Background(), testSession(t, "alice")); err != nil {
		t.Fatalf("Create in an older file: %v", err)
	}
}

// FuzzDecodeSession feeds the decoder of stored sessions arbitrary bytes.
// It must never panic, and whatever it accepts must validate and survive
// an encode and decode unchanged.
func FuzzDecodeSession(f *testing.F) {
	s := testSession(f, "alice")
	good, err := json.Marshal(s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	if err := s.Revoke("bob", "arn:aws:iam::1:user/bob", "stolen", s.StartedAt.Add(time.Minute)); err != nil {
		f.Fatal(err)
	}
	revoked, _ := json.Marshal(s)
	f.Add(revoked)
	f.Add([]byte(strings.Replace(string(revoked), `"revoked"`, `"active"`, 1)))
	f.Add([]byte(`{"id":"0123456789abcdef","request_count":-1}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"started_at":"99999-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := sessions.decode("fuzz", raw)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("decodeSession accepted a session that does not validate: %v", err)
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("encode an accepted session: %v", err)
		}
		back, err := sessions.decode("fuzz", again)
		if err != nil {
			t.Fatalf("decode of a re-encoded session: %v", err)
		}
		if back.ID != s.ID || back.Status != s.Status || back.RequestCount != s.RequestCount || !back.ExpiresAt.Equal(s.ExpiresAt) {
			t.Fatalf("re-encoding changed the session: %+v -> %+v", s, back)
		}
	})
}
