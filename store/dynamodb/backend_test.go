package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// The stores are the kinds' Store interfaces.
var (
	_ request.Store    = (*requestsOnBackend)(nil)
	_ breakglass.Store = (*eventsOnBackend)(nil)
	_ session.Store    = (*sessionsOnBackend)(nil)
)

// recordedStore builds a store on fresh tables that rec watches.
func recordedStore(t *testing.T) (*Store, *callRecorder) {
	t.Helper()
	rec := &callRecorder{}
	s := newInitializedStore(t, func(o *Options) { o.apiOptions = append(o.apiOptions, rec.middleware()) })
	rec.calls() // the tables' creation
	return s, rec
}

// calls returns the calls rec saw since the last reset, by operation, and
// starts counting again.
func (r *callRecorder) calls() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.operations
	r.operations = map[string]int{}
	if got == nil {
		got = map[string]int{}
	}
	return got
}

// only fails t unless calls holds exactly want.
func only(t *testing.T, what string, calls map[string]int, want map[string]int) {
	t.Helper()
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("%s: DynamoDB calls %v, want %v", what, calls, want)
	}
}

// backendBase is a recent fixed instant, so that records are neither due
// nor past their ttl while the tests run.
func backendBase() time.Time {
	return time.Now().UTC().Truncate(time.Second).Add(time.Minute + 123456789)
}

