package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/session"
)

// sessionRacers is how many goroutines the session race tests start.
const sessionRacers = 32

// TestSessionStore runs the session.Store contract against the stores that
// newStore returns. newStore is called once per subtest.
func TestSessionStore(t *testing.T, newStore func(t *testing.T) session.Store) {
	s := &sessionSuite{prefix: uniquePrefix(t), base: baseTime(), newStore: newStore}
	Contract(t, Fixture[session.Session, session.Status]{
		Kind:  session.Kind,
		Store: func(t *testing.T) record.Reader[session.Session, session.Status] { return newStore(t) },
		Create: func(t *testing.T, st record.Reader[session.Session, session.Status], se *session.Session) error {
			return st.(session.Store).Create(t.Context(), se)
		},
		New: func(t *testing.T, owner, profile string, at time.Time) *session.Session {
			return s.newSession(t, owner, profile, at.Sub(s.base))
		},
		Fill: func(t *testing.T, se *session.Session, at time.Time) {
			se.Host = "ünïcode host ✓"
			se.ExpiresAt = se.ExpiresAt.Add(7) // nanoseconds must survive
		},
		Finish: func(se *session.Session, actor string, at time.Time) error {
			return se.Revoke(actor, "arn:aws:iam::111122223333:user/"+actor, "contract suite", at)
		},
		Expire: func(se *session.Session, at time.Time) error { return se.Expire(at) },
		Bump: func(se *session.Session, _ string, at time.Time) error {
			return se.Touch(at, se.ExpiresAt)
		},
		Count:     func(se *session.Session) int { return int(se.RequestCount) },
		Owner:     session.IndexUser,
		Profile:   session.IndexProfile,
		SetID:     func(se *session.Session, id string) { se.ID = id },
		SetStatus: func(se *session.Session, st session.Status) { se.Status = st },
		Diff:      diffSession,
	})
	t.Run("RoundTripBareAndRevoked", s.createGetRoundTrip)
	t.Run("CreateRefusesInvalid", s.createRefusesInvalid)
	t.Run("GetMissingOddIDs", s.getMissing)
	t.Run("TouchCountsAndExtends", s.touchCountsAndExtends)
	t.Run("TouchRefusals", s.touchRefusals)
	t.Run("RevokeRecordsAndStopsTouches", s.revokeRecordsAndStopsTouches)
	t.Run("RevokeRefusals", s.revokeRefusals)
	t.Run("RevokePastExpiry", s.revokePastExpiry)
	t.Run("Expire", s.expire)
	t.Run("ListByUserIsExact", s.listByUserExact)
	t.Run("ListByUserARNIgnoresCase", s.listByUserARN)
	t.Run("Blocks", s.blocks)
	t.Run("BlockRefusesInvalid", s.blockRefusesInvalid)
	t.Run("RaceTouch", s.raceTouch)
	t.Run("RaceRevokeTouch", s.raceRevokeTouch)
	t.Run("RaceBlock", s.raceBlock)
}

// revoke revokes session id through Change, as the broker does.
func revoke(ctx context.Context, st session.Store, id, by, byARN, reason string, at time.Time) error {
	_, err := st.Change(ctx, id, func(se *session.Session) error { return se.Revoke(by, byARN, reason, at) })
	return err
}

// expireSession records through Change that session id's child exited.
func expireSession(ctx context.Context, st session.Store, id string, at time.Time) error {
	_, err := st.Change(ctx, id, func(se *session.Session) error { return se.Expire(at) })
	return err
}

// listByUserExact: the user index is exact; only the ARN index ignores
// case.
func (s *sessionSuite) listByUserExact(t *testing.T) {
	st := s.newStore(t)
	alice := s.name(t, "alice")
	s.create(t, st, s.newSession(t, alice, s.name(t, "prod"), 0))
	checkIDs(t, "by user in another case", s.list(t, st, session.Query{User: strings.ToUpper(alice)}))
}

type sessionSuite struct {
	prefix   string
	base     time.Time
	newStore func(t *testing.T) session.Store
}

