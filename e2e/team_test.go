package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Team mode from the laptop's side: people run the sentinel binary with
// server: in their config, and every command goes through the team API
// of a `sentinel serve` process, which checks every proof against the
// signature-checking STS stand-in. The laptops have no policy and no
// store: if any command ran the flow locally, it would fail for want of a
// policy.

const (
	teamServiceKey    = "AKIASERVICEE2E00001"
	teamServiceSecret = "service-secret-for-tests-only"
	teamServiceARN    = "arn:aws:iam::111122223333:user/sentinel-service"
)

const teamPolicyE2E = `version: "1"
accounts: ["111122223333"]
profiles:
  dev: {role_arn: "arn:aws:iam::111122223333:role/dev", max_duration: 2h}
  prod: {role_arn: "arn:aws:iam::111122223333:role/prod", max_duration: 1h}
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
    reason: prod needs a second person
approvals:
  - name: prod-approvers
    profiles: [prod]
    approvers: [bob]
`

// startTeamService runs `sentinel serve` (the built binary) on loopback
// over w's STS stand-in, with the embedded store and a decision log of its
// own, and returns its URL once /healthz answers.
func startTeamService(t *testing.T, w *world) string {
	t.Helper()
	w.sts.AddUserWithSecret(teamServiceKey, teamServiceSecret, teamServiceARN, account)
	for _, role := range []string{"dev", "prod"} {
		w.sts.AllowRole("arn:aws:iam::111122223333:role/"+role, teamServiceARN)
	}
	dir := filepath.Join(w.dir, "service")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	policyPath := filepath.Join(dir, "policy.yaml")
	configPath := filepath.Join(dir, "serve.yaml")
	for path, content := range map[string]string{
		policyPath: teamPolicyE2E,
		configPath: fmt.Sprintf("server_id: team-e2e\npolicy: %s\naccounts: [\"111122223333\"]\nstore: {backend: local, path: %s}\nlog: {file: %s}\n",
			policyPath, filepath.Join(dir, "state.db"), filepath.Join(dir, "decisions.jsonl")),
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeAddr(t)
	cmd := exec.Command(sentinelBin, "serve", "--listen", addr)
	cmd.Env = []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "SENTINEL_SERVE_CONFIG=" + configPath,
		"AWS_ACCESS_KEY_ID=" + teamServiceKey, "AWS_SECRET_ACCESS_KEY=" + teamServiceSecret,
		"AWS_ENDPOINT_URL_STS=" + w.sts.URL(), "AWS_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + filepath.Join(dir, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"),
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	url := "http://" + addr
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("sentinel serve did not answer: %s", stderr.String())
	return ""
}

// newTeamPerson is a person whose laptop knows only the team service and
// their own keys.
func (w *world) newTeamPerson(name, url string) *person {
	p := w.newPerson(name)
	w.sts.AddUserWithSecret(p.keyID, fakeSecret, p.arn, account)
	p.writeFile(".aws/config", "[default]\nregion = eu-west-1\n")
	p.writeFile(".config/sentinel/config.yaml", "server:\n  url: "+url+"\n  server_id: team-e2e\n")
	return p
}

