package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The team service as it runs on AWS Lambda: its own credentials are a
// session of the function's role, not an IAM user's keys.

const (
	serviceRoleARN     = "arn:aws:iam::111122223333:role/sentinel-service"
	serviceSessionARN  = "arn:aws:sts::111122223333:assumed-role/sentinel-service/sentinel-fn"
	serviceSessionKey  = "ASIASERVICEROLE0001"
	serviceSessionTok  = "service-role-session-token-for-tests-only"
	jumpRoleARN        = "arn:aws:iam::111122223333:role/jump"
	transitRoleARN     = "arn:aws:iam::444455556666:role/transit"
	deepTargetRoleARN  = "arn:aws:iam::777788889999:role/deep-admin"
	roleSessionPolicyE = `version: "1"
accounts: ["111122223333"]
profiles:
  dev: {role_arn: "arn:aws:iam::111122223333:role/dev", max_duration: 4h}
  deep:
    role_arn: "` + deepTargetRoleARN + `"
    via: ["` + jumpRoleARN + `", "` + transitRoleARN + `"]
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev, deep]}
    max_duration: 4h
`
)

// roleSessionService is a serveWorld whose service runs with role-session
// credentials (AWS_SESSION_TOKEN set, the STS stand-in knowing the key as
// a session of sentinel-service), as the Lambda runtime gives it.
func roleSessionService(t *testing.T) *serveWorld {
	t.Helper()
	w := newServeWorld(t)
	w.sts.AddSession(serviceSessionKey, serviceSessionTok, serviceSessionARN, serviceRoleARN, account, time.Now().Add(12*time.Hour))
	policyPath := filepath.Join(w.dir, "policy-aws.yaml")
	if err := os.WriteFile(policyPath, []byte(roleSessionPolicyE), 0o600); err != nil {
		t.Fatal(err)
	}
	w.writeConfig(fmt.Sprintf("server_id: team-e2e\npolicy: %s\naccounts: [\"111122223333\"]\nstore: {backend: local, path: %s}\nlog: {file: %s}\n",
		policyPath, filepath.Join(w.dir, "state.db"), filepath.Join(w.dir, "decisions.jsonl")))
	w.extraEnv = []string{"AWS_ACCESS_KEY_ID=" + serviceSessionKey, "AWS_SECRET_ACCESS_KEY=not-checked-for-sessions", "AWS_SESSION_TOKEN=" + serviceSessionTok}
	return w
}

// A request for two hours from a service whose own credentials are a
// role session gets one hour (STS caps role chaining there), shown in
// the answer's Expiration; before the cap it was a 500.
func TestServeRoleSessionBaseCapsAtOneHour(t *testing.T) {
	w := roleSessionService(t)
	w.start()
	before := time.Now()
	code, creds := w.call("alice", http.MethodPost, "/v1/credentials", `{"profile":"dev","duration_seconds":7200}`)
	if code != 200 {
		t.Fatalf("credentials for 2h: %d %v\n%s", code, creds, w.stderr)
	}
	exp, err := time.Parse(time.RFC3339, fmt.Sprint(creds["Expiration"]))
	if err != nil {
		t.Fatalf("Expiration %v: %v", creds["Expiration"], err)
	}
	if exp.After(before.Add(time.Hour+time.Minute)) || exp.Before(before.Add(59*time.Minute)) {
		t.Errorf("expiration %v: want one hour from %v", exp, before)
	}
	calls := w.sts.CallsOf("AssumeRole")
	if len(calls) != 1 || calls[0].CallerARN != serviceSessionARN || calls[0].Params.Get("DurationSeconds") != "3600" || calls[0].Status != 200 {
		t.Fatalf("AssumeRole calls %+v: want one, by the service's role session, for 3600 s", calls)
	}
}

