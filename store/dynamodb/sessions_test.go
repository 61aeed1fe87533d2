package dynamodb

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

func TestSessionStoreContract(t *testing.T) {
	rec := &callRecorder{}
	s := newInitializedStore(t, func(o *Options) { o.apiOptions = append(o.apiOptions, rec.middleware()) })
	storetest.TestSessionStore(t, func(t *testing.T) session.Store { return s.Sessions() })
	rec.check(t, "PutItem", "GetItem", "UpdateItem", "Query")
}

// testSession returns a valid active session that started at start.
func testSession(t testing.TB, user string, start time.Time) *session.Session {
	t.Helper()
	id, err := session.NewID()
	if err != nil {
		t.Fatal(err)
	}
	se, err := session.New(session.NewParams{
		ID: id, User: user, UserARN: "arn:aws:iam::111122223333:user/" + user, Account: "111122223333",
		Profile: "prod", Now: start, ExpiresAt: start.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return se
}

// TestSessionTTLOutlivesCredentials checks the retention rule: the ttl
// follows ExpiresAt as touches move it, and a revocation never brings it
// closer.
func TestSessionTTLOutlivesCredentials(t *testing.T) {
	const retention = 7 * 24 * time.Hour
	s := newInitializedStore(t, func(o *Options) { o.AuditRetention = retention })
	ctx := t.Context()
	now := time.Now().UTC()
	se := testSession(t, "ttl-alice", now)
	st := s.Sessions()
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
	if _, err := st.Change(ctx, se.ID, func(se *session.Session) error { return se.Revoke("bob", "", "stolen", now.Add(3*time.Minute)) }); err != nil {
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
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.sessionsTable), Key: idKey(blockID(forever)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out.Item[attrTTL]; ok {
		t.Error("a block without an end has a ttl: DynamoDB would delete it while in force")
	}
	lift := now.Add(time.Hour)
	if err := st.Unblock(ctx, forever, "carol", "", lift); err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "lifted block", storedTTL(t, s, s.sessionsTable, blockID(forever)), lift, retention)
}

// TestTeamAnchorsContract runs the team service's anchor contract on
// DynamoDB Local, with only the calls the deployment grants.
func TestTeamAnchorsContract(t *testing.T) {
	rec := &callRecorder{}
	s := newInitializedStore(t, func(o *Options) { o.apiOptions = append(o.apiOptions, rec.middleware()) })
	storetest.TestTeamAnchors(t, s)
	storetest.TestTeamAnchorLimit(t, s)
	rec.check(t, "PutItem", "GetItem", "TransactWriteItems")
}

// TestAnchorItemsAreNotSessions: anchor items share the sessions table but
// no session call reads them and no index keys them.
func TestAnchorItemsAreNotSessions(t *testing.T) {
	s := newStore(t, nil) // no call reaches DynamoDB
	id := anchorID("arn:aws:iam::1:user/alice", "host:/log")
	if _, err := s.Sessions().Get(t.Context(), id); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Get of an anchor ID: got %v, want ErrNotFound", err)
	}
	for _, idx := range sessionIndexes {
		for _, a := range []string{attrAnchorOwner, attrAnchorLog, attrAnchorFile, attrAnchorSeq, attrAnchorHash, attrAnchorTime} {
			if a == idx.partitionKey || a == idx.sortKey {
				t.Errorf("anchor attribute %s keys index %s", a, idx.name)
			}
		}
	}
	if anchorID("ARN:AWS:IAM::1:USER/ALICE", "host:/log") != id {
		t.Error("anchor IDs differ by ARN case")
	}
	if anchorID("arn:aws:iam::1:user/alice", "host:/log2") == id {
		t.Error("two logs share an anchor ID")
	}
}

// changeErr keeps the error of a Change.
func changeErr(_ *session.Session, err error) error { return err }