// name returns a user or profile name private to one subtest.
func (s *sessionSuite) name(t *testing.T, what string) string {
	return fmt.Sprintf("%s-%s-%s", s.prefix, t.Name(), what)
}

// arn is the ARN of a user private to one subtest.
func (s *sessionSuite) arn(t *testing.T, user string) string {
	return "arn:aws:iam::111122223333:user/" + s.name(t, user)
}

// newSession builds a valid active session started at s.base + offset
// that lasts an hour.
func (s *sessionSuite) newSession(t *testing.T, user, profile string, offset time.Duration) *session.Session {
	t.Helper()
	id, err := session.NewID()
	if err != nil {
		t.Fatalf("NewID: %v", err)
	}
	start := s.base.Add(offset)
	se, err := session.New(session.NewParams{
		ID: id, User: user, UserARN: "arn:aws:iam::111122223333:user/" + user, Account: "111122223333",
		Profile: profile, RoleARN: "arn:aws:iam::111122223333:role/" + profile, Host: "host-" + user, PID: 4242,
		SourceIdentity: "ses-" + id, Now: start, ExpiresAt: start.Add(time.Hour),
	})
	if err != nil {
		t.Fatalf("session.New: %v", err)
	}
	return se
}

func (s *sessionSuite) create(t *testing.T, st session.Store, se *session.Session) {
	t.Helper()
	if err := st.Create(t.Context(), se); err != nil {
		t.Fatalf("Create %s: %v", se.ID, err)
	}
}

func (s *sessionSuite) get(t *testing.T, st session.Store, id string) *session.Session {
	t.Helper()
	return mustGet(t, st, id)
}

// list runs q and returns the IDs in order.
func (s *sessionSuite) list(t *testing.T, st session.Store, q session.Query) []string {
	t.Helper()
	return listIDs(t, st, session.Kind, q.Record(s.base))
}

// unchanged fails t if the stored session differs from want.
func (s *sessionSuite) unchanged(t *testing.T, st session.Store, want *session.Session, after string) {
	t.Helper()
	if diff := diffSession(want, s.get(t, st, want.ID)); diff != "" {
		t.Fatalf("%s changed the stored session: %s", after, diff)
	}
}

func (s *sessionSuite) createGetRoundTrip(t *testing.T) {
	st := s.newStore(t)
	se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	se.Host = "ünïcode host ✓"
	se.ExpiresAt = se.ExpiresAt.Add(7) // nanoseconds must survive
	s.create(t, st, se)
	s.unchanged(t, st, se, "the round trip")

	// Optional fields left empty stay empty.
	bare := s.newSession(t, s.name(t, "bob"), s.name(t, "prod"), time.Second)
	bare.RoleARN, bare.Host, bare.PID, bare.SourceIdentity = "", "", 0, ""
	s.create(t, st, bare)
	s.unchanged(t, st, bare, "the round trip of a bare session")

	// The revocation fields round-trip too.
	at := s.base.Add(time.Minute + 3)
	if err := revoke(t.Context(), st, se.ID, s.name(t, "carol"), "arn:aws:iam::111122223333:user/carol", "  laptop stolen ✓\n", at); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	want := *se
	want.Status, want.RevokedBy, want.RevokedByARN = session.StatusRevoked, s.name(t, "carol"), "arn:aws:iam::111122223333:user/carol"
	want.RevokeReason, want.RevokedAt, want.Version = "laptop stolen ✓", at, 1
	s.unchanged(t, st, &want, "the revocation")

	// Changing a returned copy must not change the stored one.
	got := s.get(t, st, se.ID)
	got.User = "changed in memory only"
	s.unchanged(t, st, &want, "changing a returned copy")
}

