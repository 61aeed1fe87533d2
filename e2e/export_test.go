package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestExportFormatsAsAWSVaultPrintsThem(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)

	r := alice.mustRun("export", "dev")
	if r.stderr != "" {
		t.Errorf("export wrote to stderr: %q", r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	wantNames := []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION"}
	if len(lines) != len(wantNames) {
		t.Fatalf("env format: %d lines, want %d:\n%s", len(lines), len(wantNames), r.stdout)
	}
	for i, name := range wantNames {
		if !strings.HasPrefix(lines[i], name+"=") {
			t.Errorf("line %d is %q, want %s=...", i, lines[i], name)
		}
	}
	env := envOf(r.stdout)
	if !strings.HasPrefix(env["AWS_ACCESS_KEY_ID"], "ASIA") || env["AWS_REGION"] != "eu-west-1" {
		t.Errorf("env format: %v", env)
	}
	mustParseTime(t, env["AWS_CREDENTIAL_EXPIRATION"])
	d := alice.lastDecision()
	if d["effect"] != "allow" || d["mode"] != "cli" || !strings.Contains(d["note"].(string), "exported") {
		t.Errorf("decision entry does not record the export: %v", d)
	}

	// The second export is served from the cache, and still logged as one.
	r = alice.mustRun("export", "--format", "export-env", "dev")
	for _, line := range strings.Split(strings.TrimRight(r.stdout, "\n"), "\n") {
		if !regexp.MustCompile(`^export AWS_[A-Z_]+=\S+$`).MatchString(line) {
			t.Errorf("export-env line %q", line)
		}
	}
	if d := alice.lastDecision(); d["cached"] != true || !strings.Contains(d["note"].(string), "exported") {
		t.Errorf("cached export entry: %v", d)
	}

	r = alice.mustRun("export", "--format", "json", "dev")
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("json format is not JSON: %q", r.stdout)
	}
	if doc["Version"] != float64(1) || doc["AccessKeyId"] != env["AWS_ACCESS_KEY_ID"] || len(doc) != 5 {
		t.Errorf("json format: %v", doc)
	}
	if !strings.Contains(r.stdout, "\n  \"AccessKeyId\"") {
		t.Errorf("json format is not indented as aws-vault prints it: %q", r.stdout)
	}

	r = alice.mustRun("export", "--format", "ini", "dev")
	if !strings.HasPrefix(r.stdout, "[profile dev]\n") {
		t.Errorf("ini format: %q", r.stdout)
	}
	for _, key := range []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_credential_expiration", "region"} {
		if !regexp.MustCompile(`(?m)^` + key + `\s*= \S+$`).MatchString(r.stdout) {
			t.Errorf("ini format lacks %s:\n%s", key, r.stdout)
		}
	}

	// The same decision as exec: a denied profile prints nothing.
	r = alice.mustFail(`access to profile prod denied`, "export", "prod")
	if r.stdout != "" {
		t.Errorf("denied export printed %q", r.stdout)
	}
	if d := alice.lastDecision(); d["effect"] != "deny" || !strings.Contains(d["note"].(string), "exported") {
		t.Errorf("denied export entry: %v", d)
	}
	alice.mustFail(`must be one of env,export-env,json,ini`, "export", "--format", "yaml", "dev")
}

func TestExecDefaultsToAWSProfileAndSetsAWSVault(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)

	alice.extra["AWS_PROFILE"] = "dev"
	r := alice.mustRun("exec", "--", "env")
	env := envOf(r.stdout)
	if env["SENTINEL_PROFILE"] != "dev" || env["AWS_VAULT"] != "dev" || env["AWS_PROFILE"] != "" {
		t.Errorf("exec with AWS_PROFILE=dev: SENTINEL_PROFILE=%q AWS_VAULT=%q AWS_PROFILE=%q", env["SENTINEL_PROFILE"], env["AWS_VAULT"], env["AWS_PROFILE"])
	}
	if d := alice.lastDecision(); d["profile"] != "dev" {
		t.Errorf("decision for profile %v", d["profile"])
	}

	// A profile named before -- wins over AWS_PROFILE, even one that is
	// also the command's name.
	alice.extra["AWS_PROFILE"] = "prod"
	r = alice.mustRun("exec", "--no-aws-vault-env", "plain", "--", "env")
	env = envOf(r.stdout)
	if env["SENTINEL_PROFILE"] != "plain" {
		t.Errorf("named profile: SENTINEL_PROFILE=%q", env["SENTINEL_PROFILE"])
	}
	if _, ok := env["AWS_VAULT"]; ok {
		t.Errorf("--no-aws-vault-env still set AWS_VAULT")
	}

	// Without AWS_PROFILE the profile is default, which the policy does not
	// allow here.
	alice.extra["AWS_PROFILE"] = ""
	alice.mustFail(`access to profile default denied`, "exec", "--", "true")

	// Inside aws-vault exec, sentinel refuses to nest, as it does inside
	// itself.
	alice.extra["AWS_VAULT"] = "work"
	alice.mustFail(`already inside aws-vault exec for profile work.*\n.*--force-nested`, "exec", "dev", "--", "true")
	r = alice.mustRun("exec", "--force-nested", "dev", "--", "env")
	if envOf(r.stdout)["AWS_VAULT"] != "dev" {
		t.Errorf("nested exec did not replace AWS_VAULT: %s", r.stdout)
	}
}