func TestTeamTwoPeopleThroughTheService(t *testing.T) {
	w := newWorld(t)
	url := startTeamService(t, w)
	alice := w.newTeamPerson("alice", url)
	bob := w.newTeamPerson("bob", url)

	var who map[string]string
	if err := json.Unmarshal([]byte(alice.mustRun("whoami", "--output", "json").stdout), &who); err != nil ||
		who["arn"] != alice.arn || who["user"] != "alice" || who["account"] != account {
		t.Fatalf("whoami: %v %v", who, err)
	}

	doc := alice.credentialsDoc("dev")
	if doc["AccessKeyId"] == "" || doc["SessionToken"] == "" {
		t.Fatalf("credentials: %v", doc)
	}
	if a := w.lastAssume(); a.AccessKeyID != teamServiceKey || a.Params.Get("RoleArn") != "arn:aws:iam::111122223333:role/dev" {
		t.Fatalf("the role was not assumed by the service: %+v", a)
	}
	// No secret in the debug lines of a team call.
	dbg := alice.mustRun("--debug", "credentials", "dev")
	if !strings.Contains(dbg.stderr, "team service") || strings.Contains(dbg.stderr, fakeSecret) || strings.Contains(dbg.stderr, doc["SessionToken"]) {
		t.Fatalf("debug output: %s", dbg.stderr)
	}
	env := envOf(alice.mustRun("exec", "dev", "--", "env").stdout)
	if env["AWS_ACCESS_KEY_ID"] == "" || env["SENTINEL_PROFILE"] != "dev" {
		t.Fatalf("exec env: %v", env)
	}

	alice.mustFail(`access to profile prod denied for alice.*\(AccessDenied\)`, "credentials", "prod")
	alice.mustFail(`not in the service's catalogue`, "credentials", "staging")

	var req map[string]any
	if err := json.Unmarshal([]byte(alice.mustRun("request", "prod", "-j", "deploy the fix now", "--output", "json").stdout), &req); err != nil || req["status"] != "pending" {
		t.Fatalf("request: %v %v", req, err)
	}
	id, _ := req["id"].(string)
	alice.mustFail(`not an approver|may not`, "approve", id)
	if out := bob.mustRun("approve", id, "-c", "go").stdout; !strings.Contains(out, "Request "+id+" approved: alice may use prod") ||
		!strings.Contains(out, "Decision now:  require_approval by rule prod: an approval can be used") {
		t.Fatalf("approve: %s", out)
	}
	// The service refuses a request no approval could use, naming the rule.
	alice.mustFail(`^sentinel: team service: dev is allowed for alice by rule dev; no approval is needed \(Forbidden\)\n`, "request", "dev", "-j", "no approval needed here")
	listed := bob.mustRun("requests", "list", "--profile", "prod", "--output", "json").stdout
	if !strings.Contains(listed, id) {
		t.Fatalf("bob's listing: %s", listed)
	}
	if out := alice.mustRun("requests", "show", id).stdout; !strings.Contains(out, "approved") {
		t.Fatalf("show: %s", out)
	}
	doc = alice.credentialsDoc("prod")
	if doc["AccessKeyId"] == "" {
		t.Fatalf("prod after approval: %v", doc)
	}
	if si := w.lastAssume().Params.Get("SourceIdentity"); !strings.HasPrefix(si, "sentinel.alice.apr-"+id+".") {
		t.Fatalf("SourceIdentity %s", si)
	}

	// exec --server: each refresh is a call to the service with the
	// session of the first answer; bob revokes it from his laptop and the
	// next refresh is refused.
	s := alice.startServerExec("prod", "--", "sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; read line; exit 0`)
	uri, token, _ := strings.Cut(s.line(), " ")
	if status, doc := fetch(t, uri, token); status != 200 || doc["AccessKeyId"] == "" {
		t.Fatalf("first fetch: %d %v", status, doc)
	}
	var sessions []map[string]any
	if err := json.Unmarshal([]byte(alice.mustRun("sessions", "list", "--profile", "prod", "--status", "active", "--output", "json").stdout), &sessions); err != nil || len(sessions) == 0 {
		t.Fatalf("sessions: %v %v", sessions, err)
	}
	sid := w.lastAssume().Params
	var serverSession string
	for _, se := range sessions {
		if strings.Contains(sid.Encode(), se["id"].(string)) {
			serverSession = se["id"].(string)
		}
	}
	if serverSession == "" {
		t.Fatalf("the server's session is not among %v", sessions)
	}
	bob.mustRun("sessions", "revoke", serverSession, "--reason", "laptop stolen")
	if status, doc := fetch(t, uri, token); status != 403 || doc["code"] != "SessionRevoked" {
		t.Fatalf("fetch after the revoke: %d %v", status, doc)
	}
	s.stdin.Close()
	if code := s.wait(); code != 0 {
		t.Errorf("exit code %d (stderr: %s)", code, s.stderr)
	}

	// Blocking a user goes through the service (team_anchors_blocks_test.go
	// covers it).

	// Nothing was written on the laptops: no decision log, no store.
	for _, p := range []*person{alice, bob} {
		for _, rel := range []string{".local/state/sentinel/decisions.jsonl", ".local/state/sentinel/state.db"} {
			if _, err := os.Stat(filepath.Join(p.home, rel)); err == nil {
				t.Errorf("%s has %s: the laptop wrote state in team mode", p.name, rel)
			}
		}
	}
}

func TestTeamLookAlikeServiceGetsNoProof(t *testing.T) {
	w := newWorld(t)
	url := startTeamService(t, w)
	alice := w.newTeamPerson("alice", url)
	alice.writeFile(".config/sentinel/config.yaml", "server:\n  url: "+url+"\n  server_id: team-prod\n")
	w.sts.Reset()
	alice.mustFail(`not the configured team service: its server_id is "team-e2e"`, "credentials", "dev")
	// A laptop without the loopback STS override refuses a service that
	// asks for proofs signed for it.
	alice.writeFile(".config/sentinel/config.yaml", "server:\n  url: "+url+"\n  server_id: team-e2e\n")
	alice.extra["AWS_ENDPOINT_URL_STS"] = ""
	alice.mustFail(`neither an AWS STS endpoint nor AWS_ENDPOINT_URL_STS`, "whoami")
	if n := len(w.sts.CallsOf("GetCallerIdentity")); n != 0 {
		t.Fatalf("%d proofs reached STS", n)
	}
	// A plain-http URL to a remote host is refused by the config check.
	alice.writeFile(".config/sentinel/config.yaml", "server:\n  url: http://sentinel.example.com\n  server_id: team-e2e\n")
	alice.mustFail(`plain http only to a loopback host`, "whoami")
}

func TestWhoamiLocal(t *testing.T) {
	w := newWorld(t)
	alice := w.newPerson("alice")
	var who map[string]string
	if err := json.Unmarshal([]byte(alice.mustRun("whoami", "--output", "json").stdout), &who); err != nil ||
		who["arn"] != alice.arn || who["user"] != "alice" || who["account"] != account || len(who) != 3 {
		t.Fatalf("whoami: %v %v", who, err)
	}
	if out := alice.mustRun("whoami", "--profile", "dev").stdout; !strings.Contains(out, "User:    alice\n") || !strings.Contains(out, alice.arn) {
		t.Fatalf("whoami: %s", out)
	}
	alice.mustFail(`nosuch`, "whoami", "--profile", "nosuch")
}

// TestTeamAWSCLIThroughExecServer: the AWS CLI on alice's laptop gets its
// credentials from the loopback endpoint of `exec --server`, which asks
// the team service on every fetch; the role session is the service's
// AssumeRole, stamped with alice's SourceIdentity. Alice's own keys never
// assume a role.
func TestTeamAWSCLIThroughExecServer(t *testing.T) {
	requireAWSCLI(t)
	w := newWorld(t)
	url := startTeamService(t, w)
	alice := w.newTeamPerson("alice", url)
	alice.extra["AWS_PAGER"] = ""
	alice.extra["AWS_DEFAULT_OUTPUT"] = "json"
	r := alice.run("exec", "--server", "dev", "--", awsCLI, "sts", "get-caller-identity", "--endpoint-url", w.sts.URL())
	if r.code != 0 {
		t.Fatalf("aws sts get-caller-identity through exec --server and the service: %s", r)
	}
	var id struct{ Arn, Account string }
	if err := json.Unmarshal([]byte(r.stdout), &id); err != nil {
		t.Fatalf("aws output %q: %v", r.stdout, err)
	}
	if !strings.HasPrefix(id.Arn, "arn:aws:sts::111122223333:assumed-role/dev/") || id.Account != account {
		t.Errorf("the AWS CLI saw %+v, want a dev role session", id)
	}
	if len(w.assumeCalls()) == 0 {
		t.Fatal("no AssumeRole reached STS")
	}
	for _, c := range w.assumeCalls() {
		if c.CallerARN != teamServiceARN {
			t.Errorf("AssumeRole by %s: only the service may assume protected roles", c.CallerARN)
		}
		if si := c.Params.Get("SourceIdentity"); !strings.HasPrefix(si, "sentinel.alice.direct.") {
			t.Errorf("SourceIdentity %q, want alice's", si)
		}
	}
	if _, err := os.Stat(filepath.Join(alice.home, ".local", "state", "sentinel", "decisions.jsonl")); err == nil {
		t.Errorf("alice's laptop wrote a decision log in team mode")
	}
}