func (s *sessionSuite) createRefusesInvalid(t *testing.T) {
	st := s.newStore(t)
	tests := []struct {
		name string
		edit func(se *session.Session)
	}{
		{"revoked", func(se *session.Session) {
			se.Status, se.RevokedBy, se.RevokeReason, se.RevokedAt = session.StatusRevoked, "bob", "stolen", s.base
		}},
		{"expired", func(se *session.Session) { se.Status = session.StatusExpired }},
		{"bad id", func(se *session.Session) { se.ID = "block#abc" }},
		{"control character in host", func(se *session.Session) { se.Host = "host\x1b[2J" }},
		{"no user ARN", func(se *session.Session) { se.UserARN = "" }},
		{"over-long profile", func(se *session.Session) { se.Profile = strings.Repeat("p", session.MaxName+1) }},
	}
	for _, tt := range tests {
		se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), 0)
		tt.edit(se)
		if err := st.Create(t.Context(), se); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("Create of a session with %s: got %v, want ErrInvalid", tt.name, err)
		}
		if _, err := st.Get(t.Context(), se.ID); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("after refusing a session with %s, Get: got %v, want ErrNotFound", tt.name, err)
		}
	}
	if err := st.Create(t.Context(), nil); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Create(nil): got %v, want ErrInvalid", err)
	}
}

func (s *sessionSuite) getMissing(t *testing.T) {
	st := s.newStore(t)
	id, err := session.NewID()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{id, "", "block#0123", "not an id"} {
		if _, err := st.Get(t.Context(), id); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("Get(%q): got %v, want ErrNotFound", id, err)
		}
	}
}

func (s *sessionSuite) touchCountsAndExtends(t *testing.T) {
	st := s.newStore(t)
	se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, se)
	want := *se
	steps := []struct {
		at, expires time.Time
		wantExpires time.Time
	}{
		{s.base.Add(time.Minute), s.base.Add(2 * time.Hour), s.base.Add(2 * time.Hour)},
		// Credentials that expire sooner never shorten the session.
		{s.base.Add(2 * time.Minute), s.base.Add(30 * time.Minute), s.base.Add(2 * time.Hour)},
		{s.base.Add(3*time.Minute + 1), s.base.Add(3*time.Hour + 5), s.base.Add(3*time.Hour + 5)},
	}
	for i, step := range steps {
		if err := st.Touch(t.Context(), se.ID, se.UserARN, step.at, step.expires); err != nil {
			t.Fatalf("Touch %d: %v", i, err)
		}
		want.RequestCount++
		want.Version++
		want.LastAccessAt = step.at
		want.ExpiresAt = step.wantExpires
		s.unchanged(t, st, &want, fmt.Sprintf("touch %d (compared with what it should be)", i))
	}
}

func (s *sessionSuite) touchRefusals(t *testing.T) {
	st := s.newStore(t)
	se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, se)
	ctx := t.Context()
	missing, err := session.NewID()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Touch(ctx, missing, se.UserARN, s.base, s.base.Add(time.Hour)); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Touch of a missing session: got %v, want ErrNotFound", err)
	}
	if err := st.Touch(ctx, se.ID, s.arn(t, "mallory"), s.base, s.base.Add(time.Hour)); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Touch as another user: got %v, want ErrNotFound", err)
	}
	if err := st.Touch(ctx, se.ID, se.UserARN, s.base, s.base); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Touch with credentials that expire at once: got %v, want ErrInvalid", err)
	}
	if err := st.Touch(ctx, se.ID, se.UserARN, time.Time{}, s.base.Add(time.Hour)); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Touch without a time: got %v, want ErrInvalid", err)
	}
	// At ExpiresAt the session reads as expired; a touch cannot revive it.
	end := se.ExpiresAt
	err = st.Touch(ctx, se.ID, se.UserARN, end, end.Add(time.Hour))
	var stateErr *session.StateError
	if !errors.Is(err, session.ErrExpired) || !errors.As(err, &stateErr) || stateErr.Status != session.StatusExpired {
		t.Errorf("Touch at ExpiresAt: got %v, want a *StateError with ErrExpired", err)
	}
	s.unchanged(t, st, se, "refused touches")
}

