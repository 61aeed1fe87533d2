package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/logging"
)

// TestTeamAnchorsReviewEndBlock runs, with the real `sentinel serve`
// binary, what the team service added for issue 10: log anchors recorded
// under the caller's proven identity, --reviewable, the end of an exec
// --server session by the service, and user blocks.
func TestTeamAnchorsReviewEndBlock(t *testing.T) {
	w := newWorld(t)
	url := startTeamService(t, w)
	alice := w.newTeamPerson("alice", url)
	bob := w.newTeamPerson("bob", url)

	// A laptop log of 5 entries (team mode writes none of its own, so
	// the test writes one through the logging package).
	l, err := logging.Open(alice.logPath())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if err := l.Append(&logging.Entry{Event: logging.EventDecision, User: "alice", Profile: "dev", Effect: "allow"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	out := alice.mustRun("log", "anchor").stdout
	if !strings.Contains(out, "anchored seq 5") || !strings.Contains(out, "team service "+url) {
		t.Fatalf("log anchor: %s", out)
	}
	if out := alice.mustRun("log", "verify", "--anchors").stdout; !strings.Contains(out, "OK") {
		t.Fatalf("verify --anchors: %s", out)
	}
	// The service recorded it with alice's proven ARN.
	anchored := serviceLogEntries(t, w, "log.anchored")
	if len(anchored) != 1 || anchored[0]["actor_arn"] != alice.arn {
		t.Fatalf("service log anchors: %v", anchored)
	}
	// Truncating alice's log is caught by the anchor the service holds.
	data, err := os.ReadFile(alice.logPath())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if err := os.WriteFile(alice.logPath(), []byte(strings.Join(lines[:3], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	alice.mustFail(`seq 5|anchor`, "log", "verify", "--anchors")
	// and anchoring the shorter chain is refused by the service.
	alice.mustFail(`refused|behind|Conflict`, "log", "anchor")
	if n := len(serviceLogEntries(t, w, "log.anchor_refused")); n != 1 {
		t.Errorf("%d refused anchors in the service log, want 1", n)
	}

	// --reviewable through the service.
	id := alice.newRequest("prod")
	if out := bob.mustRun("requests", "--reviewable").stdout; !strings.Contains(out, id) {
		t.Fatalf("bob's reviewable: %s", out)
	}
	if out := alice.mustRun("requests", "--reviewable", "--output", "json").stdout; strings.Contains(out, id) {
		t.Fatalf("alice may review her own request: %s", out)
	}

	// exec --server: when the command exits, its session is ended by the
	// service, not left to lapse.
	s := alice.startServerExec("dev", "--", "sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; read line; exit 0`)
	uri, token, _ := strings.Cut(s.line(), " ")
	if status, doc := fetch(t, uri, token); status != 200 || doc["AccessKeyId"] == "" {
		t.Fatalf("fetch: %d %v", status, doc)
	}
	s.stdin.Close()
	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d (stderr: %s)", code, s.stderr)
	}
	var sessions []map[string]any
	if err := json.Unmarshal([]byte(alice.mustRun("sessions", "list", "--profile", "dev", "--output", "json").stdout), &sessions); err != nil || len(sessions) != 1 || sessions[0]["status"] != "expired" {
		t.Fatalf("after the command exited: %v %v", sessions, err)
	}

	// Blocks: approvers only, through the service.
	alice.mustFail(`approver`, "sessions", "revoke", "--user", bob.arn, "--reason", "no")
	if out := bob.mustRun("sessions", "revoke", "--user", alice.arn, "--reason", "stolen laptop", "--for", "1h").stdout; !strings.Contains(out, "Blocked "+alice.arn) {
		t.Fatalf("block: %s", out)
	}
	alice.mustFail(`blocked`, "credentials", "dev")
	if out := bob.mustRun("sessions", "unblock", alice.arn).stdout; !strings.Contains(out, "Unblocked "+alice.arn) {
		t.Fatalf("unblock: %s", out)
	}
	bob.mustFail(`nothing to lift`, "sessions", "unblock", alice.arn)
	if doc := alice.credentialsDoc("dev"); doc["AccessKeyId"] == "" {
		t.Fatalf("after the unblock: %v", doc)
	}
}

// serviceLogEntries reads the entries of event from the service's log.
func serviceLogEntries(t *testing.T, w *world, event string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(w.dir, "service", "decisions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e["event"] == event {
			out = append(out, e)
		}
	}
	return out
}
