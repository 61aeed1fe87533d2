package broker_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

const (
	bobKey   = "AKIAFAKEBOB00001"
	carolKey = "AKIAFAKECAROL001"
	daveKey  = "AKIAFAKEDAVE0001"
	daveARN  = "arn:aws:iam::444455556666:user/dave"
)

// sessionsPolicy names people by full ARN: bob approves prod, dave (in
// another account) approves dev, carol approves nothing.
const sessionsPolicy = `version: "1"
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
  - name: prod
    effect: require_server
    conditions: {profiles: [prod]}
approvals:
  - name: prod-approvers
    profiles: [prod]
    approvers: ["arn:aws:iam::111122223333:user/bob"]
  - name: dev-approvers
    profiles: [dev]
    approvers: ["arn:aws:iam::444455556666:user/dave"]
`

// sessionFixture is a fixture whose people (alice, bob, carol, dave) each
// have keys under a profile of their own name, identified by the STS
// stand-in like any caller.
func sessionFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, sessionsPolicy)
	f.sts.AddUser(bobKey, bobARN, "111122223333")
	f.sts.AddUser(carolKey, carolARN, "111122223333")
	f.sts.AddUser(daveKey, daveARN, "444455556666")
	ks := vault.NewKeyStore(f.kr)
	for name, key := range map[string]string{"alice": aliceKey, "bob": bobKey, "carol": carolKey, "dave": daveKey} {
		if err := ks.Set(name, vault.Credentials{AccessKeyID: key, SecretAccessKey: "not-a-real-secret"}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// as returns a broker and the actor identified from name's keys.
func (f *fixture) as(name string) (*broker.Broker, *broker.Actor) {
	f.t.Helper()
	b := f.broker()
	a, err := b.Identify(context.Background(), name)
	if err != nil {
		f.t.Fatalf("identify %s: %v", name, err)
	}
	return b, a
}

// startSession stores an active session of the user with arn on profile,
// started at start and ending at end, directly through the store.
func (f *fixture) startSession(arn, profile string, start, end time.Time) *session.Session {
	f.t.Helper()
	id, err := session.NewID()
	if err != nil {
		f.t.Fatal(err)
	}
	caller, err := vault.ParseIdentity(arn, "", "")
	if err != nil {
		f.t.Fatal(err)
	}
	s, err := session.New(session.NewParams{ID: id, User: caller.Name, UserARN: arn, Account: caller.Account, Profile: profile,
		RoleARN: "arn:aws:iam::111122223333:role/" + profile, Host: "laptop", PID: 4242, Now: start, ExpiresAt: end})
	if err != nil {
		f.t.Fatal(err)
	}
	st := f.openStore()
	defer st.Close()
	if err := st.Sessions().Create(context.Background(), s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fixture) storedSession(id string) *session.Session {
	f.t.Helper()
	st := f.openStore()
	defer st.Close()
	s, err := st.Sessions().Get(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// lifecycle returns the log's entries other than decisions; none when
// nothing was logged yet.
func (f *fixture) lifecycle() []logging.Entry {
	f.t.Helper()
	if data, err := os.ReadFile(f.logPath); errors.Is(err, fs.ErrNotExist) || err == nil && len(data) == 0 {
		return nil
	}
	var out []logging.Entry
	for _, e := range readLog(f.t, f.logPath) {
		if e.Event != logging.EventDecision {
			out = append(out, e)
		}
	}
	return out
}

func TestRevokeSession(t *testing.T) {
	tests := []struct {
		name    string
		actor   string
		owner   string // ARN of the session's user
		profile string
		policy  string // replaces sessionsPolicy when set
		before  func(f *fixture, id string)
		wantErr error
	}{
		{name: "own user", actor: "alice", owner: aliceARN, profile: "prod"},
		{name: "own user, ARN in another case", actor: "alice", owner: strings.Replace(aliceARN, "alice", "Alice", 1), profile: "prod"},
		{name: "approver of the profile", actor: "bob", owner: aliceARN, profile: "prod"},
		{name: "approver of the profile in another account", actor: "dave", owner: aliceARN, profile: "dev"},
		{name: "approver of another profile", actor: "dave", owner: aliceARN, profile: "prod", wantErr: broker.ErrForbidden},
		{name: "stranger", actor: "carol", owner: aliceARN, profile: "prod", wantErr: broker.ErrForbidden},
		{name: "approver no more under the current policy", actor: "bob", owner: aliceARN, profile: "prod",
			policy: strings.Replace(sessionsPolicy, "user/bob", "user/erin", 1), wantErr: broker.ErrForbidden},
		{name: "already revoked", actor: "bob", owner: aliceARN, profile: "prod", wantErr: session.ErrTransition,
			before: func(f *fixture, id string) {
				b, a := f.as("alice")
				if _, err := b.RevokeSession(context.Background(), a, id, "first"); err != nil {
					f.t.Fatal(err)
				}
			}},
		{name: "expired", actor: "alice", owner: aliceARN, profile: "prod", wantErr: session.ErrTransition,
			before: func(f *fixture, id string) {
				st := f.openStore()
				defer st.Close()
				if _, err := st.Sessions().Change(context.Background(), id, func(s *session.Session) error { return s.Expire(f.now) }); err != nil {
					f.t.Fatal(err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sessionFixture(t)
			if tt.policy != "" {
				f.setPolicy(tt.policy)
			}
			s := f.startSession(tt.owner, tt.profile, f.now.Add(-time.Minute), f.now.Add(time.Hour))
			if tt.before != nil {
				tt.before(f, s.ID)
			}
			before := f.storedSession(s.ID)
			logged := len(f.lifecycle())
			b, a := f.as(tt.actor)
			got, err := b.RevokeSession(context.Background(), a, s.ID, "  laptop stolen ")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				if after := f.storedSession(s.ID); *after != *before {
					t.Errorf("a refused revocation changed the session: %+v", after)
				}
				if n := len(f.lifecycle()); n != logged {
					t.Errorf("a refused revocation logged %d entries", n-logged)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored := f.storedSession(s.ID)
			if stored.Status != session.StatusRevoked || stored.RevokedByARN != a.Identity.ARN || stored.RevokeReason != "laptop stolen" {
				t.Errorf("stored after revoke: %+v", stored)
			}
			if got.Status != session.StatusRevoked || got.RevokedBy != a.Identity.Name {
				t.Errorf("returned %+v", got)
			}
			entries := f.lifecycle()
			if len(entries) != logged+1 {
				t.Fatalf("logged %d lifecycle entries, want one", len(entries)-logged)
			}
			e := entries[len(entries)-1]
			if e.Event != logging.EventSessionRevoked || e.SessionID != s.ID || e.Actor != a.Identity.Name || e.ActorARN != a.Identity.ARN ||
				e.Reason != "laptop stolen" || e.Profile != tt.profile || e.PolicyPath != "policy.yaml" || e.PolicySHA256 != f.policy.SHA256 {
				t.Errorf("logged %+v", e)
			}
		})
	}
}

func TestRevokeSessionBadInput(t *testing.T) {
	f := sessionFixture(t)
	s := f.startSession(aliceARN, "prod", f.now.Add(-time.Minute), f.now.Add(time.Hour))
	b, a := f.as("alice")
	ctx := context.Background()
	for _, tt := range []struct {
		id, reason string
		want       error
	}{
		{"not-an-id", "stolen", session.ErrNotFound},
		{"0123456789abcdef", "stolen", session.ErrNotFound},
		{strings.Repeat("x", 5000), "stolen", session.ErrNotFound},
		{s.ID, "   ", session.ErrInvalid},
		{s.ID, "stolen\x1b[2J", session.ErrInvalid},
	} {
		_, err := b.RevokeSession(ctx, a, tt.id, tt.reason)
		if !errors.Is(err, tt.want) || len(err.Error()) > 200 {
			t.Errorf("RevokeSession(%.20q, %q): %v, want %v", tt.id, tt.reason, err, tt.want)
		}
	}
	if st := f.storedSession(s.ID); st.Status != session.StatusActive {
		t.Errorf("bad input changed the session to %s", st.Status)
	}
}

// A lapsed session still stored active is revoked all the same: a
// revocation never loses to the clocks.
func TestRevokeLapsedSession(t *testing.T) {
	f := sessionFixture(t)
	s := f.startSession(aliceARN, "prod", f.now.Add(-2*time.Hour), f.now.Add(-time.Hour))
	b, a := f.as("bob")
	if _, err := b.RevokeSession(context.Background(), a, s.ID, "to be sure"); err != nil {
		t.Fatal(err)
	}
	if st := f.storedSession(s.ID); st.Status != session.StatusRevoked {
		t.Errorf("status %s", st.Status)
	}
}

func TestListAndGetSessions(t *testing.T) {
	f := sessionFixture(t)
	old := f.startSession(aliceARN, "prod", f.now.Add(-3*time.Hour), f.now.Add(-2*time.Hour)) // lapsed, stored active
	mine := f.startSession(aliceARN, "dev", f.now.Add(-time.Hour), f.now.Add(time.Hour))
	bobs := f.startSession(bobARN, "prod", f.now.Add(-time.Minute), f.now.Add(time.Hour))
	b, a := f.as("alice")
	ctx := context.Background()
	ids := func(ss []*session.Session) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return strings.Join(out, " ")
	}
	for _, tt := range []struct {
		name string
		q    session.Query
		want string
	}{
		{"own by default", session.Query{}, mine.ID + " " + old.ID},
		{"active means active now", session.Query{Status: session.StatusActive}, bobs.ID + " " + mine.ID},
		{"expired includes the lapsed", session.Query{Status: session.StatusExpired}, old.ID},
		{"by profile", session.Query{Profile: "prod"}, bobs.ID + " " + old.ID},
		{"by user ARN in another case", session.Query{UserARN: strings.ToUpper(bobARN)}, bobs.ID},
		{"by user name", session.Query{User: "bob"}, bobs.ID},
	} {
		got, err := b.ListSessions(ctx, a, tt.q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ids(got) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, ids(got), tt.want)
		}
	}
	if _, err := b.ListSessions(ctx, a, session.Query{Status: "paused"}); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("unknown status: %v", err)
	}
	if st := f.storedSession(old.ID); st.Status != session.StatusActive {
		t.Errorf("listing wrote the lapse: %s", st.Status)
	}
	got, err := b.GetSession(ctx, a, bobs.ID)
	if err != nil || got.UserARN != bobARN || got.Host != "laptop" {
		t.Errorf("GetSession: %+v, %v", got, err)
	}
	if _, err := b.GetSession(ctx, a, "00000000000000ff"); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("GetSession of an unknown ID: %v", err)
	}
}

func TestRevokeUser(t *testing.T) {
	f := sessionFixture(t)
	ctx := context.Background()
	a1 := f.startSession(aliceARN, "prod", f.now.Add(-time.Hour), f.now.Add(time.Hour))
	a2 := f.startSession(aliceARN, "dev", f.now.Add(-time.Minute), f.now.Add(time.Hour))
	done := f.startSession(aliceARN, "dev", f.now.Add(-3*time.Hour), f.now.Add(time.Hour))
	st := f.openStore()
	if _, err := st.Sessions().Change(ctx, done.ID, func(s *session.Session) error { return s.Expire(f.now.Add(-2 * time.Hour)) }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	other := f.startSession(carolARN, "prod", f.now.Add(-time.Minute), f.now.Add(time.Hour))

	// Neither the user herself nor a non-approver may block.
	for _, who := range []string{"carol", "alice"} {
		b, a := f.as(who)
		if _, err := b.RevokeUser(ctx, a, aliceARN, "laptop stolen", time.Hour); !errors.Is(err, broker.ErrForbidden) {
			t.Errorf("%s blocking: %v", who, err)
		}
	}
	b, a := f.as("bob")
	for _, bad := range []struct {
		arn string
		d   time.Duration
	}{{"alice", time.Hour}, {"arn:aws:iam::1:user/alice", time.Hour}, {aliceARN, -time.Hour}} {
		if _, err := b.RevokeUser(ctx, a, bad.arn, "laptop stolen", bad.d); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("RevokeUser(%q, %s): %v", bad.arn, bad.d, err)
		}
	}
	if len(f.lifecycle()) != 0 {
		t.Fatalf("refused blocks logged %+v", f.lifecycle())
	}

	// The ARN in another case still finds every session.
	res, err := b.RevokeUser(ctx, a, strings.Replace(aliceARN, "alice", "Alice", 1), "laptop stolen", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Revoked) != 2 || !res.Block.Until.Equal(f.now.Add(24*time.Hour)) {
		t.Errorf("RevokeUser returned %d sessions, block %+v", len(res.Revoked), res.Block)
	}
	for id, want := range map[string]session.Status{a1.ID: session.StatusRevoked, a2.ID: session.StatusRevoked, done.ID: session.StatusExpired, other.ID: session.StatusActive} {
		if s := f.storedSession(id); s.Status != want {
			t.Errorf("session %s is %s, want %s", id, s.Status, want)
		}
	}
	st = f.openStore()
	blk, ok, err := st.Sessions().ActiveBlock(ctx, aliceARN, f.now.Add(23*time.Hour))
	st.Close()
	if err != nil || !ok || blk.ByARN != bobARN || blk.Reason != "laptop stolen" {
		t.Errorf("block: %+v %v %v", blk, ok, err)
	}
	var events []string
	for _, e := range f.lifecycle() {
		events = append(events, e.Event)
		if e.ActorARN != bobARN || e.Reason != "laptop stolen" || e.PolicySHA256 != f.policy.SHA256 || e.PolicyPath != "policy.yaml" {
			t.Errorf("entry %+v", e)
		}
	}
	if got := strings.Join(events, " "); got != "session.user_blocked session.revoked session.revoked" {
		t.Errorf("logged %s", got)
	}

	// Only an approver lifts the block.
	b, c := f.as("carol")
	if err := b.UnblockUser(ctx, c, aliceARN); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("carol unblocking: %v", err)
	}
	b, d := f.as("dave")
	if err := b.UnblockUser(ctx, d, aliceARN); err != nil {
		t.Fatalf("dave unblocking: %v", err)
	}
	if err := b.UnblockUser(ctx, d, aliceARN); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("second unblock: %v", err)
	}
	st = f.openStore()
	_, ok, _ = st.Sessions().ActiveBlock(ctx, aliceARN, f.now)
	st.Close()
	if ok {
		t.Error("block still in force after unblock")
	}
	entries := f.lifecycle()
	if last := entries[len(entries)-1]; last.Event != logging.EventUserUnblocked || last.ActorARN != daveARN || last.PrincipalARN != aliceARN {
		t.Errorf("last entry %+v", last)
	}
	if s := f.storedSession(a1.ID); s.Status != session.StatusRevoked {
		t.Error("unblock brought a revoked session back")
	}
}

// A block without an end lasts until lifted.
func TestRevokeUserWithoutEnd(t *testing.T) {
	f := sessionFixture(t)
	b, a := f.as("bob")
	ctx := context.Background()
	res, err := b.RevokeUser(ctx, a, carolARN, "left the company", 0)
	if err != nil || !res.Block.Until.IsZero() || len(res.Revoked) != 0 {
		t.Fatalf("RevokeUser: %+v, %v", res, err)
	}
	st := f.openStore()
	defer st.Close()
	if _, ok, err := st.Sessions().ActiveBlock(ctx, carolARN, f.now.Add(10*365*24*time.Hour)); !ok || err != nil {
		t.Errorf("block without an end has ended: %v", err)
	}
}
