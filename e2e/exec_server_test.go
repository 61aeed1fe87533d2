package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serverExec starts `sentinel exec --server` as the person, in the
// background, with stdin and stdout piped to the test.
type serverExec struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
}

func (p *person) startServerExec(args ...string) *serverExec {
	p.t.Helper()
	cmd := exec.Command(sentinelBin, append([]string{"exec", "--server"}, args...)...)
	cmd.Env = p.env()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	s := &serverExec{t: p.t, cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout), stderr: &bytes.Buffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return s
}

// line reads one line the command printed.
func (s *serverExec) line() string {
	s.t.Helper()
	l, err := s.stdout.ReadString('\n')
	if err != nil {
		s.t.Fatalf("read the command's output: %v (stderr: %s)", err, s.stderr)
	}
	return strings.TrimRight(l, "\n")
}

// wait waits for sentinel to exit and returns its exit code.
func (s *serverExec) wait() int {
	s.t.Helper()
	_, _ = io.Copy(io.Discard, s.stdout)
	err := s.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return 0
}

// fetch makes one container-credentials request as an SDK does.
func fetch(t testing.TB, uri, token string) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest("GET", uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("fetch credentials: %v", err)
	}
	defer resp.Body.Close()
	var doc map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("answer %d is not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, doc
}

func TestExecServerAWSCLIGetsCredentialsFromTheServer(t *testing.T) {
	requireAWSCLI(t)
	w, alice := newWorldWithAlice(t, devPolicy)
	alice.extra["AWS_PAGER"] = ""
	alice.extra["AWS_DEFAULT_OUTPUT"] = "json"

	// staging is require_server: plain exec refuses it, --server serves it.
	for _, profile := range []string{"dev", "staging"} {
		r := alice.run("exec", "--server", profile, "--", awsCLI, "sts", "get-caller-identity", "--endpoint-url", w.sts.URL())
		if r.code != 0 {
			t.Fatalf("%s: aws sts get-caller-identity under exec --server: %s", profile, r)
		}
		var id struct{ Arn, Account string }
		if err := json.Unmarshal([]byte(r.stdout), &id); err != nil {
			t.Fatalf("aws output %q: %v", r.stdout, err)
		}
		if id.Arn != "arn:aws:sts::111122223333:assumed-role/"+profile+"/sentinel-alice" || id.Account != account {
			t.Errorf("%s: the AWS CLI saw identity %+v, want the role session sentinel issued", profile, id)
		}
		// One decision before the command starts, one for the AWS CLI's
		// fetch: both in server mode.
		var server int
		for _, e := range alice.logEntries() {
			if e["event"] == "decision" && e["profile"] == profile && e["mode"] == "server" && e["effect"] == "allow" {
				server++
			}
		}
		if server < 2 {
			t.Errorf("%s: %d allowed server-mode decisions logged, want one at start and one per fetch", profile, server)
		}
	}
	alice.mustRun("log", "verify")
}