func (s *sessionSuite) revokeRecordsAndStopsTouches(t *testing.T) {
	st := s.newStore(t)
	se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, se)
	ctx := t.Context()
	if err := st.Touch(ctx, se.ID, se.UserARN, s.base.Add(time.Minute), s.base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	at := s.base.Add(2 * time.Minute)
	if err := revoke(ctx, st, se.ID, "bob", "", "laptop stolen", at); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	got := s.get(t, st, se.ID)
	if got.Status != session.StatusRevoked || got.RevokedBy != "bob" || got.RevokeReason != "laptop stolen" ||
		!got.RevokedAt.Equal(at) || got.RequestCount != 1 || got.Version != 2 {
		t.Fatalf("after Revoke: %+v", *got)
	}
	err := st.Touch(ctx, se.ID, se.UserARN, at.Add(time.Second), at.Add(time.Hour))
	if !errors.Is(err, session.ErrRevoked) || !errors.Is(err, session.ErrNotActive) {
		t.Fatalf("Touch after Revoke: got %v, want ErrRevoked", err)
	}
	s.unchanged(t, st, got, "a touch of a revoked session")
}

func (s *sessionSuite) revokeRefusals(t *testing.T) {
	st := s.newStore(t)
	se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, se)
	ctx := t.Context()
	at := s.base.Add(time.Minute)
	for name, call := range map[string]func() error{
		"no revoker":        func() error { return revoke(ctx, st, se.ID, "", "", "stolen", at) },
		"no reason":         func() error { return revoke(ctx, st, se.ID, "bob", "", " \n ", at) },
		"escape in reason":  func() error { return revoke(ctx, st, se.ID, "bob", "", "stolen\x1b[2J", at) },
		"over-long reason":  func() error { return revoke(ctx, st, se.ID, "bob", "", strings.Repeat("x", session.MaxReason+1), at) },
		"newline in ARN":    func() error { return revoke(ctx, st, se.ID, "bob", "arn\n", "stolen", at) },
		"no time":           func() error { return revoke(ctx, st, se.ID, "bob", "", "stolen", time.Time{}) },
		"control in name":   func() error { return revoke(ctx, st, se.ID, "bo\x00b", "", "stolen", at) },
		"over-long revoker": func() error { return revoke(ctx, st, se.ID, strings.Repeat("b", session.MaxName+1), "", "stolen", at) },
	} {
		if err := call(); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("Revoke with %s: got %v, want ErrInvalid", name, err)
		}
	}
	s.unchanged(t, st, se, "refused revocations")

	missing, err := session.NewID()
	if err != nil {
		t.Fatal(err)
	}
	if err := revoke(ctx, st, missing, "bob", "", "stolen", at); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Revoke of a missing session: got %v, want ErrNotFound", err)
	}
	if err := revoke(ctx, st, se.ID, "bob", "", "stolen", at); err != nil {
		t.Fatal(err)
	}
	first := s.get(t, st, se.ID)
	err = revoke(ctx, st, se.ID, "carol", "", "again", at.Add(time.Minute))
	var stateErr *session.StateError
	if !errors.Is(err, session.ErrTransition) || !errors.As(err, &stateErr) || stateErr.Status != session.StatusRevoked {
		t.Fatalf("second Revoke: got %v, want a *StateError (ErrTransition, revoked)", err)
	}
	s.unchanged(t, st, first, "a second revocation")
}

// revokePastExpiry revokes a session stored as active whose ExpiresAt has
// passed: a revocation must not lose to the clocks.
func (s *sessionSuite) revokePastExpiry(t *testing.T) {
	st := s.newStore(t)
	se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, se)
	if err := revoke(t.Context(), st, se.ID, "bob", "", "stolen", se.ExpiresAt.Add(time.Hour)); err != nil {
		t.Fatalf("Revoke past ExpiresAt: %v", err)
	}
	if got := s.get(t, st, se.ID); got.Status != session.StatusRevoked {
		t.Fatalf("status %s after Revoke past ExpiresAt", got.Status)
	}
}