// A profile through two via roles is three AssumeRole calls, each signed
// by the previous hop: the service's role assumes only the first via
// role, which alone trusts it; each later role trusts only the hop
// before it (as deploy/template.yaml and `sentinel policy roles --trust`
// say). Every hop carries the same SourceIdentity and tags.
func TestServeThreeHopViaChain(t *testing.T) {
	w := roleSessionService(t)
	// Each role trusts what `sentinel policy roles --trust` says it
	// must, derived from the service's policy, and nothing else.
	cmd := exec.Command(sentinelBin, "policy", "roles", "--trust", "--service-role", serviceRoleARN, filepath.Join(w.dir, "policy-aws.yaml"))
	cmd.Env = w.env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("policy roles --trust: %v", err)
	}
	var roles struct {
		FirstHops []string `json:"first_hops"`
		Roles     []struct {
			ARN     string   `json:"role_arn"`
			Trusted []string `json:"trusted_principals"`
		} `json:"roles"`
	}
	if err := json.Unmarshal(out, &roles); err != nil {
		t.Fatalf("policy roles --trust: %v\n%s", err, out)
	}
	if !slices.Equal(roles.FirstHops, []string{"arn:aws:iam::111122223333:role/dev", jumpRoleARN}) {
		t.Errorf("first hops %v", roles.FirstHops)
	}
	for _, r := range roles.Roles {
		w.sts.AllowRole(r.ARN, r.Trusted...)
	}
	w.start()
	code, creds := w.call("alice", http.MethodPost, "/v1/credentials", `{"profile":"deep","duration_seconds":7200}`)
	if code != 200 {
		t.Fatalf("credentials: %d %v\n%s", code, creds, w.stderr)
	}
	calls := w.sts.CallsOf("AssumeRole")
	want := []struct{ role, caller string }{
		{jumpRoleARN, serviceSessionARN},
		{transitRoleARN, "arn:aws:sts::111122223333:assumed-role/jump/"},
		{deepTargetRoleARN, "arn:aws:sts::444455556666:assumed-role/transit/"},
	}
	if len(calls) != len(want) {
		t.Fatalf("%d AssumeRole calls, want %d: %+v", len(calls), len(want), calls)
	}
	si := calls[0].Params.Get("SourceIdentity")
	for i, c := range calls {
		if c.Params.Get("RoleArn") != want[i].role || !strings.HasPrefix(c.CallerARN, want[i].caller) || c.Status != 200 {
			t.Errorf("hop %d: %s by %s (status %d), want %s by %s", i+1, c.Params.Get("RoleArn"), c.CallerARN, c.Status, want[i].role, want[i].caller)
		}
		if c.Params.Get("SourceIdentity") != si || si == "" || c.Params.Get("DurationSeconds") != "3600" {
			t.Errorf("hop %d: SourceIdentity %q duration %s, want %q and 3600", i+1, c.Params.Get("SourceIdentity"), c.Params.Get("DurationSeconds"), si)
		}
		if !hasTag(c.Params, "sentinel-request-id") {
			t.Errorf("hop %d carries no sentinel-request-id tag: %v", i+1, c.Params)
		}
	}

	// The trust each role needs is exactly the previous hop: a chain
	// where the target trusts the service role (as the old docs said)
	// and not the transit role is refused at the last hop.
	w2 := roleSessionService(t)
	w2.sts.AllowRole(jumpRoleARN, serviceRoleARN)
	w2.sts.AllowRole(transitRoleARN, jumpRoleARN)
	w2.sts.AllowRole(deepTargetRoleARN, serviceRoleARN)
	w2.start()
	if code, doc := w2.call("alice", http.MethodPost, "/v1/credentials", `{"profile":"deep"}`); code == 200 {
		t.Fatalf("a target trusting the service role, not the hop before it, was assumed: %v", doc)
	}
}

func hasTag(params map[string][]string, key string) bool {
	for k, v := range params {
		if strings.HasPrefix(k, "Tags.member.") && strings.HasSuffix(k, ".Key") && len(v) == 1 && v[0] == key {
			return true
		}
	}
	return false
}

