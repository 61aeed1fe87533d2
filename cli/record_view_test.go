package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite cli/testdata/record_views.golden")

// viewFixtures are records of every kind in the states their views show
// differently.
func viewFixtures() (time.Time, []*request.Request, []*breakglass.Event, []*session.Session) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	alice, bob := "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/bob"
	reqs := []*request.Request{
		{ID: "0123456789abcdef", Requester: "alice", RequesterARN: alice, Profile: "prod", Justification: "deploy the fix",
			Status: request.StatusPending, Duration: time.Hour, Required: 2, CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour),
			Reviews: []request.Review{{User: "bob", ARN: bob, Action: request.ActionApprove, Comment: "ok", At: now.Add(-time.Minute)}}},
		{ID: "1123456789abcdef", Requester: "alice", RequesterARN: alice, Profile: "prod", RoleARN: "arn:aws:iam::111122223333:role/prod",
			Justification: "deploy the fix", Status: request.StatusApproved, Duration: 2 * time.Hour, Required: 1, AutoApproved: true,
			CreatedAt: now.Add(-time.Hour), DecidedAt: now.Add(-30 * time.Minute), ExpiresAt: now.Add(time.Hour)},
		{ID: "2123456789abcdef", Requester: "alice", RequesterARN: alice, Profile: "dev", Justification: "look at logs",
			Status: request.StatusRevoked, Duration: time.Hour, Required: 1, CreatedAt: now.Add(-3 * time.Hour),
			DecidedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour),
			Reviews:   []request.Review{{User: "bob", ARN: bob, Action: request.ActionApprove, At: now.Add(-2 * time.Hour)}},
			RevokedBy: "bob", RevokedByARN: bob, RevokeReason: "done", RevokedAt: now.Add(-90 * time.Minute)},
	}
	events := []*breakglass.Event{
		{ID: "3123456789abcdef", Invoker: "alice", InvokerARN: alice, Profile: "prod", ReasonCode: "incident", Justification: "site down",
			Status: breakglass.StatusActive, Duration: time.Hour, OpenedAt: now.Add(-10 * time.Minute), ExpiresAt: now.Add(50 * time.Minute),
			RoleARN: "arn:aws:iam::111122223333:role/prod"},
		{ID: "4123456789abcdef", Invoker: "alice", InvokerARN: alice, Profile: "prod", ReasonCode: "incident", Justification: "site down",
			Status: breakglass.StatusClosed, Duration: time.Hour, OpenedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour),
			ClosedAt: now.Add(-90 * time.Minute), ClosedBy: "bob", CloseReason: "fixed"},
	}
	sessions := []*session.Session{
		{ID: "5123456789abcdef", User: "alice", UserARN: alice, Account: "111122223333", Profile: "prod", RoleARN: "arn:aws:iam::111122223333:role/prod",
			Host: "laptop", PID: 4242, Status: session.StatusActive, StartedAt: now.Add(-time.Hour), LastAccessAt: now.Add(-5 * time.Minute),
			RequestCount: 7, ExpiresAt: now.Add(time.Hour), SourceIdentity: "alice"},
		{ID: "6123456789abcdef", User: "alice", UserARN: alice, Account: "111122223333", Profile: "dev",
			Status: session.StatusRevoked, StartedAt: now.Add(-3 * time.Hour), LastAccessAt: now.Add(-2 * time.Hour),
			RequestCount: 1, ExpiresAt: now.Add(-time.Hour), RevokedBy: "bob", RevokedByARN: bob, RevokeReason: "left", RevokedAt: now.Add(-150 * time.Minute)},
	}
	return now, reqs, events, sessions
}

func renderRecordViews(t *testing.T, out *bytes.Buffer, now time.Time, reqs []*request.Request, events []*breakglass.Event, sessions []*session.Session) {
	t.Helper()
	renderKind(t, out, requestRecords, reqs, now)
	renderKind(t, out, breakglassRecords, events, now)
	renderKind(t, out, sessionRecords, sessions, now)
}

// renderKind writes what list and show write for items, at now.
func renderKind[T, Q, V any](t *testing.T, out *bytes.Buffer, k *recordKind[T, Q, V], items []T, now time.Time) {
	t.Helper()
	if err := k.writeTable(out, items, now); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		s := k.shown(it, now)
		k.detail(out, s)
		if err := writeJSON(out, s.v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRecordViewsGolden pins the tables, details and JSON documents of
// every kind byte for byte (the golden file was written by the views
// before they became one declaration-driven path).
func TestRecordViewsGolden(t *testing.T) {
	now, reqs, events, sessions := viewFixtures()
	var out bytes.Buffer
	renderRecordViews(t, &out, now, reqs, events, sessions)
	path := filepath.Join("testdata", "record_views.golden")
	if *updateGolden {
		if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("views changed:\n--- got\n%s\n--- want\n%s", out.String(), want)
	}
}
