package dynamodb

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// codecRetention is an audit retention with a second fraction, so that
// the ttl's rounding up is exercised.
const codecRetention = 90*24*time.Hour + 500*time.Millisecond

// codecRequests are requests in every shape the store meets: fresh,
// decided, revoked, with reviews and in a non-UTC zone.
func codecRequests() []*request.Request {
	zone := time.FixedZone("UTC+5", 5*3600)
	return []*request.Request{
		{ID: "0123456789abcdef", Requester: "alice", Profile: "prod", Justification: "deploy the fix for INC-42",
			Duration: time.Hour, Status: request.StatusPending, Required: 1,
			CreatedAt: base, UpdatedAt: base, ExpiresAt: base.Add(24 * time.Hour)},
		{ID: "fedcba9876543210", Requester: "bob", RequesterARN: "arn:aws:iam::111122223333:user/Bob", Profile: "prod#eu",
			RoleARN:       "arn:aws:iam::111122223333:role/deploy",
			Justification: "ünïcode ✓ and \"quotes\"", Duration: 90*time.Minute + 7,
			Status: request.StatusApproved, Required: 2, AutoApproved: true,
			CreatedAt: base, UpdatedAt: base.Add(5 * time.Hour), DecidedAt: base.Add(5 * time.Hour), ExpiresAt: base.Add(6 * time.Hour),
			Reviews: []request.Review{
				{User: "carol", ARN: "arn:aws:iam::111122223333:user/carol", Action: request.ActionApprove, Comment: "ok", At: base.Add(time.Minute)},
				{User: "dave", Action: request.ActionApprove, At: base.Add(5 * time.Hour)},
			},
			Version: 7},
		{ID: "00000000000000ff", Requester: "erin", Profile: "dev", Justification: "revoked after approval",
			Duration: time.Hour, Status: request.StatusRevoked, Required: 1,
			CreatedAt: base.In(zone), UpdatedAt: base.Add(time.Hour), DecidedAt: base.Add(time.Minute), ExpiresAt: base.Add(2 * time.Hour),
			RevokedBy: "frank", RevokedByARN: "arn:aws:iam::111122223333:user/frank", RevokeReason: "done early", RevokedAt: base.Add(time.Hour),
			Version: 3},
	}
}

// codecEvents are break-glass events: active, closed and expired.
func codecEvents() []*breakglass.Event {
	return []*breakglass.Event{
		{ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", ReasonCode: breakglass.ReasonIncident,
			Justification: "database on fire, need access", Duration: 45*time.Minute + 3, Status: breakglass.StatusActive,
			OpenedAt: base, ExpiresAt: base.Add(45*time.Minute + 3)},
		{ID: "fedcba9876543210", Invoker: "bob", InvokerARN: "arn:aws:iam::111122223333:user/bob", Profile: "prod",
			RoleARN: "arn:aws:iam::111122223333:role/admin", ReasonCode: breakglass.ReasonIncident,
			Justification: "closed after the fix", Duration: time.Hour, Status: breakglass.StatusClosed,
			OpenedAt: base, ExpiresAt: base.Add(time.Hour), ClosedAt: base.Add(20 * time.Minute), ClosedBy: "bob", CloseReason: "fixed",
			Version: 1},
		{ID: "00000000000000ff", Invoker: "carol", Profile: "dev", ReasonCode: breakglass.ReasonIncident,
			Justification: "expired on its own", Duration: time.Hour, Status: breakglass.StatusExpired,
			OpenedAt: base, ExpiresAt: base.Add(time.Hour), Version: 2},
	}
}