func TestExecServerChildEnvironment(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":                      "AKIAFAKEPARENTKEY",
		"AWS_SECRET_ACCESS_KEY":                  fakeSecret,
		"AWS_SESSION_TOKEN":                      "parent-token",
		"AWS_SECURITY_TOKEN":                     "parent-token",
		"AWS_PROFILE":                            "prod",
		"AWS_DEFAULT_PROFILE":                    "prod",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/nonexistent",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "/nonexistent",
		"AWS_ROLE_ARN":                           "arn:aws:iam::111122223333:role/other",
		"AWS_VAULT_FILE_PASSPHRASE":              "other-passphrase",
	} {
		alice.extra[k] = v
	}
	r := alice.mustRun("exec", "--server", "dev", "--", "env")
	env := envOf(r.stdout)
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CREDENTIAL_EXPIRATION", "SENTINEL_FILE_PASSPHRASE", "AWS_VAULT_FILE_PASSPHRASE",
	} {
		if _, ok := env[k]; ok {
			t.Errorf("%s is in the child's environment", k)
		}
	}
	if strings.Contains(r.stdout, fakeSecret) || strings.Contains(r.stdout, passphrase) {
		t.Error("a secret is in the child's environment")
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+/`).MatchString(env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
		t.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI=%q", env["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) {
		t.Errorf("AWS_CONTAINER_AUTHORIZATION_TOKEN is not 256 bits of hex")
	}
	if env["SENTINEL_PROFILE"] != "dev" || env["AWS_REGION"] != "eu-west-1" || env["AWS_DEFAULT_REGION"] != "eu-west-1" {
		t.Errorf("SENTINEL_PROFILE=%q AWS_REGION=%q AWS_DEFAULT_REGION=%q", env["SENTINEL_PROFILE"], env["AWS_REGION"], env["AWS_DEFAULT_REGION"])
	}
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("warning without [default] keys: %s", r.stderr)
	}

	// Keys in [default] of the credentials file would win over the server
	// in the child's SDK: say so, without showing them.
	alice.writeFile(".aws/credentials", "[default]\naws_access_key_id = AKIAFAKEDEFAULT\naws_secret_access_key = "+fakeSecret+"\n")
	r = alice.mustRun("exec", "--server", "dev", "--", "true")
	if !regexp.MustCompile(`sentinel: warning: aws_access_key_id in \[default\] of .*credentials: an AWS SDK in the command may use that instead of the credential server`).MatchString(r.stderr) ||
		strings.Contains(r.stderr, "AKIAFAKEDEFAULT") || strings.Contains(r.stderr, fakeSecret) {
		t.Errorf("warning about [default] keys: %q", r.stderr)
	}
}

func TestExecServerExitCodeAndSignals(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	if r := alice.run("exec", "--server", "dev", "--", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("exit code %d, want the command's 7: %s", r.code, r)
	}
	if r := alice.run("exec", "--ecs-server", "dev", "--", "sh", "-c", "kill -TERM $$"); r.code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit code %d for a command killed by SIGTERM, want %d: %s", r.code, 128+int(syscall.SIGTERM), r)
	}

	// A SIGTERM to sentinel reaches the command, whose own exit code
	// comes back.
	s := alice.startServerExec("dev", "--", "sh", "-c", `trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.05; done`)
	if l := s.line(); l != "ready" {
		t.Fatalf("command printed %q", l)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if l := s.line(); l != "got-term" {
		t.Errorf("command printed %q after SIGTERM, want got-term", l)
	}
	if code := s.wait(); code != 42 {
		t.Errorf("exit code %d after SIGTERM, want the command's 42 (stderr: %s)", code, s.stderr)
	}
}

func TestExecServerEndpoint(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	s := alice.startServerExec("dev", "--", "sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; read line; exit 0`)
	uri, token, _ := strings.Cut(s.line(), " ")

	status, doc := fetch(t, uri, token)
	if status != 200 || !strings.HasPrefix(doc["AccessKeyId"], "ASIA") || doc["SecretAccessKey"] == "" || doc["Token"] == "" || len(doc) != 4 {
		t.Fatalf("fetch: %d %v", status, doc)
	}
	exp := mustParseTime(t, doc["Expiration"])
	if d := time.Until(exp); d < 55*time.Minute || d > 65*time.Minute {
		t.Errorf("credentials expire in %s, want the 1h server default", d)
	}
	if status, doc := fetch(t, uri, strings.Repeat("0", 64)); status != 401 || doc["code"] != "Unauthorized" {
		t.Errorf("wrong token: %d %v", status, doc)
	}

	// A policy edit applies to the very next request.
	w.setPolicy(strings.Replace(devPolicy, "profiles: [dev, plain]", "profiles: [plain]", 1))
	status, doc = fetch(t, uri, token)
	if status != 403 || doc["code"] != "AccessDenied" || strings.Contains(doc["message"], "alice") {
		t.Errorf("after the policy edit: %d %v", status, doc)
	}
	if d := alice.lastDecision(); d["effect"] != "deny" || d["mode"] != "server" {
		t.Errorf("denial not logged in server mode: %v", d)
	}

	// When the command exits, the server stops.
	s.stdin.Close()
	if code := s.wait(); code != 0 {
		t.Errorf("exit code %d (stderr: %s)", code, s.stderr)
	}
	if !strings.Contains(s.stderr.String(), "sentinel: credential server refused a request (403): access to profile dev denied") {
		t.Errorf("the person was not told why the request was refused: %s", s.stderr)
	}
	u, _ := url.Parse(uri)
	if resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(uri); err == nil {
		resp.Body.Close()
		t.Errorf("server at %s still answers after the command exited", u.Host)
	}
}

func TestExecServerDeniedStartsNothing(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	marker := alice.home + "/ran"
	alice.mustFail(`access to profile prod denied for alice.*\n.*hint: ask for approval`, "exec", "--server", "prod", "--", "touch", marker)
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran although the profile is denied")
	}
	alice.mustFail(`--duration does not apply to --server.*\n.*--server-duration`, "exec", "--server", "--duration", "1h", "dev", "--", "true")
	alice.mustFail(`below the 15m minimum`, "exec", "--server", "--server-duration", "5m", "dev", "--", "true")
}

// Credentials with less than 20 minutes left are not handed out from the
// cache: the AWS CLI would refetch them on every call and refuse them in
// their last 10 minutes.
func TestExecServerHandsOutNoNearlyExpiredCredentials(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	s := alice.startServerExec("--server-duration", "15m", "dev", "--", "sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; read line; exit 0`)
	uri, token, _ := strings.Cut(s.line(), " ")
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		status, doc := fetch(t, uri, token)
		if status != 200 {
			t.Fatalf("fetch %d: %d %v", i, status, doc)
		}
		if seen[doc["AccessKeyId"]] {
			t.Errorf("fetch %d handed out cached credentials with at most 15 minutes left", i)
		}
		seen[doc["AccessKeyId"]] = true
	}
	s.stdin.Close()
	if code := s.wait(); code != 0 {
		t.Errorf("exit code %d (stderr: %s)", code, s.stderr)
	}
}