func (s *sessionSuite) expire(t *testing.T) {
	st := s.newStore(t)
	se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, se)
	ctx := t.Context()
	at := s.base.Add(time.Minute)
	if err := expireSession(ctx, st, se.ID, at); err != nil {
		t.Fatalf("Expire: %v", err)
	}
	want := *se
	want.Status, want.Version = session.StatusExpired, 1
	s.unchanged(t, st, &want, "Expire (compared with what it should be)")
	if err := st.Touch(ctx, se.ID, se.UserARN, at, at.Add(time.Hour)); !errors.Is(err, session.ErrExpired) {
		t.Errorf("Touch after Expire: got %v, want ErrExpired", err)
	}
	if err := revoke(ctx, st, se.ID, "bob", "", "stolen", at); !errors.Is(err, session.ErrTransition) {
		t.Errorf("Revoke after Expire: got %v, want ErrTransition", err)
	}
	if err := expireSession(ctx, st, se.ID, at); !errors.Is(err, session.ErrTransition) {
		t.Errorf("second Expire: got %v, want ErrTransition", err)
	}
	if err := expireSession(ctx, st, se.ID, time.Time{}); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Expire without a time: got %v, want ErrInvalid", err)
	}
	s.unchanged(t, st, &want, "refused changes of an expired session")
	missing, err := session.NewID()
	if err != nil {
		t.Fatal(err)
	}
	if err := expireSession(ctx, st, missing, at); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Expire of a missing session: got %v, want ErrNotFound", err)
	}
}

func (s *sessionSuite) listByUserARN(t *testing.T) {
	st := s.newStore(t)
	alice := s.name(t, "alice")
	se0 := s.newSession(t, alice, s.name(t, "prod"), 0)
	se1 := s.newSession(t, alice, s.name(t, "dev"), time.Second)
	se1.UserARN = strings.ToUpper(se1.UserARN)
	other := s.newSession(t, s.name(t, "bob"), s.name(t, "prod"), 2*time.Second)
	for _, se := range []*session.Session{se0, se1, other} {
		s.create(t, st, se)
	}
	for _, arn := range []string{se0.UserARN, strings.ToUpper(se0.UserARN), strings.ToLower(se0.UserARN)} {
		checkIDs(t, "by user ARN "+arn, s.list(t, st, session.Query{UserARN: arn}), se1.ID, se0.ID)
	}
	checkIDs(t, "by user ARN and user", s.list(t, st, session.Query{UserARN: se0.UserARN, User: "someone-else"}))
	checkIDs(t, "by user ARN and status", s.list(t, st, session.Query{UserARN: se0.UserARN, Status: session.StatusActive, Limit: 1}), se1.ID)
}

