package e2e

import (
	"strings"
	"testing"
)

// TestWhoamiShowsHowThePolicySeesYou: the name bare entries match, the
// rules that could apply, and the approvals a person gives.
func TestWhoamiShowsHowThePolicySeesYou(t *testing.T) {
	w := newWorld(t)
	// devPolicy plus a rule only carol is named in.
	w.setPolicy(strings.Replace(devPolicy, "approvals:", `  - name: audit-carol
    effect: allow
    conditions:
      users: [carol]
      profiles: [audit]
approvals:`, 1))
	alice := w.newPerson("alice")
	bob := w.newPerson("bob")

	out := alice.mustRun("whoami").stdout
	for _, want := range []string{
		"User:    alice", "ARN:     " + alice.arn, "Account: " + account,
		"Name:    alice (what bare names in the policy match)",
		"dev-anytime", "prod-needs-approval", "staging-server-only",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("whoami lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "audit-carol") || strings.Contains(out, "You approve") {
		t.Errorf("whoami shows alice a rule or an approval that is not hers:\n%s", out)
	}
	if out := bob.mustRun("whoami").stdout; !strings.Contains(out, "You approve requests under: prod-second-person") {
		t.Errorf("whoami of the approver:\n%s", out)
	}

	v := decodeObject(t, alice.mustRun("whoami", "--output", "json").stdout)
	pol, _ := v["policy"].(map[string]any)
	if v["arn"] != alice.arn || pol == nil || pol["name"] != "alice" {
		t.Fatalf("whoami JSON: %v", v)
	}
	var rules []string
	for _, r := range pol["rules"].([]any) {
		rules = append(rules, r.(map[string]any)["name"].(string))
	}
	if strings.Join(rules, ",") != "dev-anytime,prod-needs-approval,staging-server-only" {
		t.Errorf("whoami JSON rules = %v", rules)
	}
}
