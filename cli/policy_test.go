package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
)

// runPolicyCLI runs sentinel with args in-process and
// returns stdout, stderr and the exit code.
func runPolicyCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := kingpin.New("sentinel", "test")
	app.Terminate(nil)
	Configure(app, &stdout, &stderr)
	code := 0
	if _, err := app.Parse(args); err != nil {
		code = Report(&stderr, err)
	}
	return stdout.String(), stderr.String(), code
}

// policyEnv isolates a test from the user's configuration and returns a
// temporary directory.
func policyEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("SENTINEL_CONFIG", filepath.Join(dir, "no-config.yaml"))
	t.Setenv("SENTINEL_POLICY", "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	return dir
}

func writePolicy(t *testing.T, dir, name, src string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const checkPolicy = `version: "1"
accounts: ["111122223333"]
rules:
  - name: legacy
    effect: deny
    conditions: {profiles: [legacy]}
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
    max_duration: 1h
    reason: development
  - name: ops
    effect: allow
    conditions:
      profiles: [ops]
      users: [alice, "arn:aws:iam::111122223333:user/bob"]
  - name: night
    effect: allow
    conditions:
      profiles: [batch]
      time: {days: [friday], hours: {start: "22:00", end: "06:00"}, timezone: Europe/Berlin}
  - name: data
    effect: require_server
    conditions: {profiles: [data]}
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
`

func TestPolicyValidate(t *testing.T) {
	dir := policyEnv(t)
	good := writePolicy(t, dir, "good.yaml", checkPolicy)
	bad := writePolicy(t, dir, "bad.yaml", "version: \"1\"\nrules:\n  - name: a\n    effect: alow\n    conditions:\n      mode: [clii]\n")

	out, errOut, code := runPolicyCLI(t, "policy", "validate", good)
	if code != 0 || errOut != good+":1: warning: no profiles: section: profile names are not bound to roles, so a person's AWS config decides which role a profile name assumes\n"+
		good+":4: warning: rules[0]: deny rule \"legacy\": no break-glass rule covers legacy for anyone, so nothing can lift this deny\n"+
		good+":25: warning: rules[5]: require_approval rule \"prod\": no approval rule covers prod, so nobody can approve a request\n" {
		t.Fatalf("validate good: code %d stderr %q, want 0 and the warnings", code, errOut)
	}
	if !strings.HasPrefix(out, good+": ok: 6 rules, 0 approval rules, 0 break-glass rules (sha256 ") || !strings.HasSuffix(out, "…)\n") {
		t.Errorf("validate good: stdout %q", out)
	}

	out, errOut, code = runPolicyCLI(t, "policy", "validate", bad)
	want := []string{
		bad + `:4: rules[0].effect: unknown effect "alow" (want allow, deny, require_approval, require_server)`,
		bad + `:6: rules[0].conditions.mode: unknown mode "clii" (want cli, credential_process, server)`,
	}
	if code != 1 || out != "" || errOut != strings.Join(want, "\n")+"\n" {
		t.Errorf("validate bad: code %d stdout %q stderr\n%s\nwant\n%s", code, out, errOut, strings.Join(want, "\n"))
	}

	_, errOut, code = runPolicyCLI(t, "policy", "validate", filepath.Join(dir, "missing.yaml"))
	if code != 1 || !strings.Contains(errOut, "no such file") || !strings.Contains(errOut, "hint:") {
		t.Errorf("validate missing: code %d stderr %q", code, errOut)
	}

	// Without FILE: --policy, then $SENTINEL_POLICY.
	out, _, code = runPolicyCLI(t, "--policy", good, "policy", "validate")
	if code != 0 || !strings.HasPrefix(out, good+": ok:") {
		t.Errorf("validate --policy: code %d stdout %q", code, out)
	}
	t.Setenv("SENTINEL_POLICY", bad)
	_, errOut, code = runPolicyCLI(t, "policy", "validate")
	if code != 1 || !strings.HasPrefix(errOut, bad+":4:") {
		t.Errorf("validate $SENTINEL_POLICY: code %d stderr %q", code, errOut)
	}
}

// TestPolicyValidateExamples runs the command on every shipped example.
func TestPolicyValidateExamples(t *testing.T) {
	policyEnv(t)
	files, err := filepath.Glob(filepath.Join("..", "docs", "examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		if out, errOut, code := runPolicyCLI(t, "policy", "validate", f); code != 0 {
			t.Errorf("%s: code %d stdout %q stderr %q", f, code, out, errOut)
		}
	}
}

func TestPolicyCheck(t *testing.T) {
	dir := policyEnv(t)
	path := writePolicy(t, dir, "policy.yaml", checkPolicy)
	runPolicyCheckCases(t, path, []policyCheckCase{
		{"allowed", []string{"--profile", "dev", "--user", "carol"}, 0,
			[]string{"allowed       yes", "rule          dev (index 1)", "reason        development", "max duration  1h", "0  legacy  profile \"dev\" not in [legacy]"}},
		{"default deny", []string{"--profile", "nope", "--user", "carol"}, 2,
			[]string{"effect        deny", "allowed       no", "rule          none", "no rule matched (default deny)", "rules that did not match:", "5  prod"}},
		{"user by name", []string{"--profile", "ops", "--user", "alice"}, 0, []string{"alice (arn:aws:iam::111122223333:user/alice) asks for ops", "rule          ops (index 2)"}},
		{"user by name in another account", []string{"--profile", "ops", "--user", "alice", "--account", "999999999999"}, 2, []string{"(account 999999999999 is not in accounts:)"}},
		{"user by ARN", []string{"--profile", "ops", "--user", "arn:aws:iam::111122223333:user/bob"}, 0,
			[]string{"bob (arn:aws:iam::111122223333:user/bob) asks for ops", "rule          ops (index 2)"}},
		// The defect: a session anyone could name "alice" matched the
		// bare name alice.
		{"assumed-role session name is not a bare name", []string{"--profile", "ops", "--user", "arn:aws:sts::111122223333:assumed-role/Admin/alice"}, 2,
			[]string{"alice (arn:aws:sts::111122223333:assumed-role/Admin/alice)", "bare names match only IAM users and IAM Identity Center sessions"}},
		{"Identity Center session matches the bare name", []string{"--profile", "ops", "--user", "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Ops_0a1b/alice"}, 0,
			[]string{"rule          ops (index 2)"}},
		{"ARN entry", []string{"--profile", "ops", "--user", "bob"}, 0, []string{"bob (arn:aws:iam::111122223333:user/bob)", "rule          ops (index 2)"}},
		{"window end and next opening", []string{"--profile", "batch", "--user", "u", "--at", "2025-06-07T03:00:00+02:00"}, 0,
			[]string{"window ends   2025-06-07T04:00:00Z (next opens 2025-06-13T20:00:00Z)"}},
		{"overnight window after midnight", []string{"--profile", "batch", "--user", "u", "--at", "2025-06-07T03:00:00+02:00"}, 0, []string{"rule          night (index 3)"}},
		{"outside the window", []string{"--profile", "batch", "--user", "u", "--at", "2025-06-06T03:00:00+02:00"}, 2,
			[]string{"time friday 03:00 Europe/Berlin outside friday 22:00-06:00 Europe/Berlin"}},
		{"require_server in cli mode", []string{"--profile", "data", "--user", "u"}, 2, []string{"require_server", "sentinel exec --server"}},
		{"require_server in server mode", []string{"--profile", "data", "--user", "u", "--mode", "server"}, 0, []string{"allowed       yes"}},
		{"require_approval", []string{"--profile", "prod", "--user", "u", "--mode", "credential_process"}, 2, []string{"effect        require_approval"}},
	})
}

// policyCheckCase is one `policy check` run: its flags, the exit code and
// substrings of stdout; stderr must stay empty.
type policyCheckCase struct {
	name string
	args []string
	code int
	want []string
}

func runPolicyCheckCases(t *testing.T, path string, tests []policyCheckCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runPolicyCLI(t, append([]string{"--policy", path, "policy", "check"}, tt.args...)...)
			if code != tt.code || errOut != "" {
				t.Errorf("code %d stderr %q, want %d and nothing on stderr", code, errOut, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestPolicyCheckJSON(t *testing.T) {
	dir := policyEnv(t)
	path := writePolicy(t, dir, "policy.yaml", checkPolicy)

	out, _, code := runPolicyCLI(t, "--policy", path, "policy", "check", "--profile", "dev", "--user", "u", "--output", "json")
	if code != 0 {
		t.Fatalf("code %d", code)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	wantKeys := []string{"allowed", "effect", "max_duration_seconds", "misses", "pin_error", "policy_sha256", "reason", "rule", "rule_index", "window_end"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("keys %v, want %v", keys, wantKeys)
	}
	if doc["effect"] != "allow" || doc["allowed"] != true || doc["rule"] != "dev" || doc["rule_index"] != 1.0 ||
		doc["max_duration_seconds"] != 3600.0 || doc["reason"] != "development" || len(doc["policy_sha256"].(string)) != 64 {
		t.Errorf("document %v", doc)
	}
	wantMisses := []any{map[string]any{"rule": "legacy", "index": 0.0, "why": `profile "dev" not in [legacy]`}}
	if !reflect.DeepEqual(doc["misses"], wantMisses) {
		t.Errorf("misses %#v, want %#v", doc["misses"], wantMisses)
	}

	// A match on the first rule still has a list of misses, empty.
	out, _, code = runPolicyCLI(t, "--policy", path, "policy", "check", "--profile", "legacy", "--user", "u", "-o", "json")
	if code != 2 || !strings.Contains(out, `"misses": []`) || !strings.Contains(out, `"rule_index": 0`) {
		t.Errorf("code %d, want 2 and an empty misses list:\n%s", code, out)
	}
}

func TestPolicyCheckErrors(t *testing.T) {
	dir := policyEnv(t)
	good := writePolicy(t, dir, "policy.yaml", checkPolicy)
	bad := writePolicy(t, dir, "bad.yaml", "version: \"1\"\nrules: []\n")
	tests := []struct {
		name string
		args []string
		want string // substring of stderr
	}{
		{"bad --at", []string{"--policy", good, "policy", "check", "--profile", "dev", "--user", "u", "--at", "tomorrow"}, `--at "tomorrow": want RFC 3339`},
		{"bad ARN", []string{"--policy", good, "policy", "check", "--profile", "dev", "--user", "arn:aws:iam::1:user/x"}, "--user:"},
		{"bad mode", []string{"--policy", good, "policy", "check", "--profile", "dev", "--user", "u", "--mode", "clii"}, "clii"},
		{"missing --user", []string{"--policy", good, "policy", "check", "--profile", "dev"}, "--user"},
		{"invalid policy", []string{"--policy", bad, "policy", "check", "--profile", "dev", "--user", "u"}, bad + ":2: rules: empty rule list"},
		{"missing policy", []string{"--policy", filepath.Join(dir, "nope.yaml"), "policy", "check", "--profile", "dev", "--user", "u"}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runPolicyCLI(t, tt.args...)
			if code != 1 || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("code %d stdout %q stderr %q; want 1, nothing, and %q", code, out, errOut, tt.want)
			}
		})
	}
}

const pinnedPolicy = `version: "1"
accounts: ["111122223333"]
profiles:
  dev:
    role_arn: arn:aws:iam::111122223333:role/dev
  keys:
    account: "111122223333"
rules:
  - name: dev
    effect: allow
    conditions:
      profiles: [dev, keys, prod]
      roles: ["arn:aws:iam::111122223333:role/*"]
`

// TestPolicyCheckPins shows that check refuses what the broker refuses: a
// chain that is not the pinned one, even when a rule allows the name.
func TestPolicyCheckPins(t *testing.T) {
	dir := policyEnv(t)
	path := writePolicy(t, dir, "policy.yaml", pinnedPolicy)
	runPolicyCheckCases(t, path, []policyCheckCase{
		{"pinned role by default", []string{"--profile", "dev", "--user", "alice"}, 0,
			[]string{"roles         arn:aws:iam::111122223333:role/dev", "pin           ok", "allowed       yes"}},
		{"dev pointed at another role", []string{"--profile", "dev", "--user", "alice", "--role", "arn:aws:iam::111122223333:role/prod"}, 2,
			[]string{"pin           refused: profile dev is pinned to role arn:aws:iam::111122223333:role/dev but its config assumes arn:aws:iam::111122223333:role/prod", "allowed       no"}},
		{"chain through an unlisted role", []string{"--profile", "dev", "--user", "alice", "--role", "arn:aws:iam::111122223333:role/jump", "--role", "arn:aws:iam::111122223333:role/dev"}, 2,
			[]string{"roles         arn:aws:iam::111122223333:role/jump -> arn:aws:iam::111122223333:role/dev", "which is not in its via list"}},
		{"unpinned profile", []string{"--profile", "prod", "--user", "alice", "--role", "arn:aws:iam::111122223333:role/prod"}, 2,
			[]string{"refused: profile prod is not in the policy's profiles: section"}},
		{"role-less pin: the rule's roles: need a role", []string{"--profile", "keys", "--user", "alice"}, 2,
			[]string{"pin           ok", "the profile assumes no role"}},
	})
	out, _, _ := runPolicyCLI(t, "--policy", path, "policy", "check", "--profile", "dev", "--user", "alice", "--role", "arn:aws:iam::111122223333:role/x", "-o", "json")
	if !strings.Contains(out, `"pin_error": "profile dev is pinned to role`) || !strings.Contains(out, `"allowed": false`) {
		t.Errorf("JSON lacks the pin error:\n%s", out)
	}

	out, errOut, code := runPolicyCLI(t, "policy", "validate", path)
	wantWarn := path + `:9: warning: rules[0].conditions.profiles: profile "prod" is not in profiles:, so this entry never applies` + "\n"
	if code != 0 || !strings.Contains(out, "1 rule, 0 approval rules, 0 break-glass rules, 2 pinned profiles") || errOut != wantWarn {
		t.Errorf("validate: code %d stdout %q stderr %q, want 0 and\n%s", code, out, errOut, wantWarn)
	}
}

func TestPolicyValidateRefusesBareNamesWithoutAccounts(t *testing.T) {
	dir := policyEnv(t)
	path := writePolicy(t, dir, "policy.yaml", "version: \"1\"\nrules:\n  - name: r\n    effect: allow\n    conditions: {users: [alice]}\n")
	_, errOut, code := runPolicyCLI(t, "policy", "validate", path)
	want := path + `:5: rules[0].conditions.users: bare name "alice" needs the accounts it may come from: add accounts: ["<12-digit account ID>"] at the top of the policy, or write the full ARN` + "\n"
	if code != 1 || errOut != want {
		t.Errorf("code %d stderr %q, want 1 and %q", code, errOut, want)
	}
}
