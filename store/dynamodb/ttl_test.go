package dynamodb

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
)

// storedTTL reads the raw ttl attribute of an item as a time.
func storedTTL(t *testing.T, s *Store, table, id string) time.Time {
	t.Helper()
	out, err := s.client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem %s: %v", id, err)
	}
	n, ok := out.Item[attrTTL].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("item %s has no numeric ttl: %v", id, out.Item[attrTTL])
	}
	secs, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		t.Fatalf("item %s ttl %q: %v", id, n.Value, err)
	}
	return time.Unix(secs, 0)
}

// checkTTL fails t unless ttl is within a second after end + retention.
func checkTTL(t *testing.T, what string, ttl, end time.Time, retention time.Duration) {
	t.Helper()
	want := end.Add(retention)
	if ttl.Before(want) || ttl.After(want.Add(time.Second)) {
		t.Errorf("%s: ttl %s, want %s (business end %s + retention %s)", what, ttl.UTC(), want.UTC(), end.UTC(), retention)
	}
}

func TestTTLIsWellAfterBusinessExpiry(t *testing.T) {
	const retention = 30 * 24 * time.Hour
	s := newInitializedStore(t, func(o *Options) { o.AuditRetention = retention })
	now := time.Now().UTC()

	id, err := request.NewID()
	if err != nil {
		t.Fatal(err)
	}
	r, err := request.New(request.NewParams{
		ID: id, Requester: "ttl-alice", Profile: "prod", Justification: "checking the time to live of items",
		Duration: 2 * time.Hour, PendingTTL: 6 * time.Hour, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Requests().Create(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "pending request", storedTTL(t, s, s.requestsTable, r.ID), r.ExpiresAt, retention)

	// Approved late in its pending time, the window outlasts the expiry.
	r, err = s.Requests().Change(t.Context(), r.ID, func(r *request.Request) error { return r.Approve("ttl-bob", "", "", now.Add(5*time.Hour)) })
	if err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "approved request", storedTTL(t, s, s.requestsTable, r.ID), r.WindowEnd(), retention)

	eid, err := breakglass.NewID()
	if err != nil {
		t.Fatal(err)
	}
	e, err := breakglass.New(breakglass.NewParams{
		ID: eid, Invoker: "ttl-alice", Profile: "prod", ReasonCode: breakglass.ReasonIncident,
		Justification: "checking the time to live of events", Duration: time.Hour, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Breakglass().Open(t.Context(), e, breakglass.Limits{}); err != nil {
		t.Fatal(err)
	}
	checkTTL(t, "active event", storedTTL(t, s, s.breakglassTable, e.ID), e.ExpiresAt, retention)
	checkTTL(t, "lock of the active event", storedTTL(t, s, s.breakglassTable, lockID(e.PersonKey(), e.LimitKey())), e.ExpiresAt, retention)
}
