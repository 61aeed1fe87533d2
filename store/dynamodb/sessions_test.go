package dynamodb

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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

// TestBlockItemsAreNotSessions checks that block items, which share the
// table, never pass as sessions.
func TestBlockItemsAreNotSessions(t *testing.T) {
	s := newStore(t, nil) // no call reaches DynamoDB
	id := blockID("arn:aws:iam::1:user/alice")
	if _, err := s.Sessions().Get(t.Context(), id); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Get of a block ID: got %v, want ErrNotFound", err)
	}
	for _, err := range []error{
		s.Sessions().Touch(t.Context(), id, "arn:aws:iam::111122223333:user/alice", time.Now(), time.Now().Add(time.Hour)),
		changeErr(s.Sessions().Change(t.Context(), id, func(se *session.Session) error { return se.Revoke("bob", "", "stolen", time.Now()) })),
		changeErr(s.Sessions().Change(t.Context(), id, func(se *session.Session) error { return se.Expire(time.Now()) })),
	} {
		if !errors.Is(err, session.ErrNotFound) {
			t.Errorf("change of a block ID: got %v, want ErrNotFound", err)
		}
	}
	b := &session.Block{UserARN: "arn:aws:iam::1:user/alice", By: "bob", Reason: "stolen", At: base}
	it := encodeBlock(b, time.Hour)
	for _, idx := range sessionIndexes {
		for _, a := range []string{idx.partitionKey, idx.sortKey} {
			if _, ok := it[a]; ok {
				t.Errorf("block item has %s, which keys index %s", a, idx.name)
			}
		}
	}
	if _, err := decodeSession(it); err == nil {
		t.Error("a block item decodes as a session")
	}
	if got := blockID("ARN:AWS:IAM::1:USER/ALICE"); got != id {
		t.Errorf("block IDs differ by case: %s, %s", got, id)
	}
}

func TestSessionItemRoundTrip(t *testing.T) {
	se := session.Session{
		ID: "0123456789abcdef", User: "alice", UserARN: "arn:aws:iam::111122223333:user/Alice", Account: "111122223333",
		Profile: "prod#eu", RoleARN: "arn:aws:iam::111122223333:role/deploy", Host: "laptop ✓", PID: 4242,
		Status: session.StatusRevoked, StartedAt: base, LastAccessAt: base.Add(time.Minute), RequestCount: 12,
		ExpiresAt: base.Add(time.Hour + 1), SourceIdentity: "alice", RevokedBy: "bob", RevokedByARN: "arn:aws:iam::1:user/bob",
		RevokeReason: "laptop stolen at the airport", RevokedAt: base.Add(2 * time.Minute), Version: 13,
	}
	it := encodeSession(&se, time.Hour)
	if v := it[attrUserARNKey].(*types.AttributeValueMemberS).Value; v != strings.ToLower(se.UserARN) {
		t.Errorf("user_arn_key = %q, want the folded ARN", v)
	}
	got, err := decodeSession(it)
	if err != nil {
		t.Fatalf("decodeSession: %v", err)
	}
	if !reflect.DeepEqual(got, &se) {
		t.Fatalf("round trip changed the session:\n got %+v\nwant %+v", got, &se)
	}
	b := session.Block{UserARN: "arn:aws:iam::1:user/alice", Until: base.Add(time.Hour), By: "bob", ByARN: "arn:b", Reason: "stolen",
		At: base, LiftedBy: "carol", LiftedByARN: "arn:c", LiftedAt: base.Add(time.Minute)}
	gotBlock, err := decodeBlock(encodeBlock(&b, time.Hour))
	if err != nil {
		t.Fatalf("decodeBlock: %v", err)
	}
	if !reflect.DeepEqual(gotBlock, &b) {
		t.Fatalf("round trip changed the block:\n got %+v\nwant %+v", gotBlock, &b)
	}
}

// goodSessionItem is a stored active session item with every field set.
func goodSessionItem() item {
	se := session.Session{
		ID: "0123456789abcdef", User: "alice", UserARN: "arn:aws:iam::1:user/alice", Account: "1", Profile: "prod",
		RoleARN: "arn:aws:iam::1:role/r", Host: "h", PID: 7, Status: session.StatusActive, StartedAt: base,
		LastAccessAt: base, RequestCount: 3, ExpiresAt: base.Add(time.Hour), SourceIdentity: "alice", Version: 3,
	}
	return encodeSession(&se, time.Hour)
}