// codecSessions are sessions: fresh, touched and revoked.
func codecSessions(t testing.TB) []*session.Session {
	fresh, err := session.New(session.NewParams{
		ID: "0123456789abcdef", User: "alice", UserARN: "arn:aws:iam::111122223333:user/Alice", Account: "111122223333",
		Profile: "prod", RoleARN: "arn:aws:iam::111122223333:role/prod", Host: "laptop", PID: 4242,
		SourceIdentity: "alice", Now: base, ExpiresAt: base.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	touched := *fresh
	touched.ID = "fedcba9876543210"
	if err := touched.Touch(base.Add(time.Minute), base.Add(2*time.Hour+1)); err != nil {
		t.Fatal(err)
	}
	touched.Version = 4
	revoked := touched
	revoked.ID = "00000000000000ff"
	revoked.Host, revoked.PID, revoked.RoleARN = "", 0, ""
	if err := revoked.Revoke("bob", "arn:aws:iam::111122223333:user/bob", "laptop stolen", base.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	return []*session.Session{fresh, &touched, &revoked}
}

// codecStore is a store whose backends the codec tests use; it makes no
// call.
func codecStore(t *testing.T) *Store {
	return newStore(t, func(o *Options) { o.AuditRetention = codecRetention })
}

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/codec_items.json from the codecs")

// TestCodecItemsMatchTheGolden pins the items of every kind, derived keys
// and ttl included, to testdata/codec_items.json: the items the encoders
// of the previous release wrote (a comparison with those encoders showed
// them equal when the file was made), so that the attribute names and
// formats stay compatible now that those encoders are gone.
func TestCodecItemsMatchTheGolden(t *testing.T) {
	s := codecStore(t)
	rb, es, sb := newRequestStore(s).b, newBreakglassStore(s), newSessionStore(s).b
	got := map[string]any{}
	for _, r := range codecRequests() {
		got["request "+r.ID] = itemJSON(rb.item(request.Kind.Normalize(r)))
	}
	for _, e := range codecEvents() {
		got["event "+e.ID] = itemJSON(es.b.item(breakglass.Kind.Normalize(e)))
		got["lock of event "+e.ID] = itemJSON(es.lockItem(e))
	}
	for _, se := range codecSessions(t) {
		got["session "+se.ID] = itemJSON(sb.item(session.Kind.Normalize(se)))
	}
	for i, b := range codecBlocks() {
		got[fmt.Sprintf("block %d", i)] = itemJSON(blockItem(b, codecRetention))
	}
	raw, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "codec_items.json")
	if *updateGolden {
		if err := os.WriteFile(path, append(raw, '\n'), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(raw)+"\n" {
		t.Errorf("items differ from %s (run with -update-golden only for a deliberate change of the table format):\n%s", path, raw)
	}
}

// itemJSON renders an item in DynamoDB's JSON shape, which sorts its keys.
func itemJSON(m map[string]types.AttributeValue) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = valueJSON(v)
	}
	return out
}

func valueJSON(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]string{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]string{"N": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]bool{"BOOL": v.Value}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": itemJSON(v.Value)}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = valueJSON(e)
		}
		return map[string]any{"L": l}
	default:
		return fmt.Sprintf("%T", v)
	}
}

// codecBlocks are blocks: for good, for a while, and lifted.
func codecBlocks() []*session.Block {
	arn := "arn:aws:iam::111122223333:user/Alice"
	return []*session.Block{
		{UserARN: arn, By: "bob", Reason: "laptop stolen", At: base},
		{UserARN: arn, Until: base.Add(time.Hour), By: "bob", ByARN: "arn:aws:iam::111122223333:user/bob", Reason: "on leave", At: base},
		{UserARN: arn, By: "bob", Reason: "stolen", At: base, LiftedBy: "carol", LiftedByARN: "arn:aws:iam::111122223333:user/carol", LiftedAt: base.Add(time.Minute)},
	}
}

func TestCodecRoundTrips(t *testing.T) {
	s := codecStore(t)
	rb, eb, sb := newRequestStore(s).b, newBreakglassStore(s).b, newSessionStore(s).b
	for _, r := range codecRequests() {
		roundTrip(t, rb, request.Kind.Normalize(r))
	}
	for _, e := range codecEvents() {
		roundTrip(t, eb, breakglass.Kind.Normalize(e))
	}
	for _, se := range codecSessions(t) {
		roundTrip(t, sb, session.Kind.Normalize(se))
	}
}

