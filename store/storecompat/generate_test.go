//go:build storecompat_write

package storecompat

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// The generator of testdata/. It is behind a build tag and a flag because
// its output must come from the release-era store code: run it again only
// on that code (see testdata/README), never on a later store.
var write = flag.Bool("write", false, "write the fixtures in testdata/")

func TestWriteFixtures(t *testing.T) {
	if !*write {
		t.Skip("pass -args -write to rewrite testdata/")
	}
	needLocal(t)

	// bbolt: write in a temporary directory, read back, then copy.
	path := filepath.Join(t.TempDir(), "state.db")
	lb := openLocal(t, path)
	writeAll(t, lb)
	t.Run("local reads back", func(t *testing.T) { checkReads(t, lb) })
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(localFixture, raw, 0o600); err != nil {
		t.Fatal(err)
	}

	// DynamoDB: write through the store, read back, then scan each table.
	db, tables := openDynamoDB(t)
	writeAll(t, db)
	t.Run("dynamodb reads back", func(t *testing.T) { checkReads(t, db) })
	client := rawClient(t)
	if err := os.MkdirAll(ddbFixtures, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, kind := range ddbTables {
		if err := dumpTable(t.Context(), client, tables[kind], filepath.Join(ddbFixtures, kind+".json")); err != nil {
			t.Fatal(err)
		}
	}
}

// writeAll writes the fixture records the way the service does: requests
// are created pending and then decided, events are opened and then ended,
// sessions are created active and then touched, revoked or expired.
func writeAll(t *testing.T, b *backend) {
	t.Helper()
	ctx := t.Context()
	for _, want := range wantRequests {
		first := *want
		first.Version = 0
		if !want.AutoApproved {
			first.Status, first.UpdatedAt, first.DecidedAt, first.Reviews = request.StatusPending, want.CreatedAt, zero, nil
			first.RevokedBy, first.RevokedByARN, first.RevokeReason, first.RevokedAt = "", "", "", zero
		}
		must(t, "create request "+want.ID, createRequest(ctx, b, &first))
		if want.Status == request.StatusRevoked {
			must(t, "approve request "+want.ID, changeRequest(ctx, b, want.ID, func(r *request.Request) error {
				v := r.Version
				*r = *want
				r.Version, r.Status, r.UpdatedAt = v, request.StatusApproved, want.DecidedAt
				r.RevokedBy, r.RevokedByARN, r.RevokeReason, r.RevokedAt = "", "", "", zero
				return nil
			}))
		}
		if want.Version > 0 {
			must(t, "decide request "+want.ID, changeRequest(ctx, b, want.ID, func(r *request.Request) error {
				v := r.Version
				*r = *want
				r.Version = v
				return nil
			}))
		}
	}

	events := append([]*breakglass.Event(nil), wantEvents...)
	sort.Slice(events, func(i, j int) bool { return events[i].OpenedAt.Before(events[j].OpenedAt) })
	for _, want := range events {
		first := *want
		first.Version, first.Status, first.ClosedAt, first.ClosedBy, first.CloseReason = 0, breakglass.StatusActive, zero, "", ""
		must(t, "open event "+want.ID, openEvent(ctx, b, &first, breakglass.Limits{}))
		if want.Status != breakglass.StatusActive {
			must(t, "end event "+want.ID, changeEvent(ctx, b, want.ID, func(e *breakglass.Event) error {
				v := e.Version
				*e = *want
				e.Version = v
				return nil
			}))
		}
	}

	for _, want := range wantSessions {
		first := *want
		first.Version, first.Status, first.LastAccessAt, first.RequestCount = 0, session.StatusActive, want.StartedAt, 0
		first.RevokedBy, first.RevokedByARN, first.RevokeReason, first.RevokedAt = "", "", "", zero
		if want.RequestCount > 0 {
			first.ExpiresAt = firstTouch.expires.Add(-5 * time.Minute)
		}
		must(t, "create session "+want.ID, createSession(ctx, b, &first))
		switch {
		case want.RequestCount > 0:
			must(t, "touch session "+want.ID, touchSession(ctx, b, want.ID, want.UserARN, firstTouch.at, firstTouch.expires))
		case want.Status == session.StatusRevoked:
			must(t, "revoke session "+want.ID, revokeSession(ctx, b, want.ID, want.RevokedBy, want.RevokedByARN, want.RevokeReason, want.RevokedAt))
		case want.Status == session.StatusExpired:
			must(t, "expire session "+want.ID, expireSession(ctx, b, want.ID, want.ExpiresAt.Add(time.Minute)))
		}
	}

	for _, want := range wantBlocks {
		first := want
		first.LiftedBy, first.LiftedByARN, first.LiftedAt = "", "", zero
		must(t, "block "+want.UserARN, blockUser(ctx, b, first))
		if !want.LiftedAt.IsZero() {
			must(t, "lift "+want.UserARN, unblockUser(ctx, b, want.UserARN, want.LiftedBy, want.LiftedByARN, want.LiftedAt))
		}
	}

	must(t, "team anchor", b.team.PutTeamAnchor(ctx, wantTeamAnchor.owner, wantTeamAnchor.head))
	if b.log != nil {
		must(t, "log anchor", b.log.Anchor(ctx, wantLogAnchor))
	}
}

// dumpTable scans table and writes its items, sorted by id, as JSON in
// DynamoDB's low-level form.
func dumpTable(ctx context.Context, client *dynamodb.Client, table, path string) error {
	var items []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("scan %s: %w", table, err)
		}
		items = append(items, page.Items...)
	}
	id := func(m map[string]types.AttributeValue) string {
		s, _ := m["id"].(*types.AttributeValueMemberS)
		if s == nil {
			return ""
		}
		return s.Value
	}
	sort.Slice(items, func(i, j int) bool { return id(items[i]) < id(items[j]) })
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		m, err := encodeMap(it)
		if err != nil {
			return fmt.Errorf("%s: item %s: %w", table, id(it), err)
		}
		out = append(out, m)
	}
	raw, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}

// zero is the zero time, for fields a record gains later.
var zero time.Time

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func createRequest(ctx context.Context, b *backend, r *request.Request) error {
	return b.requests.Create(ctx, r)
}

// encodeAV is decodeAV's inverse, used by the generator.
func encodeAV(av types.AttributeValue) (any, error) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}, nil
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}, nil
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}, nil
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}, nil
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}, nil
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}, nil
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}, nil
	case *types.AttributeValueMemberL:
		l := make([]any, 0, len(v.Value))
		for _, e := range v.Value {
			x, err := encodeAV(e)
			if err != nil {
				return nil, err
			}
			l = append(l, x)
		}
		return map[string]any{"L": l}, nil
	case *types.AttributeValueMemberM:
		m, err := encodeMap(v.Value)
		return map[string]any{"M": m}, err
	default:
		return nil, fmt.Errorf("unsupported attribute value %T", av)
	}
}

func encodeMap(m map[string]types.AttributeValue) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		x, err := encodeAV(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = x
	}
	return out, nil
}

// firstTouch is the touch the generator gave alice's session after
// creating it: it explains her RequestCount 1 and ExpiresAt at(160).
var firstTouch = struct{ at, expires time.Time }{at(100), at(160)}

func expireSession(ctx context.Context, b *backend, id string, at time.Time) error {
	_, err := b.sessions.Change(ctx, id, func(s *session.Session) error { return s.Expire(at) })
	return err
}
