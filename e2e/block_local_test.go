package e2e

import (
	"strings"
	"testing"
)

// A block (`sessions revoke --user`) refuses exec, credentials, export and
// login for that person, not only exec --server: each reads the block
// after STS answered. A warm `credentials` hit may rely on a check made
// less than five minutes before (so its warm path reads no store), but not
// after a refusal on this machine has seen the block; exec does not.
func TestBlockRefusesEveryLocalPath(t *testing.T) {
	w, _, alice := signinWorld(t)
	w.setPolicy(approvalsPolicy) // dev allowed; alice and bob approve prod
	bob := w.newPerson("bob")

	alice.mustRun("exec", "dev", "--", "true")
	alice.mustRun("credentials", "dev")
	bob.mustRun("sessions", "revoke", "--user", alice.arn, "--reason", "laptop stolen")
	assumes := len(w.assumeCalls())

	for _, args := range [][]string{
		{"exec", "dev", "--", "true"},
		{"export", "dev"},
		{"login", "--stdout", "dev"},
		{"exec", "--no-session", "dev", "--", "true"},
	} {
		r := alice.mustFail(`blocked .*by bob .*laptop stolen`, args...)
		if r.stdout != "" {
			t.Errorf("%s printed %q after the block", strings.Join(args, " "), r.stdout)
		}
		if d := alice.lastDecision(); d["effect"] != "deny" {
			t.Errorf("%s logged %v", strings.Join(args, " "), d)
		}
	}
	// The warm credentials hit may rely on a check less than five minutes
	// old, but not once this machine has seen the block: the refusals
	// above dropped alice's cached credentials.
	if r := alice.mustFail(`blocked .*by bob .*laptop stolen`, "credentials", "dev"); r.stdout != "" {
		t.Errorf("credentials printed %q after the block was seen", r.stdout)
	}
	_ = assumes

	// Nobody lifts a block on themselves; bob (another approver) can.
	alice.mustFail(`may not unblock`, "sessions", "unblock", alice.arn)
	bob.mustRun("sessions", "unblock", alice.arn)
	alice.mustRun("exec", "dev", "--", "true")

	// A block outside the policy's accounts: is one line and exit 1.
	bob.mustFail(`not one of the policy's accounts`, "sessions", "revoke", "--user", "arn:aws:iam::999999999999:user/alice", "--reason", "typo")
}

// `sentinel requests revoke` withdraws an approved request (requester or
// approver), which then lifts nothing; a request that is not approved is
// exit 1.
func TestRequestsRevoke(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob, carol := w.newPerson("alice"), w.newPerson("bob"), w.newPerson("carol")
	id := alice.newRequest("prod")
	alice.mustFail(`cannot revoke request `+id+`: it is pending`, "requests", "revoke", id, "--reason", "never mind")
	bob.mustRun("approve", id, "--comment", "ok")
	alice.mustRun("exec", "prod", "--", "true")
	carol.mustFail(`may not revoke request `+id, "requests", "revoke", id, "--reason", "mine now")
	r := alice.mustRun("requests", "revoke", id, "--reason", "the fix is out")
	if !strings.Contains(r.stdout, "Request "+id+" of alice for prod revoked") {
		t.Errorf("revoke said %q", r.stdout)
	}
	alice.wantStatus(id, "revoked")
	if out := alice.mustRun("requests", "show", id).stdout; !strings.Contains(out, "Revoked:       by alice (account 111122223333) at ") || !strings.Contains(out, ": the fix is out") {
		t.Errorf("requests show of a revoked request:\n%s", out)
	}
	alice.mustFail(`access to profile prod denied`, "exec", "prod", "--", "true")
	if out := alice.mustRun("requests", "list", "--status", "revoked").stdout; !strings.Contains(out, id) {
		t.Errorf("requests --status revoked:\n%s", out)
	}
	wantFields(t, "request.revoked", alice.lifecycleEntry("request.revoked", id), map[string]any{
		"actor": "alice", "status": "revoked", "reason": "the fix is out",
	})
	alice.mustFail(`cannot revoke request `+id+`: it is revoked`, "requests", "revoke", id, "--reason", "again")
}