// roundTrip fails t unless decode(item(r)) is r.
func roundTrip[T any, S ~string](t *testing.T, b *backend[T, S], r *T) {
	t.Helper()
	got, err := b.decode(b.item(r))
	if err != nil {
		t.Fatalf("%s %s: decode: %v", b.kind.Name, b.kind.ID(r), err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("%s %s: round trip changed it:\n got %+v\nwant %+v", b.kind.Name, b.kind.ID(r), got, r)
	}
}

func TestCodecRefusesDamagedItems(t *testing.T) {
	s := codecStore(t)
	rb, sb := newRequestStore(s).b, newSessionStore(s).b
	good := rb.item(codecRequests()[1])
	tests := []struct {
		name string
		set  func(it item)
	}{
		{"id missing", func(it item) { delete(it, attrID) }},
		{"lock item id", func(it item) { it.setString(attrID, lockID("alice", "prod")) }},
		{"number as string", func(it item) { it.setString(attrDurationNS, "3600") }},
		{"string as number", func(it item) { it.setInt(attrRequester, 7) }},
		{"time that is not one", func(it item) { it.setString(attrCreatedAt, "yesterday") }},
		{"huge quorum", func(it item) { it.setInt(attrRequired, 1<<40) }},
		{"negative quorum", func(it item) { it.setInt(attrRequired, -1) }},
		{"flag as string", func(it item) { it.setString(attrAutoApproved, "true") }},
		{"reviews as a string", func(it item) { it.setString(attrReviews, "[]") }},
		{"review not a map", func(it item) {
			it[attrReviews] = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "x"}}}
		}},
		{"review with a bad time", func(it item) {
			m := item{}
			m.setString(attrReviewAt, "noon")
			it[attrReviews] = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: m}}}
		}},
		{"unknown status", func(it item) { it.setString(attrStatus, "approved-forever") }},
		{"no requester", func(it item) { delete(it, attrRequester) }},
		{"negative version", func(it item) { it.setInt(attrVersion, -2) }},
	}
	for _, tt := range tests {
		it := item{}
		for k, v := range good {
			it[k] = v
		}
		tt.set(it)
		if r, err := rb.decode(it); err == nil || !errors.Is(err, record.ErrInvalid) && !errors.Is(err, request.ErrInvalid) {
			t.Errorf("%s: decode = %+v, %v; want an invalid error", tt.name, r, err)
		}
	}
	se := sb.item(codecSessions(t)[0])
	se.setInt(attrPID, 1<<31)
	if _, err := sb.decode(se); err == nil {
		t.Error("a session with a pid past 2^31-1 decoded")
	}
}

// FuzzCodecDecode feeds the decoders items of any shape: one attribute of a
// good item replaced by a value of a fuzzed type and text. Decoding never
// panics, and whatever decodes encodes to an item that decodes to the same
// record.
func FuzzCodecDecode(f *testing.F) {
	f.Add("status", byte(0), "pending")
	f.Add("created_at", byte(0), "2026-03-14T15:09:26.535897932Z")
	f.Add("required", byte(1), "99999999999")
	f.Add("reviews", byte(3), "")
	f.Add("pid", byte(1), "-1")
	f.Add("id", byte(0), "lock#00")
	f.Fuzz(func(t *testing.T, name string, typ byte, value string) {
		s := &Store{retention: codecRetention}
		rb := newRequestStore(s).b
		eb, sb := newBreakglassStore(s).b, newSessionStore(s).b
		var v types.AttributeValue
		switch typ % 5 {
		case 0:
			v = &types.AttributeValueMemberS{Value: value}
		case 1:
			v = &types.AttributeValueMemberN{Value: value}
		case 2:
			v = &types.AttributeValueMemberBOOL{Value: value != ""}
		case 3:
			v = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: value}}}
		default:
			v = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"at": &types.AttributeValueMemberS{Value: value}}}
		}
		fuzzOne(t, rb, codecRequests()[1], name, v)
		fuzzOne(t, eb, codecEvents()[1], name, v)
		fuzzOne(t, sb, codecSessions(t)[2], name, v)
	})
}

func fuzzOne[T any, S ~string](t *testing.T, b *backend[T, S], r *T, name string, v types.AttributeValue) {
	it := b.item(r)
	it[name] = v
	got, err := b.decode(it)
	if err != nil {
		return
	}
	again, err := b.decode(b.item(got))
	if err != nil {
		t.Fatalf("%s: a decoded record does not decode once encoded: %v", b.kind.Name, err)
	}
	if !reflect.DeepEqual(again, got) {
		t.Fatalf("%s: encode and decode changed a decoded record:\n got %+v\nwant %+v", b.kind.Name, again, got)
	}
}
