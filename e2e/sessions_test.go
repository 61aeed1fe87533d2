package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/dynamodb"
	"github.com/sentinel-cli/sentinel/store/local"
)

// sessionsPolicyE2E names people by full ARN: bob approves prod, carol
// approves nothing.
const sessionsPolicyE2E = `version: "1"
rules:
  - name: prod
    effect: require_server
    conditions: {profiles: [prod]}
approvals:
  - name: prod-approvers
    profiles: [prod]
    approvers: ["arn:aws:iam::111122223333:user/bob"]
`

// openSessions opens the shared sessions store behind sentinel's back,
// as the server-mode flow would write it; the function returned closes it.
type openSessions func(t *testing.T) (session.Store, func())

func sessionsLocal(w *world) openSessions {
	return func(t *testing.T) (session.Store, func()) {
		t.Helper()
		s, err := local.Open(w.storePath, local.Options{})
		if err != nil {
			t.Fatalf("open the shared store: %v", err)
		}
		return s.Sessions(), func() { s.Close() }
	}
}

func sessionsDynamoDB(endpoint, prefix string) openSessions {
	return func(t *testing.T) (session.Store, func()) {
		t.Helper()
		t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
		t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
		s, err := dynamodb.New(context.Background(), dynamodb.Options{
			Region: "us-east-1", RequestsTable: prefix + "-requests", BreakglassTable: prefix + "-breakglass", SessionsTable: prefix + "-sessions",
			Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIAFAKEWRITER01", fakeSecret, "")),
		})
		if err != nil {
			t.Fatalf("open DynamoDB: %v", err)
		}
		return s.Sessions(), func() {}
	}
}

func TestSessionsLocal(t *testing.T) {
	w := newWorld(t)
	sessionsStory(t, w, w.newPerson, sessionsLocal(w))
}

// sessionsOnDynamoDB runs the story on DynamoDB Local, in tables of its
// own.
func sessionsOnDynamoDB(t *testing.T, endpoint string) {
	const prefix = "e2e-sessions"
	w := newWorld(t)
	w.setPolicy(sessionsPolicyE2E)
	newPerson := useDynamoDB(w, endpoint, prefix)
	initTables(t, newPerson("admin"), prefix)
	sessionsStory(t, w, newPerson, sessionsDynamoDB(endpoint, prefix))
}