func (s *sessionSuite) blocks(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	arn := s.arn(t, "Alice")
	if b, ok, err := st.ActiveBlock(ctx, arn, s.base); err != nil || ok || b != nil {
		t.Fatalf("ActiveBlock with no block: %v, %v, %v", b, ok, err)
	}
	if err := st.Unblock(ctx, arn, "carol", "", s.base); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Unblock with no block: got %v, want ErrNotFound", err)
	}
	until := s.base.Add(24*time.Hour + 5)
	block := session.Block{UserARN: arn, Until: until, By: "bob", ByARN: s.arn(t, "bob"), Reason: "laptop stolen", At: s.base}
	if err := st.Block(ctx, block); err != nil {
		t.Fatalf("Block: %v", err)
	}
	for _, probe := range []string{arn, strings.ToLower(arn), strings.ToUpper(arn)} {
		b, ok, err := st.ActiveBlock(ctx, probe, s.base.Add(time.Hour))
		if err != nil || !ok {
			t.Fatalf("ActiveBlock(%s): %v, %v", probe, ok, err)
		}
		if b.UserARN != arn || !b.Until.Equal(until) || b.By != "bob" || b.ByARN != block.ByARN || b.Reason != "laptop stolen" || !b.At.Equal(s.base) {
			t.Fatalf("ActiveBlock returned %+v, want %+v", *b, block)
		}
	}
	if _, ok, err := st.ActiveBlock(ctx, s.arn(t, "bob"), s.base); err != nil || ok {
		t.Fatalf("another user is blocked: %v, %v", ok, err)
	}
	if _, ok, err := st.ActiveBlock(ctx, arn, until); err != nil || ok {
		t.Fatalf("block still in force at its end: %v, %v", ok, err)
	}
	if err := st.Unblock(ctx, arn, "carol", "", until); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Unblock after the end: got %v, want ErrNotFound", err)
	}
	if err := st.Unblock(ctx, arn, "", "", s.base); !errors.Is(err, session.ErrInvalid) {
		t.Fatalf("Unblock by nobody: got %v, want ErrInvalid", err)
	}
	if err := st.Unblock(ctx, strings.ToUpper(arn), "carol", s.arn(t, "carol"), s.base.Add(time.Minute)); err != nil {
		t.Fatalf("Unblock: %v", err)
	}
	if _, ok, err := st.ActiveBlock(ctx, arn, s.base.Add(2*time.Minute)); err != nil || ok {
		t.Fatalf("block in force after Unblock: %v, %v", ok, err)
	}
	if err := st.Unblock(ctx, arn, "carol", "", s.base.Add(2*time.Minute)); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("second Unblock: got %v, want ErrNotFound", err)
	}

	// A block without an end lasts until lifted; a new block replaces the
	// lifted one.
	forever := session.Block{UserARN: strings.ToLower(arn), By: "dave", Reason: "again", At: s.base.Add(time.Hour)}
	if err := st.Block(ctx, forever); err != nil {
		t.Fatalf("Block without an end: %v", err)
	}
	b, ok, err := st.ActiveBlock(ctx, arn, s.base.Add(10*365*24*time.Hour))
	if err != nil || !ok || b.By != "dave" || !b.Until.IsZero() || !b.LiftedAt.IsZero() {
		t.Fatalf("ActiveBlock of a block without an end: %+v, %v, %v", b, ok, err)
	}
}

func (s *sessionSuite) blockRefusesInvalid(t *testing.T) {
	st := s.newStore(t)
	arn := s.arn(t, "alice")
	for name, b := range map[string]session.Block{
		"no ARN":           {By: "bob", Reason: "stolen", At: s.base},
		"no blocker":       {UserARN: arn, Reason: "stolen", At: s.base},
		"no reason":        {UserARN: arn, By: "bob", At: s.base},
		"escape in reason": {UserARN: arn, By: "bob", Reason: "x\x1b[2J", At: s.base},
		"end before start": {UserARN: arn, By: "bob", Reason: "stolen", At: s.base, Until: s.base.Add(-time.Second)},
		"already lifted":   {UserARN: arn, By: "bob", Reason: "stolen", At: s.base, LiftedBy: "carol", LiftedAt: s.base},
	} {
		if err := st.Block(t.Context(), b); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("Block with %s: got %v, want ErrInvalid", name, err)
		}
	}
	if _, ok, err := st.ActiveBlock(t.Context(), arn, s.base); err != nil || ok {
		t.Fatalf("a refused block is in force: %v, %v", ok, err)
	}
}

// raceTouch touches one session from many goroutines at once: every touch
// must succeed and count.
func (s *sessionSuite) raceTouch(t *testing.T) {
	st := s.newStore(t)
	se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, se)
	errs := race(sessionRacers, func(i int) error {
		at := s.base.Add(time.Duration(i) * time.Millisecond)
		return st.Touch(t.Context(), se.ID, se.UserARN, at, at.Add(time.Hour))
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("touch %d: %v", i, err)
		}
	}
	got := s.get(t, st, se.ID)
	if got.RequestCount != sessionRacers || got.Version != sessionRacers || got.Status != session.StatusActive {
		t.Fatalf("after %d concurrent touches: count %d, version %d, status %s", sessionRacers, got.RequestCount, got.Version, got.Status)
	}
	want := s.base.Add(time.Duration(sessionRacers-1)*time.Millisecond + time.Hour)
	if !got.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %s, want the latest credentials' expiry %s", got.ExpiresAt, want)
	}
}

