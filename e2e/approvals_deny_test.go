package e2e

import (
	"strings"
	"testing"
)

// denyFirstPolicy is approvalsPolicy with an explicit deny of prod for
// mallory before the rule that makes prod need approval.
var denyFirstPolicy = strings.Replace(approvalsPolicy, "rules:\n", `rules:
  - name: contractors-never-prod
    effect: deny
    conditions:
      profiles: [prod]
      users: [mallory]
    reason: contractors never touch production
`, 1)

// TestApprovalNeverLiftsADenyE2E: with the built binary, an approval lifts
// require_approval only. A request for a denied profile is refused at once,
// naming the rule; an approval given while the policy allowed it is refused
// at approve time once the policy denies, and one given before the deny
// lifts nothing.
func TestApprovalNeverLiftsADenyE2E(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(denyFirstPolicy)
	mallory, bob := w.newPerson("mallory"), w.newPerson("bob")

	r := mallory.mustFail(`^sentinel: prod is denied for mallory by rule contractors-never-prod; an approval cannot lift a deny\n$`,
		"request", "prod", "--justification", justification)
	if r.code != 1 {
		t.Errorf("exit code %d, want 1", r.code)
	}
	mallory.mustFail(`^sentinel: plain is denied for mallory: no rule matches; an approval cannot lift a deny\n$`,
		"request", "plain", "--justification", justification)
	mallory.mustFail(`^sentinel: dev is allowed for mallory by rule dev-anytime; no approval is needed\n$`,
		"request", "dev", "--justification", justification)

	// Filed while prod needed approval; the deny lands before bob approves.
	w.setPolicy(approvalsPolicy)
	pending := mallory.newRequest("prod")
	w.setPolicy(denyFirstPolicy)
	r = bob.run("approve", pending, "--yes")
	if r.code != 1 || !strings.Contains(r.stdout, "Decision now:  prod is denied for mallory by rule contractors-never-prod; an approval cannot lift a deny; approving it will be refused") {
		t.Fatalf("approve of an unusable request: %s", r)
	}
	checkOneLineError(t, r.stderr, `^sentinel: request `+pending+` could not be used, so it is not approved: prod is denied for mallory by rule contractors-never-prod`)
	mallory.wantStatus(pending, "pending")
	r = bob.mustRun("deny", pending, "--yes")
	if !strings.Contains(r.stdout, "Decision now:  prod is denied for mallory") {
		t.Errorf("deny does not show the decision: %s", r.stdout)
	}

	// Approved while prod needed approval; the deny lands afterwards.
	w.setPolicy(approvalsPolicy)
	id := mallory.newRequest("prod")
	r = bob.mustRun("approve", id, "--yes")
	if !strings.Contains(r.stdout, "Decision now:  require_approval by rule prod-needs-approval: an approval can be used") {
		t.Errorf("approve does not show the decision: %s", r.stdout)
	}
	mallory.wantStatus(id, "approved")
	w.setPolicy(denyFirstPolicy)
	mallory.mustFail(`access to profile prod denied for mallory: contractors never touch production`, "exec", "prod", "--", "true")
	d := mallory.lastDecision()
	if d["effect"] != "deny" || d["policy_effect"] != "deny" || d["approval_id"] != nil || d["rule"] != "contractors-never-prod" {
		t.Errorf("decision: %v", d)
	}
	if n := len(w.assumeCalls()); n != 0 {
		t.Errorf("%d AssumeRole calls, want none", n)
	}
}