// sessionsStory is the whole story on one backend: alice's session is
// listed and shown, carol may not revoke it, bob (an approver) revokes it,
// and bob blocks alice (revoking her other session) and lifts the block.
func sessionsStory(t *testing.T, w *world, newPerson func(string) *person, open openSessions) {
	w.setPolicy(sessionsPolicyE2E)
	alice, bob, carol := newPerson("alice"), newPerson("bob"), newPerson("carol")
	now := time.Now().UTC().Truncate(time.Second)
	start := func(startedAt time.Time) *session.Session {
		t.Helper()
		id, err := session.NewID()
		if err != nil {
			t.Fatal(err)
		}
		s, err := session.New(session.NewParams{ID: id, User: "alice", UserARN: alice.arn, Account: account, Profile: "prod",
			RoleARN: "arn:aws:iam::111122223333:role/prod", Host: "alices-laptop", PID: 4242, Now: startedAt, ExpiresAt: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		st, done := open(t)
		defer done()
		if err := st.Create(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	stored := func(id string) *session.Session {
		t.Helper()
		st, done := open(t)
		defer done()
		s, err := st.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := start(now.Add(-10 * time.Minute))

	// alice sees her own session by default, in an aligned table and as JSON.
	out := alice.mustRun("sessions").stdout
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID ") || !strings.HasPrefix(lines[1], first.ID+" ") ||
		strings.Index(lines[0], "ACCOUNT") != strings.Index(lines[1], account) || !strings.Contains(lines[1], "active") {
		t.Fatalf("sessions as alice:\n%s", out)
	}
	var listed []map[string]any
	if err := json.Unmarshal([]byte(alice.mustRun("sessions", "list", "--output", "json").stdout), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0]["id"] != first.ID || listed[0]["status"] != "active" || listed[0]["user_arn"] != alice.arn {
		t.Fatalf("sessions --output json: %v", listed)
	}
	if out := bob.mustRun("sessions", "list").stdout; strings.Contains(out, first.ID) {
		t.Errorf("bob's own sessions list alice's:\n%s", out)
	}
	if out := bob.mustRun("sessions", "list", "--user", alice.arn, "--status", "active").stdout; !strings.Contains(out, first.ID) {
		t.Errorf("bob listing alice's active sessions:\n%s", out)
	}
	if out := bob.mustRun("sessions", "show", first.ID).stdout; !strings.Contains(out, "alice ("+alice.arn+", account "+account+")") || !strings.Contains(out, "alices-laptop (pid 4242)") {
		t.Errorf("sessions show:\n%s", out)
	}

	// carol is no approver: refused, and nothing changes.
	r := carol.mustFail(`^sentinel: carol \(arn:aws:iam::111122223333:user/carol\) may not revoke session `+first.ID,
		"sessions", "revoke", first.ID, "--reason", "laptop stolen")
	if r.code != 1 {
		t.Errorf("carol's refusal exited %d, want 1", r.code)
	}
	if s := stored(first.ID); s.Status != session.StatusActive {
		t.Fatalf("carol's refused revoke left it %s", s.Status)
	}
	carol.mustFail(`no session with ID 00000000000000ff.*\n.*hint: check the ID`, "sessions", "revoke", "00000000000000ff", "--reason", "x")
	carol.mustFail(`give a session ID or --user, not both`, "sessions", "revoke", first.ID, "--user", alice.arn, "--reason", "x")

	// bob approves prod: the revocation is stored and logged in his log.
	if out := bob.mustRun("sessions", "revoke", first.ID, "--reason", "laptop stolen").stdout; !strings.Contains(out, "Session "+first.ID) {
		t.Errorf("revoke said:\n%s", out)
	}
	if s := stored(first.ID); s.Status != session.StatusRevoked || s.RevokedByARN != bob.arn || s.RevokeReason != "laptop stolen" {
		t.Fatalf("after bob's revoke: %+v", s)
	}
	logged := false
	for _, e := range bob.logEntries() {
		if e["event"] == "session.revoked" && e["session_id"] == first.ID && e["actor"] == "bob" && e["reason"] == "laptop stolen" {
			logged = true
		}
	}
	if !logged {
		t.Errorf("bob's log has no session.revoked: %v", bob.logEntries())
	}
	bob.mustFail(`cannot revoke session `+first.ID+`: it is revoked`, "sessions", "revoke", first.ID, "--reason", "again")
	if out := alice.mustRun("sessions", "show", first.ID).stdout; !strings.Contains(out, "Status:          revoked") ||
		!strings.Contains(out, "by bob ("+bob.arn+", account "+account+"): laptop stolen") {
		t.Errorf("show after revoke:\n%s", out)
	}

	// Blocking: carol may not; bob blocks alice for an hour, which revokes
	// her other session; then he lifts the block.
	second := start(now.Add(-time.Minute))
	carol.mustFail(`carol .* may not block `, "sessions", "revoke", "--user", alice.arn, "--reason", "laptop stolen", "--for", "1h")
	out = bob.mustRun("sessions", "revoke", "--user", alice.arn, "--reason", "laptop stolen", "--for", "1h").stdout
	if !strings.Contains(out, "Blocked "+alice.arn+" until ") || !strings.Contains(out, "Revoked 1 active session(s): "+second.ID) {
		t.Errorf("revoke --user said:\n%s", out)
	}
	if s := stored(second.ID); s.Status != session.StatusRevoked {
		t.Errorf("second session is %s after the block", s.Status)
	}
	st, done := open(t)
	b, ok, err := st.ActiveBlock(context.Background(), alice.arn, now.Add(50*time.Minute))
	done()
	if err != nil || !ok || b.ByARN != bob.arn {
		t.Fatalf("block: %+v %v %v", b, ok, err)
	}
	carol.mustFail(`carol .* may not unblock `, "sessions", "unblock", alice.arn)
	if out := bob.mustRun("sessions", "unblock", alice.arn).stdout; !strings.Contains(out, "Unblocked "+alice.arn) {
		t.Errorf("unblock said:\n%s", out)
	}
	bob.mustFail(`no block is in force for `, "sessions", "unblock", alice.arn)
	st, done = open(t)
	_, ok, _ = st.ActiveBlock(context.Background(), alice.arn, time.Now())
	done()
	if ok {
		t.Error("block still in force after unblock")
	}
	var events []string
	for _, e := range bob.logEntries() {
		events = append(events, e["event"].(string))
	}
	if got := strings.Join(events, " "); got != "session.revoked session.user_blocked session.revoked session.user_unblocked" {
		t.Errorf("bob's log: %s", got)
	}
}