func TestDecodeSessionRefusesDamagedItems(t *testing.T) {
	tests := map[string]func(it item){
		"count as a string":   func(it item) { it[attrRequestCount] = &types.AttributeValueMemberS{Value: "3"} },
		"negative count":      func(it item) { it.setInt(attrRequestCount, -1) },
		"fractional count":    func(it item) { it[attrRequestCount] = &types.AttributeValueMemberN{Value: "1.5"} },
		"huge pid":            func(it item) { it.setInt(attrPID, 1<<40) },
		"unknown status":      func(it item) { it.setString(attrStatus, "paused") },
		"revived":             func(it item) { it.setString(attrRevokedBy, "bob") },
		"escape in user":      func(it item) { it.setString(attrUser, "alice\x1b[2J") },
		"bad time":            func(it item) { it.setString(attrExpiresAt, "tomorrow") },
		"no id":               func(it item) { delete(it, attrID) },
		"block id":            func(it item) { it.setString(attrID, blockID("arn")) },
		"expiry before start": func(it item) { it.setTime(attrExpiresAt, base.Add(-time.Second)) },
	}
	for name, damage := range tests {
		it := goodSessionItem()
		damage(it)
		if se, err := decodeSession(it); err == nil {
			t.Errorf("%s: decodeSession accepted %+v", name, se)
		}
	}
	if _, err := decodeSession(goodSessionItem()); err != nil {
		t.Fatalf("the undamaged item: %v", err)
	}
}

// FuzzDecodeSessionItem damages a good session item (or a block item) by
// replacing, adding or removing up to two attributes with values of any
// type. decodeSession must never panic, and what it accepts must validate
// and survive another encode and decode unchanged.
func FuzzDecodeSessionItem(f *testing.F) {
	f.Add(false, attrStatus, "revoked", uint8(0), attrRevokeReason, "x", uint8(0))
	f.Add(false, attrRequestCount, "9223372036854775807", uint8(1), attrPID, "-1", uint8(1))
	f.Add(false, attrStartedAt, "0001-01-01T00:00:00Z", uint8(0), attrID, "", uint8(6))
	f.Add(true, attrBlockUserARN, "arn", uint8(0), attrStatus, "active", uint8(0))
	f.Add(false, attrExpiresAt, "", uint8(4), attrUser, "", uint8(3))
	f.Fuzz(func(t *testing.T, fromBlock bool, name1, value1 string, kind1 uint8, name2, value2 string, kind2 uint8) {
		it := goodSessionItem()
		if fromBlock {
			it = encodeBlock(&session.Block{UserARN: "arn:aws:iam::1:user/a", By: "b", Reason: "r", At: base}, time.Hour)
		}
		mutate(it, name1, value1, kind1)
		mutate(it, name2, value2, kind2)
		se, err := decodeSession(it)
		if err != nil {
			return
		}
		if err := se.Validate(); err != nil {
			t.Fatalf("decodeSession accepted a session that does not validate: %v", err)
		}
		back, err := decodeSession(encodeSession(se, time.Hour))
		if err != nil {
			t.Fatalf("decode of a re-encoded session: %v", err)
		}
		if !reflect.DeepEqual(back, se) {
			t.Fatalf("re-encoding changed the session:\n%+v\n%+v", se, back)
		}
		_, _ = decodeBlock(it)
	})
}

// mutate sets attribute name to value as one of several attribute types,
// chosen by kind, or deletes it.
func mutate(it item, name, value string, kind uint8) {
	switch kind % 7 {
	case 0:
		it[name] = &types.AttributeValueMemberS{Value: value}
	case 1:
		it[name] = &types.AttributeValueMemberN{Value: value}
	case 2:
		it[name] = &types.AttributeValueMemberBOOL{Value: value != ""}
	case 3:
		it[name] = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: value}}}
	case 4:
		it[name] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{value: &types.AttributeValueMemberNULL{Value: true}}}
	case 5:
		it[name] = &types.AttributeValueMemberNULL{Value: true}
	case 6:
		delete(it, name)
	}
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
