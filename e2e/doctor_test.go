package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// doctorLines maps each check of `sentinel doctor`'s table to its line.
func doctorLines(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Fatalf("doctor line %q has no status, check and detail:\n%s", line, out)
		}
		lines[f[1]] = line
	}
	return lines
}

// TestDoctorHealthy: after a decision, every check passes, one line each,
// and the JSON says the same.
func TestDoctorHealthy(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	alice.mustRun("exec", "dev", "--", "true")

	r := alice.mustRun("doctor")
	lines := doctorLines(t, r.stdout)
	for _, check := range []string{"config", "policy", "keyring", "cache", "log", "store", "sts"} {
		line, ok := lines[check]
		if !ok || !strings.HasPrefix(line, "OK") {
			t.Errorf("check %s: %q, want OK:\n%s", check, line, r.stdout)
		}
	}
	for check, want := range map[string]string{
		"keyring": "backend file (pinned): keys stored for 1 profile(s) (default)",
		"cache":   "2 cached session(s), 2 still valid",
		"log":     "chain of 1 entries verifies",
		"sts":     w.sts.URL(),
		"policy":  "3 rules",
	} {
		if !strings.Contains(lines[check], want) {
			t.Errorf("check %s: %q lacks %q", check, lines[check], want)
		}
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("colour codes in output to a pipe:\n%q", r.stdout)
	}

	checks := decodeList(t, alice.mustRun("doctor", "--output", "json").stdout)
	if len(checks) != 7 {
		t.Fatalf("doctor JSON has %d checks, want 7: %v", len(checks), checks)
	}
	for _, c := range checks {
		if c["status"] != "ok" || c["detail"] == "" {
			t.Errorf("JSON check %v is not ok", c)
		}
	}
}

// TestDoctorFindsProblems: each broken thing is one FAIL line saying what
// to do, and the exit status is 1.
func TestDoctorFindsProblems(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	alice.mustRun("exec", "dev", "--", "true")
	alice.mustRun("exec", "plain", "--", "true")

	// A policy others may write is not trusted.
	if err := os.Chmod(w.policy, 0o620); err != nil {
		t.Fatal(err)
	}
	// A rewritten decision in the log breaks the chain at line 1.
	data, err := os.ReadFile(alice.logPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alice.logPath(), []byte(strings.Replace(string(data), `"effect":"allow"`, `"effect":"deny"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	// STS answers, but with a clock ten minutes behind ours.
	skewed := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Date", time.Now().Add(-10*time.Minute).UTC().Format(http.TimeFormat))
		rw.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(rw, `<ErrorResponse><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
	}))
	defer skewed.Close()
	alice.extra["AWS_ENDPOINT_URL_STS"] = skewed.URL

	r := alice.run("doctor")
	if r.code != 1 {
		t.Fatalf("doctor with problems: %s", r)
	}
	lines := doctorLines(t, r.stdout)
	for check, want := range map[string]string{
		"policy": "chmod go-w",
		"log":    "chain broken at line 1",
		"sts":    "local clock is 10m ahead of it; fix: set the clock right",
	} {
		if !strings.HasPrefix(lines[check], "FAIL") || !strings.Contains(lines[check], want) {
			t.Errorf("check %s: %q, want FAIL with %q", check, lines[check], want)
		}
	}
	for _, check := range []string{"config", "keyring", "cache", "store"} {
		if !strings.HasPrefix(lines[check], "OK") {
			t.Errorf("check %s: %q, want OK", check, lines[check])
		}
	}
	if !strings.Contains(r.stderr, "3 of 7 checks failed") {
		t.Errorf("stderr: %q", r.stderr)
	}
}

// TestDoctorOffline: an STS nobody answers fails fast, and the policy's
// failing tests are reported.
func TestDoctorOffline(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(devPolicy + `tests:
  - name: dev is closed (wrong on purpose)
    user: alice
    profile: dev
    effect: deny
`)
	alice := w.newPerson("alice")
	// A listener that never answers: the probe must give up by itself.
	hang := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		// Read the body, so that the server notices the client leave.
		_, _ = io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
	}))
	defer hang.Close()
	alice.extra["AWS_ENDPOINT_URL_STS"] = hang.URL
	start := time.Now()
	r := alice.run("doctor")
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("doctor took %s against a hanging STS", took)
	}
	lines := doctorLines(t, r.stdout)
	if r.code != 1 || !strings.HasPrefix(lines["sts"], "FAIL") || !strings.HasPrefix(lines["policy"], "FAIL") ||
		!strings.Contains(lines["policy"], "1 of 1 tests fail") {
		t.Errorf("doctor against a hanging STS with a failing policy test: %s", r)
	}
}

// doctorOnDynamoDB (a subtest of TestDynamoDB, which owns DynamoDB
// Local): the store check describes the three tables, says to run init
// tables while they are missing, and passes once they exist.
func doctorOnDynamoDB(t *testing.T, endpoint string) {
	w := newWorld(t)
	w.setPolicy(devPolicy)
	admin := useDynamoDB(w, endpoint, "e2e-doctor")("admin")
	r := admin.run("doctor")
	store := doctorLines(t, r.stdout)["store"]
	if r.code != 1 || !strings.HasPrefix(store, "FAIL") || !strings.Contains(store, "table e2e-doctor-requests: would create") ||
		!strings.Contains(store, "fix: run `sentinel init tables`") {
		t.Fatalf("doctor before init tables: %s", r)
	}
	admin.mustRun("init", "tables")
	r = admin.mustRun("doctor")
	store = doctorLines(t, r.stdout)["store"]
	if !strings.HasPrefix(store, "OK") || !strings.Contains(store, "e2e-doctor-requests, e2e-doctor-breakglass, e2e-doctor-sessions exist") {
		t.Errorf("doctor after init tables: %s", r)
	}
}

// TestDoctorDynamoDBUnreachable: a DynamoDB nobody answers fails the
// store check within doctor's short timeout.
func TestDoctorDynamoDBUnreachable(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(devPolicy)
	alice := useDynamoDB(w, "http://127.0.0.1:1", "e2e-doctor-down")("alice")
	start := time.Now()
	r := alice.run("doctor")
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("doctor took %s against an unreachable DynamoDB", took)
	}
	if store := doctorLines(t, r.stdout)["store"]; r.code != 1 || !strings.HasPrefix(store, "FAIL") {
		t.Errorf("doctor against an unreachable DynamoDB: %s", r)
	}
}

// TestDoctorTeamMode: with a team service configured, the local policy
// and store are the service's business; doctor checks that the service
// answers and knows who the person is.
func TestDoctorTeamMode(t *testing.T) {
	w := newWorld(t)
	url := startTeamService(t, w)
	alice := w.newTeamPerson("alice", url)
	r := alice.mustRun("doctor")
	lines := doctorLines(t, r.stdout)
	if !strings.HasPrefix(lines["policy"], "OK") || !strings.Contains(lines["policy"], "the team service's policy decides") ||
		!strings.HasPrefix(lines["service"], "OK") || !strings.Contains(lines["service"], alice.arn) {
		t.Errorf("doctor in team mode: %s", r)
	}
	if out := alice.mustRun("whoami").stdout; !strings.Contains(out, "Policy:  the team service's") {
		t.Errorf("whoami in team mode: %s", out)
	}
}
