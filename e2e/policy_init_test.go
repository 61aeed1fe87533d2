package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestPolicyInit: `policy init` prints a starter policy from the person's
// AWS config that validates (with the placeholder approver as its only
// warning) and whose tests pass; --write puts it at the policy path, 0600,
// and never overwrites; the written policy then decides.
func TestPolicyInit(t *testing.T) {
	w := newWorld(t)
	alice := w.newPerson("alice")
	alice.writeFile(".aws/config", defaultAWSConfig+`
[profile deep]
source_profile = dev
role_arn = arn:aws:iam::111122223333:role/deep

[profile team-prod]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/team-prod
`)
	r := alice.mustRun("policy", "init")
	for _, want := range []string{
		"accounts: [\"" + account + "\"]",
		"  dev:\n    role_arn: arn:aws:iam::111122223333:role/dev\n",
		"  deep:\n    role_arn: arn:aws:iam::111122223333:role/deep\n    via: [arn:aws:iam::111122223333:role/dev]\n",
		"  - name: prod\n    effect: require_approval\n",
		"  - name: team-prod\n    effect: require_approval\n",
		"  - name: staging\n    effect: allow\n",
		"    profiles: [prod, team-prod]\n    approvers: [REPLACE-ME]\n",
		"\ntests:\n",
		"user: arn:aws:iam::111122223333:user/alice\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("policy init lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "  plain:") || strings.Contains(r.stdout, "  default:") {
		t.Errorf("profiles without a role are pinned:\n%s", r.stdout)
	}
	if _, err := os.Stat(w.policy); err == nil {
		t.Fatal("policy init without --write wrote the policy")
	}

	printed := r.stdout
	r = alice.mustRun("policy", "init", "--write")
	if !strings.Contains(r.stdout, "wrote "+w.policy) {
		t.Errorf("policy init --write: %s", r)
	}
	data, err := os.ReadFile(w.policy)
	if err != nil || string(data) != printed {
		t.Fatalf("written policy differs from the printed one (%v):\n%s", err, data)
	}
	if fi, _ := os.Stat(w.policy); fi.Mode().Perm() != 0o600 {
		t.Errorf("policy written with mode %v, want 0600", fi.Mode().Perm())
	}
	v := alice.mustRun("policy", "validate")
	warnings := regexp.MustCompile(`(?m)^.*warning: .*$`).FindAllString(v.stderr, -1)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "approver REPLACE-ME is a placeholder") {
		t.Errorf("policy validate of the starter: want one warning, the placeholder: %s", v)
	}
	if r := alice.mustRun("policy", "test"); !strings.Contains(r.stdout, "0 failed") {
		t.Errorf("policy test of the starter: %s", r)
	}

	// Never overwritten, even when it is the same.
	if err := os.WriteFile(w.policy, []byte("# mine\n"+printed), 0o600); err != nil {
		t.Fatal(err)
	}
	alice.mustFail(`already exists: not overwritten`, "policy", "init", "--write")
	if data, _ := os.ReadFile(w.policy); !strings.HasPrefix(string(data), "# mine\n") {
		t.Error("policy init --write overwrote the policy")
	}

	// The starter decides.
	alice.mustRun("exec", "deep", "--", "true")
	alice.mustFail(`access to profile prod .*approv`, "exec", "prod", "--", "true")
}