// TestExecServerRevokedBySecondPerson is the stolen-laptop story: alice's
// command gets credentials from its server; bob, an approver, revokes the
// session from his own process; alice's very next fetch is refused, and
// stays refused.
func TestExecServerRevokedBySecondPerson(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(sessionsPolicyE2E)
	serverRevokeStory(t, w, w.newPerson)
}

// serverRevokeOnDynamoDB is the same story with the sessions in DynamoDB
// Local.
func serverRevokeOnDynamoDB(t *testing.T, endpoint string) {
	const prefix = "e2e-server"
	w := newWorld(t)
	w.setPolicy(sessionsPolicyE2E)
	newPerson := useDynamoDB(w, endpoint, prefix)
	initTables(t, newPerson("admin"), prefix)
	serverRevokeStory(t, w, newPerson)
}

func serverRevokeStory(t *testing.T, w *world, newPerson func(string) *person) {
	alice := newPerson("alice")
	bob := newPerson("bob")
	s := alice.startServerExec("prod", "--", "sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; read line; exit 0`)
	uri, token, _ := strings.Cut(s.line(), " ")

	if status, doc := fetch(t, uri, token); status != 200 || doc["AccessKeyId"] == "" {
		t.Fatalf("first fetch: %d %v", status, doc)
	}
	var listed []map[string]any
	if err := json.Unmarshal([]byte(alice.mustRun("sessions", "list", "--output", "json").stdout), &listed); err != nil || len(listed) != 1 {
		t.Fatalf("alice's sessions: %v %v", listed, err)
	}
	id, _ := listed[0]["id"].(string)
	if listed[0]["status"] != "active" || listed[0]["request_count"].(float64) < 1 {
		t.Fatalf("session before the revoke: %v", listed[0])
	}
	if tag := w.lastAssume().Params; !strings.Contains(tag.Encode(), "sentinel-session-id") || !strings.Contains(tag.Encode(), id) {
		t.Errorf("AssumeRole not tagged with the session %s: %v", id, tag)
	}

	bob.mustRun("sessions", "revoke", id, "--reason", "laptop stolen")
	for i := range 2 {
		status, doc := fetch(t, uri, token)
		if status != 403 || doc["code"] != "SessionRevoked" {
			t.Fatalf("fetch %d after the revoke: %d %v", i+1, status, doc)
		}
	}
	s.stdin.Close()
	if code := s.wait(); code != 0 {
		t.Errorf("exit code %d (stderr: %s)", code, s.stderr)
	}
	view := alice.mustRun("sessions", "show", id, "--output", "json").stdout
	if !strings.Contains(view, `"revoked"`) || !strings.Contains(view, "laptop stolen") {
		t.Errorf("session after the revoke and exit: %s", view)
	}
}

// TestExecServerGrantEndsAndStoreGoesAway: alice's prod server runs on a
// break-glass event; closing the event stops the very next fetch. Then,
// with a server on dev, the store going away answers 503, never
// credentials: there is no fail-open.
func TestExecServerGrantEndsAndStoreGoesAway(t *testing.T) {
	w, alice := newWorldWithAlice(t, approvalsPolicy)
	id := strings.TrimSpace(alice.mustRun("breakglass", "prod", "--reason-code", "incident", "--justification", "the payment queue is stuck, paging").stdout)
	id = id[:16]
	s := alice.startServerExec("prod", "--", "sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; read line; exit 0`)
	uri, token, _ := strings.Cut(s.line(), " ")
	if status, doc := fetch(t, uri, token); status != 200 || doc["AccessKeyId"] == "" {
		t.Fatalf("fetch under break-glass: %d %v", status, doc)
	}
	alice.mustRun("breakglass-close", id, "--reason", "queue drained")
	if status, doc := fetch(t, uri, token); status != 403 || doc["code"] != "AccessDenied" {
		t.Errorf("fetch after the break-glass event closed: %d %v", status, doc)
	}
	s.stdin.Close()
	s.wait()

	d := alice.startServerExec("dev", "--", "sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; read line; exit 0`)
	uri, token, _ = strings.Cut(d.line(), " ")
	if status, doc := fetch(t, uri, token); status != 200 {
		t.Fatalf("fetch on dev: %d %v", status, doc)
	}
	// The embedded store is replaced by something that is not a store.
	if err := os.WriteFile(w.storePath, []byte("this is not a bbolt file, it is a test's wreckage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if status, doc := fetch(t, uri, token); status != 503 || doc["AccessKeyId"] != "" {
		t.Errorf("fetch with the store gone: %d %v", status, doc)
	}
	d.stdin.Close()
	d.wait()
}
