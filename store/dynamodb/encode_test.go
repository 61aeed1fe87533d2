package dynamodb

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
)

// base is a fixed instant with a nanosecond part.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

func TestRequestItemRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		r    request.Request
	}{
		{"fresh pending", request.Request{
			ID: "0123456789abcdef", Requester: "alice", Profile: "prod", Justification: "deploy the fix for INC-42",
			Duration: time.Hour, Status: request.StatusPending, Required: 1,
			CreatedAt: base, UpdatedAt: base, ExpiresAt: base.Add(24 * time.Hour),
		}},
		{"every field", request.Request{
			ID: "fedcba9876543210", Requester: "bob", RequesterARN: "arn:aws:iam::111122223333:user/bob", Profile: "prod#eu",
			Justification: "ünïcode ✓ and \"quotes\"\nand a second line", Duration: 90*time.Minute + 7,
			Status: request.StatusApproved, Required: 2, AutoApproved: true,
			CreatedAt: base, UpdatedAt: base.Add(time.Minute), DecidedAt: base.Add(2*time.Minute + 1), ExpiresAt: base.Add(time.Hour),
			Reviews: []request.Review{
				{User: "carol", ARN: "arn:aws:iam::111122223333:user/carol", Action: request.ActionApprove, Comment: "ok", At: base.Add(time.Minute)},
				{User: "dave", Action: request.ActionApprove, At: base.Add(2*time.Minute + 1)},
			},
			Version: 7,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := encodeRequest(&tt.r, tt.r.Version, time.Hour)
			got, err := decodeRequest(it)
			if err != nil {
				t.Fatalf("decodeRequest: %v", err)
			}
			if !reflect.DeepEqual(got, &tt.r) {
				t.Fatalf("round trip changed the request:\n got %+v\nwant %+v", got, &tt.r)
			}
		})
	}
}

func TestRequestItemStoresGivenVersionAndUTC(t *testing.T) {
	zone := time.FixedZone("UTC+5", 5*3600)
	r := &request.Request{ID: "0123456789abcdef", Requester: "alice", Status: request.StatusPending, CreatedAt: base.In(zone), Version: 3}
	got, err := decodeRequest(encodeRequest(r, 4, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 4 {
		t.Errorf("Version = %d, want the given 4", got.Version)
	}
	if !got.CreatedAt.Equal(r.CreatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, r.CreatedAt)
	}
}

func TestEventItemRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		e    breakglass.Event
	}{
		{"active", breakglass.Event{
			ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", ReasonCode: breakglass.ReasonIncident,
			Justification: "database on fire, need access", Duration: 45*time.Minute + 3, Status: breakglass.StatusActive,
			OpenedAt: base, ExpiresAt: base.Add(45*time.Minute + 3),
		}},
		{"closed", breakglass.Event{
			ID: "fedcba9876543210", Invoker: "bob", InvokerARN: "arn:aws:iam::111122223333:user/bob", Profile: "prod",
			ReasonCode: breakglass.ReasonOther, Justification: "ünïcode ✓", Duration: time.Hour, Status: breakglass.StatusClosed,
			OpenedAt: base, ExpiresAt: base.Add(time.Hour), ClosedAt: base.Add(time.Minute + 1), ClosedBy: "carol",
			CloseReason: "done", Version: 2,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeEvent(encodeEvent(&tt.e, tt.e.Version, time.Hour))
			if err != nil {
				t.Fatalf("decodeEvent: %v", err)
			}
			if !reflect.DeepEqual(got, &tt.e) {
				t.Fatalf("round trip changed the event:\n got %+v\nwant %+v", got, &tt.e)
			}
		})
	}
}