// raceRevokeTouch revokes a session while many goroutines touch it. The
// session must end revoked, every touch must either count or fail with
// ErrRevoked, and the count must equal the touches that succeeded.
func (s *sessionSuite) raceRevokeTouch(t *testing.T) {
	st := s.newStore(t)
	for round := range 3 {
		se := s.newSession(t, s.name(t, "alice"), s.name(t, "prod"), time.Duration(round)*time.Second)
		s.create(t, st, se)
		revoker := sessionRacers / 2
		errs := race(sessionRacers, func(i int) error {
			at := se.StartedAt.Add(time.Minute)
			if i == revoker {
				return revoke(t.Context(), st, se.ID, "bob", "", "laptop stolen", at)
			}
			return st.Touch(t.Context(), se.ID, se.UserARN, at, at.Add(time.Hour))
		})
		var counted int64
		for i, err := range errs {
			switch {
			case i == revoker && err != nil:
				t.Fatalf("round %d: Revoke racing touches: %v", round, err)
			case i == revoker:
			case err == nil:
				counted++
			case !errors.Is(err, session.ErrRevoked):
				t.Errorf("round %d: touch %d: got %v, want success or ErrRevoked", round, i, err)
			}
		}
		got := s.get(t, st, se.ID)
		if got.Status != session.StatusRevoked || got.RevokedBy != "bob" {
			t.Fatalf("round %d: after the race the session is %s (revoked by %q)", round, got.Status, got.RevokedBy)
		}
		if got.RequestCount != counted {
			t.Fatalf("round %d: count %d, but %d touches succeeded", round, got.RequestCount, counted)
		}
		// No touch after the race brings it back.
		if err := st.Touch(t.Context(), se.ID, se.UserARN, se.StartedAt.Add(2*time.Minute), se.StartedAt.Add(time.Hour)); !errors.Is(err, session.ErrRevoked) {
			t.Fatalf("round %d: touch after the race: got %v, want ErrRevoked", round, err)
		}
	}
}

// diffSession describes the differences between two sessions, or returns
// "" if they are equal field by field.
func diffSession(want, got *session.Session) string {
	var d diff
	add, field := d.add, d.field
	field("ID", want.ID, got.ID)
	field("User", want.User, got.User)
	field("UserARN", want.UserARN, got.UserARN)
	field("Account", want.Account, got.Account)
	field("Profile", want.Profile, got.Profile)
	field("RoleARN", want.RoleARN, got.RoleARN)
	field("Host", want.Host, got.Host)
	field("PID", want.PID, got.PID)
	field("Status", want.Status, got.Status)
	field("RequestCount", want.RequestCount, got.RequestCount)
	field("SourceIdentity", want.SourceIdentity, got.SourceIdentity)
	field("RevokedBy", want.RevokedBy, got.RevokedBy)
	field("RevokedByARN", want.RevokedByARN, got.RevokedByARN)
	field("RevokeReason", want.RevokeReason, got.RevokeReason)
	field("Version", want.Version, got.Version)
	add(sameTime("StartedAt", want.StartedAt, got.StartedAt))
	add(sameTime("LastAccessAt", want.LastAccessAt, got.LastAccessAt))
	add(sameTime("ExpiresAt", want.ExpiresAt, got.ExpiresAt))
	add(sameTime("RevokedAt", want.RevokedAt, got.RevokedAt))
	return d.String()
}

