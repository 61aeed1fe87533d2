package dynamodb

import (
	"errors"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/session"
)

// TestSessionTTLFollowsTouches checks the retention rule on the new
// store: the ttl follows ExpiresAt as touches move it, a touch with
// earlier credentials and a revocation never bring it closer, and a block
// is kept until its end (or its lift) plus the retention, never while in
// force.
func TestSessionTTLFollowsTouches(t *testing.T) {
	const retention = 7 * 24 * time.Hour
	s := newInitializedStore(t, func(o *Options) { o.AuditRetention = retention })
	ctx := t.Context()
	now := time.Now().UTC()
	st := newSessionStore(s)
	se := newTestSession(t, "ttl-alice", now)
	if err := st.Create(ctx, se); err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "new session", storedTTL(t, s, s.sessionsTable, se.ID), se.ExpiresAt, retention)
	later := now.Add(12 * time.Hour)
	if err := st.Touch(ctx, se.ID, se.UserARN, now.Add(time.Minute), later); err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "touched session", storedTTL(t, s, s.sessionsTable, se.ID), later, retention)
	if err := st.Touch(ctx, se.ID, se.UserARN, now.Add(2*time.Minute), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "touched with earlier credentials", storedTTL(t, s, s.sessionsTable, se.ID), later, retention)
	if _, err := st.Change(ctx, se.ID, func(s *session.Session) error { return s.Revoke("bob", "", "stolen", now.Add(3*time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "revoked session", storedTTL(t, s, s.sessionsTable, se.ID), later, retention)

	until := now.Add(24 * time.Hour)
	arn := "arn:aws:iam::111122223333:user/ttl-alice"
	if err := st.Block(ctx, session.Block{UserARN: arn, Until: until, By: "bob", Reason: "stolen", At: now}); err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "block", storedTTL(t, s, s.sessionsTable, blockID(arn)), until, retention)
	forever := "arn:aws:iam::111122223333:user/ttl-bob"
	if err := st.Block(ctx, session.Block{UserARN: forever, By: "bob", Reason: "stolen", At: now}); err != nil {
		t.Fatal(err)
	}
	if _, ok := storedItem(t, s, s.sessionsTable, blockID(forever))[attrTTL]; ok {
		t.Error("a block without an end has a ttl: DynamoDB would delete it while in force")
	}
	lift := now.Add(time.Hour)
	if err := st.Unblock(ctx, forever, "carol", "", lift); err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "lifted block", storedTTL(t, s, s.sessionsTable, blockID(forever)), lift, retention)
}

// TestLockAndBlockItemsAreNotRecords checks that the items that share the
// tables never pass as records: their IDs are not found (before any call),
// their attributes key no index, and they do not decode as records.
func TestLockAndBlockItemsAreNotRecords(t *testing.T) {
	s := newStore(t, func(o *Options) { o.Timeout = time.Millisecond }) // no table: no call may be needed
	ctx := t.Context()
	now := time.Now()
	ss, es := newSessionStore(s), newBreakglassStore(s)
	arn := "arn:aws:iam::1:user/alice"
	block := blockID(arn)
	_, getErr := ss.Get(ctx, block)
	_, revokeErr := ss.Change(ctx, block, func(se *session.Session) error { return se.Revoke("bob", "", "stolen", now) })
	_, expireErr := ss.Change(ctx, block, func(se *session.Session) error { return se.Expire(now) })
	for what, err := range map[string]error{
		"Get":             getErr,
		"Touch":           ss.Touch(ctx, block, arn, now, now.Add(time.Hour)),
		"Change (revoke)": revokeErr,
		"Change (expire)": expireErr,
	} {
		if !errors.Is(err, record.ErrNotFound) || !errors.Is(err, session.ErrNotFound) {
			t.Errorf("%s of a block ID: got %v, want record.ErrNotFound and session.ErrNotFound", what, err)
		}
	}
	if got := blockID("ARN:AWS:IAM::1:USER/ALICE"); got != block {
		t.Errorf("block IDs differ by case: %s, %s", got, block)
	}
	b := blockItem(&session.Block{UserARN: arn, By: "bob", Reason: "stolen", At: base}, time.Hour)
	for _, idx := range sessionIndexes {
		for _, a := range []string{idx.partitionKey, idx.sortKey} {
			if _, ok := b[a]; ok {
				t.Errorf("block item has %s, which keys index %s", a, idx.name)
			}
		}
	}
	if _, err := ss.b.decode(b); err == nil {
		t.Error("a block item decodes as a session")
	}

	e := &breakglass.Event{ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", Status: breakglass.StatusActive, OpenedAt: base, ExpiresAt: base.Add(time.Hour)}
	lock := es.lockItem(e)
	for _, idx := range eventIndexes {
		for _, a := range []string{idx.partitionKey, idx.sortKey} {
			if _, ok := lock[a]; ok {
				t.Errorf("lock item has %s, which keys index %s: listings would see it", a, idx.name)
			}
		}
	}
	if _, err := es.b.decode(lock); err == nil {
		t.Error("a lock item decodes as an event")
	}
	for _, id := range []string{lockID("alice", "prod"), quotaID("alice")} {
		if _, err := es.Get(ctx, id); !errors.Is(err, record.ErrNotFound) || !errors.Is(err, breakglass.ErrNotFound) {
			t.Errorf("Get of %s: got %v, want record.ErrNotFound and breakglass.ErrNotFound", id, err)
		}
	}
}

// TestBackendOpenRefusesWhatIsNotANewEvent checks Open refuses, before any call, an event that is not active or whose ID
// is not a record ID (a lock's).
func TestBackendOpenRefusesWhatIsNotANewEvent(t *testing.T) {
	s := newStore(t, nil)
	es := newBreakglassStore(s)
	for _, e := range []*breakglass.Event{
		{ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", Status: breakglass.StatusClosed},
		{ID: lockID("alice", "prod"), Invoker: "alice", Profile: "prod", Status: breakglass.StatusActive},
		{ID: "", Invoker: "alice", Profile: "prod", Status: breakglass.StatusActive},
		nil,
	} {
		if err := es.Open(t.Context(), e, breakglass.Limits{}); !errors.Is(err, record.ErrInvalid) || !errors.Is(err, breakglass.ErrInvalid) {
			t.Errorf("Open of %+v: got %v, want record.ErrInvalid and breakglass.ErrInvalid", e, err)
		}
	}
}

// TestSessionCreateRefusesWhatIsNotANewSession checks that Create of the
// store refuses a session that is not active, before any call.
func TestSessionCreateRefusesWhatIsNotANewSession(t *testing.T) {
	s := newStore(t, nil)
	se := newTestSession(t, "alice", time.Now())
	se.Status = session.StatusRevoked
	if err := newSessionStore(s).Create(t.Context(), se); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Create of a revoked session: got %v, want ErrInvalid", err)
	}
	if err := newSessionStore(s).Create(t.Context(), nil); !errors.Is(err, record.ErrInvalid) || !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Create of nil: got %v, want ErrInvalid", err)
	}
}