func newTestRequest(t *testing.T, requester, profile string, now time.Time) *request.Request {
	t.Helper()
	id, err := record.NewID()
	if err != nil {
		t.Fatal(err)
	}
	r, err := request.New(request.NewParams{
		ID: id, Requester: requester, Profile: profile, Justification: "testing the generic backend",
		Duration: time.Hour, PendingTTL: 6 * time.Hour, Required: 1, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newTestEvent(t *testing.T, invoker, profile string, now time.Time) *breakglass.Event {
	t.Helper()
	id, err := record.NewID()
	if err != nil {
		t.Fatal(err)
	}
	e, err := breakglass.New(breakglass.NewParams{
		ID: id, Invoker: invoker, Profile: profile, ReasonCode: breakglass.ReasonIncident,
		Justification: "testing the generic backend", Duration: time.Hour, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func newTestSession(t testing.TB, user string, now time.Time) *session.Session {
	t.Helper()
	id, err := record.NewID()
	if err != nil {
		t.Fatal(err)
	}
	se, err := session.New(session.NewParams{
		ID: id, User: user, UserARN: "arn:aws:iam::111122223333:user/" + user, Account: "111122223333",
		Profile: "prod", Host: "laptop", PID: 7, Now: now, ExpiresAt: now.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return se
}

// createdSession builds a session of user started at now and creates it
// in st.
func createdSession(t testing.TB, st *sessionsOnBackend, user string, now time.Time) *session.Session {
	t.Helper()
	se := newTestSession(t, user, now)
	if err := st.Create(t.Context(), se); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return se
}

// concurrently runs fn(0..n-1) at once and returns their errors.
func concurrently(n int, fn func(i int) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	return errs
}

// ids lists the IDs of records.
func ids[T any](k func(*T) string, rs []*T) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = k(r)
	}
	return out
}

// storedItem reads an item as stored, or nil.
func storedItem(t *testing.T, s *Store, table, id string) map[string]types.AttributeValue {
	t.Helper()
	out, err := s.client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: idKey(id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem %s: %v", id, err)
	}
	return out.Item
}

func TestBackendRequests(t *testing.T) {
	s, rec := recordedStore(t)
	st := newRequestStore(s)
	ctx := t.Context()
	now := backendBase()
	older := newTestRequest(t, "alice", "prod", now)
	r := newTestRequest(t, "alice", "prod", now.Add(time.Second))
	other := newTestRequest(t, "bob", "prod", now.Add(2*time.Second))
	for _, x := range []*request.Request{older, r, other} {
		if err := st.Create(ctx, x); err != nil {
			t.Fatalf("Create: %v", err)
		}
	}
	only(t, "three creates", rec.calls(), map[string]int{"PutItem": 3})
	if err := st.Create(ctx, r); !errors.Is(err, record.ErrConflict) {
		t.Errorf("Create of a taken ID: got %v, want ErrConflict", err)
	}
	got, err := st.Get(ctx, r.ID)
	if err != nil || got.ID != r.ID || got.Status != request.StatusPending || got.Version != 0 {
		t.Fatalf("Get: %+v, %v", got, err)
	}
	checkTTL(t, "pending request", storedTTL(t, s, s.requestsTable, r.ID), r.ExpiresAt, DefaultAuditRetention)
	for _, id := range []string{"0123456789abcdef", "", lockID("alice", "prod"), "not an id"} {
		if _, err := st.Get(ctx, id); !errors.Is(err, record.ErrNotFound) {
			t.Errorf("Get(%q): got %v, want ErrNotFound", id, err)
		}
	}
	rec.calls()

	approvedAt := now.Add(5 * time.Hour)
	changed, err := st.Change(ctx, r.ID, func(r *request.Request) error { return r.Approve("carol", "", "ok", approvedAt) })
	if err != nil || changed.Status != request.StatusApproved || changed.Version != 1 {
		t.Fatalf("Change approve: %+v, %v", changed, err)
	}
	only(t, "a change", rec.calls(), map[string]int{"GetItem": 1, "PutItem": 1})
	if end := request.Kind.End(changed); !end.After(r.ExpiresAt) && !end.Equal(changed.WindowEnd()) && !end.Equal(r.ExpiresAt) {
		t.Fatalf("the business end %s of the approved request is neither its window's end nor its expiry", end)
	}
	checkTTL(t, "approved request", storedTTL(t, s, s.requestsTable, r.ID), request.Kind.End(changed), DefaultAuditRetention)

	// A stale copy loses; a record that is gone is not found.
	if err := st.b.Replace(ctx, got, got); !errors.Is(err, record.ErrConflict) {
		t.Errorf("Replace from a stale copy: got %v, want ErrConflict", err)
	}
	gone := newTestRequest(t, "alice", "prod", now)
	if err := st.b.Replace(ctx, gone, gone); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("Replace of a missing record: got %v, want ErrNotFound", err)
	}

	for _, tt := range []struct {
		q    request.Query
		want []string
	}{
		{request.Query{Requester: "alice"}, []string{r.ID, older.ID}},
		{request.Query{Requester: "alice", Limit: 1}, []string{r.ID}},
		{request.Query{Profile: "prod"}, []string{other.ID, r.ID, older.ID}},
		{request.Query{Profile: "prod", Status: request.StatusPending}, []string{other.ID, older.ID}},
		{request.Query{Status: request.StatusApproved}, []string{r.ID}},
		{request.Query{Requester: "nobody"}, []string{}},
	} {
		got, err := st.List(ctx, tt.q.Record(now))
		if err != nil {
			t.Fatalf("List %+v: %v", tt.q, err)
		}
		// Other tests' tables are apart: every ID here is this test's.
		if g := ids(request.Kind.ID, got); fmt.Sprint(g) != fmt.Sprint(tt.want) {
			t.Errorf("List %+v = %v, want %v", tt.q, g, tt.want)
		}
	}
	ids, err := st.IDsWithPrefix(ctx, r.ID[:8], 5)
	if err != nil || len(ids) != 1 || ids[0] != r.ID {
		t.Errorf("IDsWithPrefix(%s) = %v, %v", r.ID[:8], ids, err)
	}
	if _, err := st.IDsWithPrefix(ctx, r.ID[:5], 5); !errors.Is(err, record.ErrInvalid) {
		t.Errorf("IDsWithPrefix of a short prefix: got %v, want ErrInvalid", err)
	}
	rec.check(t)
}

func TestBackendBreakglassReleasesTheLockInTheSameWrite(t *testing.T) {
	s, rec := recordedStore(t)
	st := newBreakglassStore(s)
	ctx := t.Context()
	now := backendBase()
	e := newTestEvent(t, "alice", "prod", now)
	if err := st.Open(ctx, e, breakglass.Limits{MaxPerDay: 5}); err != nil {
		t.Fatalf("Open: %v", err)
	}
	lock := lockID(e.PersonKey(), e.LimitKey())
	if storedItem(t, s, s.breakglassTable, lock) == nil {
		t.Fatal("Open took no lock")
	}
	checkTTL(t, "active event", storedTTL(t, s, s.breakglassTable, e.ID), e.ExpiresAt, DefaultAuditRetention)
	checkTTL(t, "lock of the active event", storedTTL(t, s, s.breakglassTable, lock), e.ExpiresAt, DefaultAuditRetention)
	// The lock holds against a second open and against a bare insert into
	// the backend (no path of breakglass.Store reaches one: Open is the
	// only way in, but the backend does not rely on that).
	second := newTestEvent(t, "alice", "prod", now.Add(time.Second))
	var le *breakglass.LimitError
	if err := st.Open(ctx, second, breakglass.Limits{}); !errors.As(err, &le) || !errors.Is(err, breakglass.ErrActiveExists) {
		t.Fatalf("second Open: got %v, want ErrActiveExists", err)
	}
	if err := st.b.Insert(ctx, second); !errors.Is(err, breakglass.ErrActiveExists) {
		t.Fatalf("Insert beside an active event: got %v, want ErrActiveExists", err)
	}
	if _, err := st.Get(ctx, lock); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("Get of the lock item: got %v, want ErrNotFound", err)
	}
	rec.calls()

	closedAt := now.Add(10 * time.Minute)
	closed, err := st.Change(ctx, e.ID, func(e *breakglass.Event) error { return e.Close("alice", "fixed", closedAt) })
	if err != nil || closed.Status != breakglass.StatusClosed || closed.Version != 1 {
		t.Fatalf("Change close: %+v, %v", closed, err)
	}
	calls := rec.calls()
	// One read of the event, one of the quota, and the event, the lock
	// and the quota in one transaction.
	only(t, "a close", calls, map[string]int{"GetItem": 2, "TransactWriteItems": 1})
	checkTTL(t, "closed event", storedTTL(t, s, s.breakglassTable, e.ID), e.ExpiresAt, DefaultAuditRetention)
	if storedItem(t, s, s.breakglassTable, lock) != nil {
		t.Error("the lock outlived the close of its event")
	}
	// Opened after the close, a new event takes the lock again.
	second = newTestEvent(t, "alice", "prod", closedAt.Add(time.Second))
	if err := st.Open(ctx, second, breakglass.Limits{}); err != nil {
		t.Fatalf("Open after the close: %v", err)
	}
	got, err := st.List(ctx, breakglass.Query{Invoker: "alice"}.Record(now))
	if err != nil || fmt.Sprint(ids(breakglass.Kind.ID, got)) != fmt.Sprint([]string{second.ID, e.ID}) {
		t.Errorf("List by invoker: %v, %v", ids(breakglass.Kind.ID, got), err)
	}
	// A change that stays active is one PutItem.
	rec.calls()
	if _, err := st.Change(ctx, second.ID, func(e *breakglass.Event) error { e.Justification += " (edited)"; return nil }); err != nil {
		t.Fatal(err)
	}
	only(t, "a change within active", rec.calls(), map[string]int{"GetItem": 1, "PutItem": 1})
	rec.check(t)
}

func TestBackendSessions(t *testing.T) {
	s, rec := recordedStore(t)
	st := newSessionStore(s)
	ctx := t.Context()
	now := backendBase()
	se := newTestSession(t, "Alice", now)
	if err := st.Create(ctx, se); err != nil {
		t.Fatalf("Create: %v", err)
	}
	only(t, "a create", rec.calls(), map[string]int{"TransactWriteItems": 1})
	checkTTL(t, "new session", storedTTL(t, s, s.sessionsTable, se.ID), se.ExpiresAt, DefaultAuditRetention)
	if err := st.Create(ctx, se); !errors.Is(err, record.ErrConflict) {
		t.Errorf("Create of a taken ID: got %v, want ErrConflict", err)
	}
	got, err := st.List(ctx, session.Query{UserARN: strings.ToUpper(se.UserARN)}.Record(now))
	if err != nil || len(got) != 1 || got[0].ID != se.ID {
		t.Fatalf("List by the ARN in upper case: %v, %v", got, err)
	}
	revokedAt := now.Add(time.Minute)
	changed, err := st.Change(ctx, se.ID, func(s *session.Session) error { return s.Revoke("bob", "", "laptop stolen", revokedAt) })
	if err != nil || changed.Status != session.StatusRevoked || changed.Version != 1 {
		t.Fatalf("Change revoke: %+v, %v", changed, err)
	}
	checkTTL(t, "revoked session", storedTTL(t, s, s.sessionsTable, se.ID), se.ExpiresAt, DefaultAuditRetention)
	err = st.Touch(ctx, se.ID, se.UserARN, revokedAt.Add(time.Second), revokedAt.Add(time.Hour))
	if !errors.Is(err, session.ErrRevoked) {
		t.Errorf("Touch after revoke: got %v, want ErrRevoked", err)
	}

	// A block refuses a new session in the same write.
	blocked := newTestSession(t, "carol", now)
	if err := st.Block(ctx, session.Block{UserARN: blocked.UserARN, By: "bob", Reason: "stolen", At: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	var be *session.BlockedError
	if err := st.Create(ctx, blocked); !errors.As(err, &be) || be.Block == nil {
		t.Errorf("Create of a blocked person's session: got %v, want a *BlockedError with the block", err)
	}
	if b, ok, err := st.ActiveBlock(ctx, blocked.UserARN, now); err != nil || !ok || b.By != "bob" {
		t.Errorf("ActiveBlock: %+v, %v, %v", b, ok, err)
	}
	if err := st.Unblock(ctx, blocked.UserARN, "bob", "", now); err != nil {
		t.Errorf("Unblock: %v", err)
	}
	if err := st.Create(ctx, blocked); err != nil {
		t.Errorf("Create after the lift: %v", err)
	}
	if err := st.Unblock(ctx, blocked.UserARN, "bob", "", now); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("Unblock with no block in force: got %v, want ErrNotFound", err)
	}
	if _, ok, err := st.ActiveBlock(ctx, blocked.UserARN, now); ok || err != nil {
		t.Errorf("ActiveBlock after the lift: %v, %v", ok, err)
	}
	rec.check(t)
}

// TestBackendRefusesDamagedRecords stores an item of each kind that does
// not decode or validate: Get and List return an error for every kind,
// never the record and never a silent skip.
func TestBackendRefusesDamagedRecords(t *testing.T) {
	s, _ := recordedStore(t)
	ctx := t.Context()
	now := backendBase()
	put := func(table string, it item) {
		t.Helper()
		if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	rs, es, ss := newRequestStore(s), newBreakglassStore(s), newSessionStore(s)
	r := newTestRequest(t, "mallory", "prod", now)
	rit := rs.b.item(r)
	rit.setString(attrStatus, "approved-forever")
	put(s.requestsTable, rit)
	e := newTestEvent(t, "mallory", "prod", now)
	eit := es.b.item(e)
	eit.setString(attrOpenedAt, "long ago")
	put(s.breakglassTable, eit)
	se := newTestSession(t, "mallory", now)
	sit := ss.b.item(se)
	sit.setString(attrHost, "bad\x1b[2Jhost")
	put(s.sessionsTable, sit)

	invalid := func(what string, err error) {
		t.Helper()
		if err == nil || !errors.Is(err, record.ErrInvalid) && !errors.Is(err, session.ErrInvalid) {
			t.Errorf("%s: got %v, want an invalid-record error", what, err)
		}
	}
	_, err := rs.Get(ctx, r.ID)
	invalid("Get of a request with an unknown status", err)
	_, err = rs.List(ctx, request.Query{Requester: "mallory"}.Record(now))
	invalid("List of a request with an unknown status", err)
	_, err = es.Get(ctx, e.ID)
	invalid("Get of an event with a bad time", err)
	_, err = es.List(ctx, breakglass.Query{Profile: "prod"}.Record(now))
	invalid("List of an event with a bad time", err)
	_, err = ss.Get(ctx, se.ID)
	invalid("Get of a session with an escape in its host", err)
	_, err = ss.List(ctx, session.Query{User: "mallory"}.Record(now))
	invalid("List of a session with an escape in its host", err)
	if _, err := rs.List(ctx, record.Query[request.Status]{Limit: 1}); !errors.Is(err, record.ErrInvalid) {
		t.Errorf("List with no key: got %v, want ErrInvalid", err)
	}
}

// TestOpenRefusesADamagedQuota stores a quota item that does not decode:
// Open fails closed, storing nothing, rather than lifting the limits.
func TestOpenRefusesADamagedQuota(t *testing.T) {
	s, _ := recordedStore(t)
	st := newBreakglassStore(s)
	e := newTestEvent(t, "alice", "prod", backendBase())
	it := item{}
	it.setString(attrID, quotaID(quotaUser(e)))
	it.setString(attrQuotaEntries, "{not json")
	it.setInt(attrVersion, 3)
	if _, err := s.client.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(s.breakglassTable), Item: it}); err != nil {
		t.Fatal(err)
	}
	if err := st.Open(t.Context(), e, breakglass.Limits{MaxPerDay: 1}); !errors.Is(err, record.ErrInvalid) {
		t.Fatalf("Open over a damaged quota: got %v, want ErrInvalid", err)
	}
	if storedItem(t, s, s.breakglassTable, e.ID) != nil || storedItem(t, s, s.breakglassTable, lockID(e.PersonKey(), e.LimitKey())) != nil {
		t.Error("a refused Open stored the event or its lock")
	}
}

// TestBackendConcurrentChangesAllLand runs 16 changes of one record at
// once: each loses its conditional write to the others until it wins, and
// none is lost.
func TestBackendConcurrentChangesAllLand(t *testing.T) {
	s, rec := recordedStore(t)
	st := newSessionStore(s)
	now := backendBase()
	se := createdSession(t, st, "alice", now)
	rec.calls()
	const n = 16
	errs := concurrently(n, func(int) error {
		_, err := st.Change(t.Context(), se.ID, func(s *session.Session) error {
			s.RequestCount++
			return nil
		})
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("change %d: %v", i, err)
		}
	}
	got, err := st.Get(t.Context(), se.ID)
	if err != nil || got.RequestCount != n || got.Version != n {
		t.Fatalf("after %d concurrent changes: %+v, %v", n, got, err)
	}
	t.Logf("%d PutItem calls for %d changes", rec.calls()["PutItem"], n)
}

// TestSessionTouchIsOneWrite pins issue 17's "one store request per warm
// decision": a touch is one TransactWriteItems (a ConditionCheck on the
// block item and the update), with no read before it, whether the new
// credentials end later than the session or at the same time (a warm
// decision handing out the same credentials again).
func TestSessionTouchIsOneWrite(t *testing.T) {
	s, rec := recordedStore(t)
	st := newSessionStore(s)
	ctx := t.Context()
	now := backendBase()
	se := createdSession(t, st, "alice", now)
	rec.calls()
	expires := se.ExpiresAt
	for i := 1; i <= 3; i++ {
		expires = expires.Add(time.Minute)
		if err := st.Touch(ctx, se.ID, se.UserARN, now.Add(time.Duration(i)*time.Second), expires); err != nil {
			t.Fatalf("Touch %d: %v", i, err)
		}
		only(t, fmt.Sprintf("touch %d with later credentials", i), rec.calls(), map[string]int{"TransactWriteItems": 1})
	}
	for i := 4; i <= 6; i++ {
		if err := st.Touch(ctx, se.ID, se.UserARN, now.Add(time.Duration(i)*time.Second), expires); err != nil {
			t.Fatalf("Touch %d: %v", i, err)
		}
		only(t, fmt.Sprintf("touch %d with the same credentials", i), rec.calls(), map[string]int{"TransactWriteItems": 1})
	}
	got, err := st.Get(ctx, se.ID)
	if err != nil || got.RequestCount != 6 || got.Version != 6 || !got.ExpiresAt.Equal(expires) {
		t.Fatalf("after 6 touches: %+v, %v", got, err)
	}
	checkTTL(t, "touched session", storedTTL(t, s, s.sessionsTable, se.ID), expires, DefaultAuditRetention)
	rec.calls()
	// Credentials that end before the session never shorten it. This
	// process knows the stored expiry, so the touch that leaves it is the
	// one write.
	if err := st.Touch(ctx, se.ID, se.UserARN, now.Add(7*time.Second), expires.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	only(t, "a touch with shorter credentials", rec.calls(), map[string]int{"TransactWriteItems": 1})
	if got, err := st.Get(ctx, se.ID); err != nil || !got.ExpiresAt.Equal(expires) || got.RequestCount != 7 {
		t.Fatalf("after a touch with shorter credentials: %+v, %v", got, err)
	}
	rec.calls()
	// Another process, which has not seen the session, first tries to move
	// the expiry; the refusal's returned item calls for the second write,
	// and from then on it knows.
	s.touches = touchHints{}
	for i, want := range []int{2, 1} {
		if err := st.Touch(ctx, se.ID, se.UserARN, now.Add(time.Duration(8+i)*time.Second), expires.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		only(t, fmt.Sprintf("touch %d by a process that had not seen the session", i+1), rec.calls(), map[string]int{"TransactWriteItems": want})
	}
	if got, err := st.Get(ctx, se.ID); err != nil || !got.ExpiresAt.Equal(expires) || got.RequestCount != 9 {
		t.Fatalf("after the other process's touches: %+v, %v", got, err)
	}
	for _, tt := range []struct {
		name, id, arn string
	}{
		{"missing", "0123456789abcdef", se.UserARN},
		{"another person's", se.ID, "arn:aws:iam::111122223333:user/mallory"},
	} {
		if err := st.Touch(ctx, tt.id, tt.arn, now.Add(9*time.Second), expires); !errors.Is(err, record.ErrNotFound) {
			t.Errorf("Touch of a %s session: got %v, want ErrNotFound", tt.name, err)
		}
	}
	rec.calls()
	if err := st.Block(ctx, session.Block{UserARN: se.UserARN, By: "bob", Reason: "stolen", At: now}); err != nil {
		t.Fatal(err)
	}
	rec.calls()
	if err := st.Touch(ctx, se.ID, se.UserARN, now.Add(8*time.Second), expires); !errors.Is(err, session.ErrBlocked) {
		t.Fatalf("Touch of a blocked person: got %v, want ErrBlocked", err)
	}
	only(t, "a refused touch", rec.calls(), map[string]int{"TransactWriteItems": 1})
}

// TestSessionTouchesCountUnderConcurrency runs 32 touches at once: every
// one counts.
func TestSessionTouchesCountUnderConcurrency(t *testing.T) {
	s, _ := recordedStore(t)
	st := newSessionStore(s)
	now := backendBase()
	se := createdSession(t, st, "alice", now)
	const n = 32
	errs := concurrently(n, func(i int) error {
		at := now.Add(time.Duration(i+1) * time.Millisecond)
		return st.Touch(t.Context(), se.ID, se.UserARN, at, se.ExpiresAt.Add(time.Duration(i)*time.Second))
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("touch %d: %v", i, err)
		}
	}
	got, err := st.Get(t.Context(), se.ID)
	if err != nil || got.RequestCount != n || got.Version != n {
		t.Fatalf("after %d concurrent touches: %+v, %v", n, got, err)
	}
	if want := se.ExpiresAt.Add((n - 1) * time.Second); !got.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %s, want the latest credentials' %s", got.ExpiresAt, want)
	}
}

// TestRevokeRacingTouchesEndsRevoked races a revoke through Change with
// touches: the session ends revoked, and every touch that succeeded is
// counted, none lost to the revoke's write of the whole item. Each touch
// can make the revoke lose one attempt, so fewer touches than
// record.ChangeAttempts can never exhaust it.
func TestRevokeRacingTouchesEndsRevoked(t *testing.T) {
	s, _ := recordedStore(t)
	st := newSessionStore(s)
	now := backendBase()
	se := createdSession(t, st, "alice", now)
	const n = record.ChangeAttempts / 2
	// The last of n+1 writers revokes; the others touch.
	errs := concurrently(n+1, func(i int) error {
		if i == n {
			_, err := st.Change(t.Context(), se.ID, func(s *session.Session) error {
				return s.Revoke("bob", "", "stolen", now.Add(time.Second))
			})
			return err
		}
		return st.Touch(t.Context(), se.ID, se.UserARN, now.Add(time.Duration(i+1)*time.Millisecond), se.ExpiresAt)
	})
	if errs[n] != nil {
		t.Fatalf("Change revoke: %v", errs[n])
	}
	errs = errs[:n]
	counted := int64(0)
	for i, err := range errs {
		switch {
		case err == nil:
			counted++
		case !errors.Is(err, session.ErrRevoked):
			t.Errorf("touch %d: %v", i, err)
		}
	}
	got, err := st.Get(t.Context(), se.ID)
	if err != nil || got.Status != session.StatusRevoked || got.RequestCount != counted || got.Version != counted+1 {
		t.Fatalf("after the race: %+v, %v; want revoked with %d touches counted", got, err, counted)
	}
	t.Logf("%d of %d touches landed before the revoke", counted, n)
}

// benchStore is a store on fresh tables for a benchmark, with rec
// watching it.
func benchStore(b *testing.B) (*Store, *callRecorder) {
	b.Helper()
	if skipReason != "" {
		b.Skip(skipReason)
	}
	rec := &callRecorder{}
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		b.Fatal(err)
	}
	name := "bench-" + hex.EncodeToString(r[:])
	s, err := New(b.Context(), Options{
		Region: "us-east-1", RequestsTable: name + "-requests", BreakglassTable: name + "-breakglass",
		SessionsTable: name + "-sessions", Credentials: testCredentials,
		apiOptions: []func(*middleware.Stack) error{rec.middleware()},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.InitTables(b.Context(), false, io.Discard); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { deleteTablesQuietly(s) })
	return s, rec
}

// BenchmarkChange measures one Change of a session (read, conditional
// write) and reports the DynamoDB calls per change.
func BenchmarkChange(b *testing.B) {
	s, rec := benchStore(b)
	st := newSessionStore(s)
	se := createdSession(b, st, "alice", backendBase())
	rec.calls()
	for b.Loop() {
		if _, err := st.Change(b.Context(), se.ID, func(s *session.Session) error { s.RequestCount++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	reportCalls(b, rec.calls())
}

// BenchmarkTouch measures one warm Touch and reports the DynamoDB calls
// per touch: issue 17 wants one.
func BenchmarkTouch(b *testing.B) {
	s, rec := benchStore(b)
	st := newSessionStore(s)
	now := backendBase()
	se := createdSession(b, st, "alice", now)
	rec.calls()
	i := 0
	for b.Loop() {
		i++
		if err := st.Touch(b.Context(), se.ID, se.UserARN, now.Add(time.Duration(i)*time.Microsecond), se.ExpiresAt); err != nil {
			b.Fatal(err)
		}
	}
	reportCalls(b, rec.calls())
}

// deleteTablesQuietly deletes the tables of s, as far as it can: a
// benchmark's tables are its own.
func deleteTablesQuietly(s *Store) {
	for _, table := range []string{s.requestsTable, s.breakglassTable, s.sessionsTable, s.revocationsTable} {
		_, _ = s.client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	}
}

// reportCalls reports the calls per operation of b.
func reportCalls(b *testing.B, calls map[string]int) {
	total := 0
	for op, n := range calls {
		total += n
		b.ReportMetric(float64(n)/float64(b.N), op+"/op")
	}
	b.ReportMetric(float64(total)/float64(b.N), "calls/op")
}