func TestDecodeRejectsDamagedItems(t *testing.T) {
	good := func() item {
		return encodeRequest(&request.Request{ID: "0123456789abcdef", Requester: "alice", CreatedAt: base}, 0, time.Hour)
	}
	tests := []struct {
		name   string
		damage func(it item)
		want   string
	}{
		{"string as number", func(it item) { it[attrRequester] = &types.AttributeValueMemberN{Value: "1"} }, "attribute requester: want a string"},
		{"bad time", func(it item) { it[attrCreatedAt] = &types.AttributeValueMemberS{Value: "yesterday"} }, "attribute created_at: not a time"},
		{"fractional version", func(it item) { it[attrVersion] = &types.AttributeValueMemberN{Value: "1.5"} }, "attribute version: not a whole number"},
		{"review not a map", func(it item) {
			it[attrReviews] = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "x"}}}
		}, "attribute reviews: element 0: want a map"},
		{"no id", func(it item) { delete(it, attrID) }, "no id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := good()
			tt.damage(it)
			_, err := decodeRequest(it)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("decodeRequest: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeEventRefusesLockItems(t *testing.T) {
	e := &breakglass.Event{ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", ExpiresAt: base}
	if _, err := decodeEvent(lockItem(e, time.Hour)); err == nil {
		t.Fatal("decodeEvent accepted a lock item")
	}
}

func TestSortKeysSortLikeTimes(t *testing.T) {
	// RFC 3339 with trimmed fractions would sort .1 before .09; the fixed
	// width layout must not.
	times := []time.Time{
		base,
		base.Add(-90 * time.Millisecond),
		time.Date(2026, 3, 14, 15, 9, 26, 100000000, time.UTC),
		time.Date(2026, 3, 14, 15, 9, 26, 90000000, time.UTC),
		time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC),
		time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 3, 14, 20, 0, 0, 0, time.FixedZone("UTC+5", 5*3600)), // 15:00 UTC
	}
	keys := make([]string, len(times))
	for i, tm := range times {
		keys[i] = sortKey(tm, "0123456789abcdef")
	}
	sort.Strings(keys)
	sorted := append([]time.Time(nil), times...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	for i := range sorted {
		if want := sortKey(sorted[i], "0123456789abcdef"); keys[i] != want {
			t.Fatalf("sorted keys[%d] = %s, want %s", i, keys[i], want)
		}
	}
	// Equal times order by ID.
	if a, b := sortKey(base, "0000000000000001"), sortKey(base, "0000000000000002"); a >= b {
		t.Errorf("sort keys of equal times do not order by ID: %s >= %s", a, b)
	}
}

func TestTTLFor(t *testing.T) {
	tests := []struct {
		end  time.Time
		want int64
	}{
		{time.Unix(1000, 0), 1000 + 3600},
		{time.Unix(1000, 1), 1001 + 3600}, // rounded up: never before end + retention
		{time.Unix(1000, 999999999), 1001 + 3600},
	}
	for _, tt := range tests {
		if got := ttlFor(tt.end, time.Hour); got != tt.want {
			t.Errorf("ttlFor(%v) = %d, want %d", tt.end, got, tt.want)
		}
	}
}

func TestBusinessEnds(t *testing.T) {
	pending := &request.Request{Status: request.StatusPending, CreatedAt: base, UpdatedAt: base, ExpiresAt: base.Add(24 * time.Hour)}
	approved := &request.Request{Status: request.StatusApproved, Duration: 8 * time.Hour, CreatedAt: base, UpdatedAt: base.Add(time.Hour),
		DecidedAt: base.Add(20 * time.Hour), ExpiresAt: base.Add(24 * time.Hour)}
	denied := &request.Request{Status: request.StatusDenied, CreatedAt: base, UpdatedAt: base.Add(time.Hour), DecidedAt: base.Add(time.Hour),
		ExpiresAt: base.Add(24 * time.Hour)}
	closedLate := &breakglass.Event{Status: breakglass.StatusClosed, OpenedAt: base, ExpiresAt: base.Add(time.Hour), ClosedAt: base.Add(2 * time.Hour)}
	active := &breakglass.Event{Status: breakglass.StatusActive, OpenedAt: base, ExpiresAt: base.Add(time.Hour)}
	for _, tt := range []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"pending request: its expiry", requestBusinessEnd(pending), pending.ExpiresAt},
		{"approved request: its window end", requestBusinessEnd(approved), base.Add(28 * time.Hour)},
		{"denied request: its expiry", requestBusinessEnd(denied), denied.ExpiresAt},
		{"active event: its expiry", eventBusinessEnd(active), active.ExpiresAt},
		{"event closed after expiry: its closing", eventBusinessEnd(closedLate), closedLate.ClosedAt},
	} {
		if !tt.got.Equal(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestLockIDs(t *testing.T) {
	pairs := [][2]string{
		{"a#b", "c"}, {"a", "b#c"}, {"ab", "c"}, {"a", "bc"}, {"", "abc"}, {"abc", ""},
		{"alice", "prod"}, {"Alice", "prod"}, {"alice", "prod "},
		{strings.Repeat("ü", 256), strings.Repeat("é", 256)},
	}
	seen := map[string][2]string{}
	for _, p := range pairs {
		id := lockID(p[0], p[1])
		if other, dup := seen[id]; dup {
			t.Errorf("lockID(%q, %q) = lockID(%q, %q) = %s", p[0], p[1], other[0], other[1], id)
		}
		seen[id] = p
		if !strings.HasPrefix(id, lockPrefix) || len(id) > 100 {
			t.Errorf("lockID(%q, %q) = %q, want a short ID starting with %q", p[0], p[1], id, lockPrefix)
		}
		if lockID(p[0], p[1]) != id {
			t.Errorf("lockID(%q, %q) is not stable", p[0], p[1])
		}
	}
}

func TestLockItemsStayOutOfIndexes(t *testing.T) {
	e := &breakglass.Event{ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", Status: breakglass.StatusActive, OpenedAt: base, ExpiresAt: base.Add(time.Hour)}
	lock := lockItem(e, time.Hour)
	for _, idx := range eventIndexes {
		for _, key := range []string{idx.partitionKey, idx.sortKey} {
			if _, ok := lock[key]; ok {
				t.Errorf("lock item has %s, which keys index %s: listings would see it", key, idx.name)
			}
		}
	}
	if err := checkEventID(lockID("alice", "prod")); err == nil {
		t.Error("a lock ID passes as an event ID")
	}
}

func TestIndexChoice(t *testing.T) {
	requestTests := []struct {
		q     request.Query
		want  index
		value string
	}{
		{request.Query{Requester: "alice", Profile: "prod", Status: request.StatusPending}, requestsByRequester, "alice"},
		{request.Query{Profile: "prod", Status: request.StatusPending}, requestsByProfile, "prod"},
		{request.Query{Status: request.StatusPending, Limit: 3}, requestsByStatus, "pending"},
	}
	for _, tt := range requestTests {
		idx, value, err := requestIndexFor(tt.q)
		if err != nil || idx != tt.want || value != tt.value {
			t.Errorf("requestIndexFor(%+v) = %v, %q, %v; want %v, %q", tt.q, idx, value, err, tt.want, tt.value)
		}
	}
	if _, _, err := requestIndexFor(request.Query{Limit: 1}); err == nil {
		t.Error("requestIndexFor with no key succeeded")
	}
	eventTests := []struct {
		q     breakglass.Query
		want  index
		value string
	}{
		{breakglass.Query{Invoker: "alice", Profile: "prod"}, eventsByInvoker, "alice"},
		{breakglass.Query{Profile: "prod", Status: breakglass.StatusClosed}, eventsByProfile, "prod"},
		{breakglass.Query{Status: breakglass.StatusActive}, eventsByStatus, "active"},
	}
	for _, tt := range eventTests {
		idx, value, err := eventIndexFor(tt.q)
		if err != nil || idx != tt.want || value != tt.value {
			t.Errorf("eventIndexFor(%+v) = %v, %q, %v; want %v, %q", tt.q, idx, value, err, tt.want, tt.value)
		}
	}
	if _, _, err := eventIndexFor(breakglass.Query{}); err == nil {
		t.Error("eventIndexFor with no key succeeded")
	}
}