// raceBlock stores a block on one person while sessionRacers goroutines
// create sessions for that person (under two ARNs of the same IAM
// Identity Center user, in two accounts) and touch them, up to four
// rounds each (the block lands once half of them have a session; more
// rounds only starve a store that opens its file per call); each goroutine
// also tries once more after the block returned. A Create or Touch that
// starts after Block returned must fail with ErrBlocked; a goroutine whose
// touch is refused revokes its session, as the broker does, and the
// blocker revokes what it lists afterwards. At the end no session of the
// person is active.
func (s *sessionSuite) raceBlock(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	user := s.prefix + "-raceblock-alice"
	arns := []string{
		"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/" + user,
		"arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_ReadOnly_fedcba9876543210/" + strings.ToUpper(user),
	}
	profile := s.name(t, "prod")
	var (
		blocked   atomic.Bool
		created   atomic.Int64
		mu        sync.Mutex
		late      []string
		mine      []string
		blockDone = make(chan struct{})
		wg        sync.WaitGroup
		// waiting counts goroutines done before the block, so that the
		// wait for creates ends even if creates fail (reported already).
		waiting atomic.Int64
	)
	lateWrite := func(what string) {
		mu.Lock()
		late = append(late, what)
		mu.Unlock()
	}
	// round creates one session and touches it three times; it reports
	// whether the create was refused for the block.
	round := func(arn string, n int) bool {
		after := blocked.Load()
		id, err := session.NewID()
		if err != nil {
			t.Error(err)
			return true
		}
		at := s.base.Add(time.Duration(n) * time.Millisecond)
		se, err := session.New(session.NewParams{
			ID: id, User: user, UserARN: arn, Account: arn[13:25], Profile: profile,
			Now: at, ExpiresAt: at.Add(time.Hour),
		})
		if err != nil {
			t.Error(err)
			return true
		}
		err = st.Create(ctx, se)
		switch {
		case errors.Is(err, session.ErrBlocked):
			return true
		case err != nil:
			t.Errorf("create: %v", err)
			return true
		case after:
			lateWrite("create " + id)
		}
		created.Add(1)
		mu.Lock()
		mine = append(mine, id)
		mu.Unlock()
		for k := range 3 {
			after := blocked.Load()
			touchAt := at.Add(time.Duration(k+1) * time.Second)
			err := touchAs(ctx, st, id, arn, touchAt, touchAt.Add(time.Hour))
			switch {
			case err == nil && after:
				lateWrite("touch " + id)
			case errors.Is(err, session.ErrBlocked):
				// The broker revokes a session whose touch the block
				// refused.
				if err := revoke(ctx, st, id, "block", "", "blocked", touchAt); err != nil && !errors.Is(err, session.ErrTransition) {
					t.Errorf("revoke refused session: %v", err)
				}
			case err != nil && !errors.Is(err, session.ErrRevoked):
				t.Errorf("touch: %v", err)
			}
		}
		return false
	}
	for i := range sessionRacers {
		wg.Go(func() {
			arn := arns[i%len(arns)]
			n := 0
			for ; n < 4 && !blocked.Load(); n++ {
				if round(arn, n) {
					break
				}
			}
			waiting.Add(1)
			<-blockDone
			round(arn, n+1)
		})
	}
	for created.Load() < sessionRacers/2 && waiting.Load() < sessionRacers {
		time.Sleep(time.Millisecond)
	}
	blockedAt := s.base.Add(time.Second)
	if err := st.Block(ctx, session.Block{UserARN: arns[0], By: "bob", Reason: "laptop stolen", At: blockedAt}); err != nil {
		t.Fatalf("Block: %v", err)
	}
	blocked.Store(true)
	close(blockDone)
	active, err := st.List(ctx, session.Query{Status: session.StatusActive}.Record(s.base))
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, se := range active {
		if se.Profile != profile {
			continue
		}
		if err := revoke(ctx, st, se.ID, "bob", "", "laptop stolen", blockedAt); err != nil && !errors.Is(err, session.ErrTransition) {
			t.Errorf("revoke %s: %v", se.ID, err)
		}
	}
	wg.Wait()
	if len(late) > 0 {
		t.Errorf("%d writes that started after the block returned succeeded, e.g. %s", len(late), late[0])
	}
	still := 0
	for _, id := range mine {
		if s.get(t, st, id).Status == session.StatusActive {
			still++
		}
	}
	if still > 0 {
		t.Errorf("%d of %d sessions are still active after the block", still, len(mine))
	}
}

// touchAs touches session id as the user arn.
func touchAs(ctx context.Context, st session.Store, id, arn string, at, expires time.Time) error {
	return st.Touch(ctx, id, arn, at, expires)
}
