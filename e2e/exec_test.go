package e2e

import (
	"os"
	"strings"
	"testing"
	"time"
)

const devPolicy = `version: "1"
accounts: ["111122223333"]
rules:
  - name: dev-anytime
    effect: allow
    conditions:
      profiles: [dev, plain]
    max_duration: 2h
    reason: development access
  - name: prod-needs-approval
    effect: require_approval
    conditions:
      profiles: [prod]
    reason: production needs a second person
  - name: staging-server-only
    effect: require_server
    conditions:
      profiles: [staging]
    reason: staging is served by the credential server
approvals:
  - name: prod-second-person
    profiles: [prod]
    approvers: [bob]
    max_duration: 2h
`

func TestExecAllowedSetsTheEnvironmentContract(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	alice.extra["AWS_PROFILE"] = "prod"
	alice.extra["AWS_DEFAULT_PROFILE"] = "prod"
	alice.extra["AWS_SECURITY_TOKEN"] = "stale"
	alice.extra["AWS_SDK_LOAD_CONFIG"] = "1"
	alice.extra["AWS_CREDENTIAL_FILE"] = "/nonexistent"

	start := time.Now().UTC()
	r := alice.mustRun("exec", "dev", "--", "env")
	env := envOf(r.stdout)
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_SDK_LOAD_CONFIG", "AWS_CREDENTIAL_FILE"} {
		if _, ok := env[k]; ok {
			t.Errorf("%s leaked into the child environment", k)
		}
	}
	if !strings.HasPrefix(env["AWS_ACCESS_KEY_ID"], "ASIA") || env["AWS_SECRET_ACCESS_KEY"] == "" || env["AWS_SESSION_TOKEN"] == "" {
		t.Errorf("credentials missing from the environment: %v", env)
	}
	if env["AWS_REGION"] != "eu-west-1" || env["AWS_DEFAULT_REGION"] != "eu-west-1" {
		t.Errorf("region: AWS_REGION=%q AWS_DEFAULT_REGION=%q", env["AWS_REGION"], env["AWS_DEFAULT_REGION"])
	}
	if env["SENTINEL_PROFILE"] != "dev" {
		t.Errorf("SENTINEL_PROFILE=%q", env["SENTINEL_PROFILE"])
	}
	exp := mustParseTime(t, env["AWS_CREDENTIAL_EXPIRATION"])
	if !strings.HasSuffix(env["AWS_CREDENTIAL_EXPIRATION"], "Z") || exp.Before(start.Add(55*time.Minute)) || exp.After(start.Add(65*time.Minute)) {
		t.Errorf("AWS_CREDENTIAL_EXPIRATION=%s, want about an hour from now in UTC", env["AWS_CREDENTIAL_EXPIRATION"])
	}

	calls := w.assumeCalls()
	if len(calls) != 1 {
		t.Fatalf("%d AssumeRole calls, want 1", len(calls))
	}
	p := calls[0].Params
	si := p.Get("SourceIdentity")
	if !sourceIdentityRE.MatchString(si) || !strings.HasPrefix(si, "sentinel.alice.direct.") {
		t.Errorf("SourceIdentity %q", si)
	}
	if p.Get("RoleSessionName") != "sentinel-alice" || p.Get("RoleArn") != "arn:aws:iam::111122223333:role/dev" {
		t.Errorf("RoleSessionName %q RoleArn %q", p.Get("RoleSessionName"), p.Get("RoleArn"))
	}
	reqID := si[strings.LastIndexByte(si, '.')+1:]
	if p.Get("Tags.member.1.Key") != "sentinel-request-id" || p.Get("Tags.member.1.Value") != reqID {
		t.Errorf("request-id tag: %v", p)
	}
	if p.Get("DurationSeconds") != "3600" {
		t.Errorf("DurationSeconds %q, want 3600", p.Get("DurationSeconds"))
	}

	d := alice.lastDecision()
	want := map[string]any{
		"effect": "allow", "policy_effect": "allow", "rule": "dev-anytime", "rule_index": float64(0),
		"user": "alice", "principal_arn": alice.arn, "account": account, "profile": "dev", "mode": "cli",
		"source_identity": si, "request_id": reqID, "role_arn": "arn:aws:iam::111122223333:role/dev",
	}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("log %s = %v, want %v", k, d[k], v)
		}
	}
	if d["policy_sha256"] == nil || d["expires_at"] == nil || d["duration_seconds"] == nil {
		t.Errorf("log entry lacks policy_sha256, expires_at or duration_seconds: %v", d)
	}
	alice.mustRun("log", "verify")
}