// The service refuses to start, with one line naming the variable, when
// AWS_LAMBDA_EXEC_WRAPPER is set (anywhere), and on Lambda
// (AWS_LAMBDA_RUNTIME_API set) when its config is outside
// LAMBDA_TASK_ROOT or an endpoint variable is set, unless allow_env:
// lists it. A plain host keeps its endpoint variables.
func TestServeStartUpRefusals(t *testing.T) {
	w := newServeWorld(t)
	run := func(extra ...string) (int, string) {
		cmd := exec.Command(sentinelBin, "serve", "--listen", "127.0.0.1:0")
		cmd.Env = append(append(w.env(), "SENTINEL_SERVE_CONFIG="+w.config), extra...)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		// A start that passes the checks serves until killed: stop it
		// after a moment.
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if ee, ok := err.(*exec.ExitError); ok {
				return ee.ExitCode(), errOut.String()
			}
			return 0, errOut.String()
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			return -1, errOut.String()
		}
	}
	onLambda := []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9", "LAMBDA_TASK_ROOT=" + w.dir}
	refusals := []struct {
		name, variable string
		env            []string
	}{
		{"exec wrapper on a plain host", "AWS_LAMBDA_EXEC_WRAPPER", []string{"AWS_LAMBDA_EXEC_WRAPPER=/opt/wrapper"}},
		{"STS endpoint on Lambda", "AWS_ENDPOINT_URL_STS", onLambda},
		{"config outside the task root", "SENTINEL_SERVE_CONFIG", []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9", "LAMBDA_TASK_ROOT=" + filepath.Join(w.dir, "task")}},
	}
	for _, r := range refusals {
		code, out := run(r.env...)
		if code <= 0 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, r.variable) {
			t.Errorf("%s: exit %d, stderr %q: want one line naming %s", r.name, code, out, r.variable)
		}
	}
	// A plain host keeps today's behaviour: the stand-in's endpoint.
	if code, out := run(); code != -1 {
		t.Errorf("plain host with AWS_ENDPOINT_URL_STS: exit %d %s, want it serving", code, out)
	}
	// allow_env: lets the Lambda-only checks pass for what it lists.
	data, err := os.ReadFile(w.config)
	if err != nil {
		t.Fatal(err)
	}
	w.writeConfig(string(data) + "allow_env: [AWS_ENDPOINT_URL_STS]\n")
	if code, out := run(onLambda...); code != -1 {
		t.Errorf("on Lambda with allow_env: exit %d %s, want it serving", code, out)
	}
	if code, out := run(append(onLambda, "AWS_LAMBDA_EXEC_WRAPPER=/opt/wrapper")...); code <= 0 || !strings.Contains(out, "AWS_LAMBDA_EXEC_WRAPPER") {
		t.Errorf("exec wrapper with allow_env: exit %d %s, want a refusal", code, out)
	}
}

// The package's files must not be writable by group or others (the build
// installs them 0644): a config or policy that is stops the start with
// one error line naming the file (and a chmod hint), and 0644 starts.
func TestServeRefusesWritablePackageFiles(t *testing.T) {
	w := newServeWorld(t)
	policyPath := filepath.Join(w.dir, "policy.yaml")
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{{w.config, 0o664}, {policyPath, 0o666}} {
		if err := os.Chmod(w.config, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(policyPath, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(f.path, f.mode); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sentinelBin, "serve", "--listen", "127.0.0.1:0")
		cmd.Env = append(w.env(), "SENTINEL_SERVE_CONFIG="+w.config)
		out, err := cmd.CombinedOutput()
		first, _, _ := strings.Cut(string(out), "\n")
		if err == nil || !strings.Contains(first, f.path) || !strings.Contains(first, "writable by group or others") {
			t.Errorf("%s at %04o: %v\n%s", filepath.Base(f.path), f.mode, err, out)
		}
	}
	if err := os.Chmod(w.config, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(policyPath, 0o644); err != nil {
		t.Fatal(err)
	}
	w.start() // 0644 files start
}
