package e2e

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/server"
	"github.com/sentinel-cli/sentinel/store/local"
	"github.com/sentinel-cli/sentinel/vault"
)

// Team mode from the laptop's side: people run the sentinel binary with
// server: in their config, and every command goes through the team API.
// The service here is the real team handler in the test process, with
// the real proof check against the signature-checking STS stand-in (the
// lead's integration test runs `sentinel serve` instead). The laptops
// have no policy and no store: if any command ran the flow locally, it
// would fail for want of a policy.

const (
	teamServiceKey = "AKIASERVICEE2E00001"
	teamServiceARN = "arn:aws:iam::111122223333:user/sentinel-service"
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

type teamNopClose struct{ broker.Stores }

func (teamNopClose) Close() error { return nil }

// startTeamService runs the team API on loopback over w's STS stand-in.
func startTeamService(t *testing.T, w *world) string {
	t.Helper()
	w.sts.AddUser(teamServiceKey, teamServiceARN, account)
	for _, role := range []string{"dev", "prod"} {
		w.sts.AllowRole("arn:aws:iam::111122223333:role/"+role, teamServiceARN)
	}
	pol, err := policy.Parse([]byte(teamPolicyE2E), "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(w.dir, "service")
	log, err := logging.Open(filepath.Join(dir, "decisions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	st, err := local.Open(filepath.Join(dir, "state.db"), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	b := &broker.Broker{
		Policy:     pol,
		Log:        log,
		OpenStores: func(context.Context, broker.Signer) (broker.Stores, error) { return teamNopClose{st}, nil },
		STS:        vault.NewSTSFactory(vault.STSOptions{Endpoint: w.sts.URL(), MaxAttempts: 1, Timeout: 5 * time.Second}),
		Catalogue:  true,
		Region:     "us-east-1",
		BaseCredentials: func(context.Context) (vault.Credentials, error) {
			return vault.Credentials{AccessKeyID: teamServiceKey, SecretAccessKey: "service-secret-for-tests-only"}, nil
		},
	}
	verifier := &proof.Verifier{ServerID: "team-e2e", STSEndpoint: w.sts.URL(), Region: "us-east-1", Accounts: []string{account}}
	h := server.NewTeamHandler(&broker.Service{Broker: b, ServerID: "team-e2e"}, server.ProofAuthenticator(verifier),
		server.TeamOptions{ServerID: "team-e2e", STSEndpoint: w.sts.URL(), STSRegion: "us-east-1", Version: "e2e"})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
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
	if out := bob.mustRun("approve", id, "-c", "go").stdout; !strings.Contains(out, "Request "+id+" approved: alice may use prod") {
		t.Fatalf("approve: %s", out)
	}
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

	// Blocking a user is not offered through the service.
	bob.mustFail(`not offered through the team service`, "sessions", "revoke", "--user", alice.arn, "--reason", "gone")

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