func TestExecDeniedSaysWhyAndIssuesNothing(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)

	alice.mustFail(`access to profile prod denied for alice: production needs a second person.*\n.*hint: ask for approval: sentinel request prod`, "exec", "prod", "--", "env")
	d := alice.lastDecision()
	if d["effect"] != "deny" || d["profile"] != "prod" || d["policy_effect"] != "require_approval" || d["source_identity"] != nil {
		t.Errorf("deny entry: %v", d)
	}
	alice.mustFail(`denied.*no rule matched`, "exec", "audit", "--", "true")
	if d := alice.lastDecision(); d["rule_index"] != float64(-1) || d["policy_effect"] != "deny" {
		t.Errorf("default deny entry: %v", d)
	}
	if n := len(w.assumeCalls()); n != 0 {
		t.Errorf("%d AssumeRole calls after denials", n)
	}
	alice.mustFail(`staging is served by the credential server.*\n.*hint: .*sentinel exec --server staging`, "exec", "staging", "--", "true")
}

func TestExecExitCodeAndDefaultShell(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	if r := alice.run("exec", "dev", "--", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("exit code %d, want the command's 7: %s", r.code, r)
	}
	alice.extra["SHELL"] = "/bin/sh"
	if r := alice.run("exec", "dev"); r.code != 0 {
		t.Errorf("default shell with no input: %s", r)
	}
}

func TestExecRefusesNesting(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	alice.extra["SENTINEL_PROFILE"] = "dev"
	alice.mustFail(`already inside sentinel exec for profile dev.*\n.*--force-nested`, "exec", "dev", "--", "true")
	r := alice.mustRun("exec", "--force-nested", "dev", "--", "env")
	if envOf(r.stdout)["SENTINEL_PROFILE"] != "dev" {
		t.Errorf("nested exec env: %s", r.stdout)
	}
}

func TestProfileWithoutRoleGetsSessionCredentials(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	r := alice.mustRun("exec", "plain", "--", "env")
	if !strings.HasPrefix(envOf(r.stdout)["AWS_ACCESS_KEY_ID"], "ASIA") {
		t.Errorf("no session credentials: %s", r.stdout)
	}
	if n := len(w.assumeCalls()); n != 0 {
		t.Errorf("%d AssumeRole calls for a profile without role_arn", n)
	}
	d := alice.lastDecision()
	if d["effect"] != "allow" || d["source_identity"] != nil || !strings.Contains(d["note"].(string), "no SourceIdentity") {
		t.Errorf("log entry: %v", d)
	}
}

func TestDurationIsCappedByTheRule(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	alice.mustRun("exec", "--duration", "6h", "dev", "--", "true")
	calls := w.assumeCalls()
	if got := calls[len(calls)-1].Params.Get("DurationSeconds"); got != "7200" {
		t.Errorf("DurationSeconds %s, want the rule's 2h cap", got)
	}
	alice.mustFail(`below the 15m minimum`, "exec", "--duration", "5m", "dev", "--", "true")
}

func TestNoSecretInDebugOutputOrLog(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	r := alice.mustRun("--debug", "exec", "dev", "--", "env")
	env := envOf(r.stdout)
	if !strings.Contains(r.stderr, "sentinel: debug: ") {
		t.Fatalf("--debug printed nothing:\n%s", r.stderr)
	}
	r2 := alice.mustRun("--debug", "credentials", "dev")
	logData, err := os.ReadFile(alice.logPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{fakeSecret, env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]} {
		for where, text := range map[string]string{"exec debug output": r.stderr, "credentials debug output": r2.stderr, "decision log": string(logData)} {
			if strings.Contains(text, secret) {
				t.Errorf("a secret appears in the %s", where)
			}
		}
	}
}
