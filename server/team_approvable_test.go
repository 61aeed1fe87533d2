package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
)

// TestTeamApprovalCannotLiftADeny: the service files a request only when
// an approval could be used (403 Forbidden naming the deciding rule
// otherwise), and refuses to approve one the policy now denies (409
// Conflict), leaving it pending.
func TestTeamApprovalCannotLiftADeny(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	message := func(a answer) string {
		var e struct{ Message string }
		_ = json.Unmarshal(a.body, &e)
		return e.Message
	}
	// nobody is in the catalogue, no rule matches it: the default deny.
	a := tm.want(tm.call("carol", http.MethodPost, "/v1/requests", map[string]any{"profile": "nobody", "justification": "let me in please"}), http.StatusForbidden, "Forbidden")
	if m := message(a); m != "nobody is denied for carol: no rule matches; an approval cannot lift a deny" {
		t.Errorf("message %q", m)
	}

	var r request.Request
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy the fix"}), http.StatusOK, "").decode(t, &r)
	var dec struct {
		ID, Effect, Rule string
		Usable           bool
	}
	tm.want(tm.call("bob", http.MethodGet, "/v1/requests/"+r.ID+"/decision", nil), http.StatusOK, "").decode(t, &dec)
	if dec.ID != r.ID || dec.Effect != "require_approval" || dec.Rule != "prod" || !dec.Usable {
		t.Errorf("decision before the deny: %+v", dec)
	}
	denied := strings.Replace(teamPolicy, "rules:\n", "rules:\n  - name: contractors-never-prod\n    effect: deny\n    conditions: {profiles: [prod], users: [alice]}\n", 1)
	pol, err := policy.Parse([]byte(denied), "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tm.svc.Broker.Policy = pol
	a = tm.want(tm.call("alice", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy the fix"}), http.StatusForbidden, "Forbidden")
	if m := message(a); m != "prod is denied for alice by rule contractors-never-prod; an approval cannot lift a deny" {
		t.Errorf("message %q", m)
	}
	tm.want(tm.call("bob", http.MethodGet, "/v1/requests/"+r.ID+"/decision", nil), http.StatusOK, "").decode(t, &dec)
	if dec.Effect != "deny" || dec.Rule != "contractors-never-prod" || dec.Usable {
		t.Errorf("decision after the deny: %+v", dec)
	}
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/decision", nil), http.StatusMethodNotAllowed, "")
	a = tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/approve", nil), http.StatusConflict, "Conflict")
	if m := message(a); !strings.Contains(m, "contractors-never-prod") {
		t.Errorf("message %q", m)
	}
	var got request.Request
	tm.want(tm.call("alice", http.MethodGet, "/v1/requests/"+r.ID, nil), http.StatusOK, "").decode(t, &got)
	if got.Status != request.StatusPending || len(got.Reviews) != 0 {
		t.Errorf("after the refused approval: %+v", got)
	}
}
