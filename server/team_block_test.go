package server_test

import (
	"net/http"
	"testing"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
)

// POST /v1/requests/{id}/revoke: the requester (or an approver of the
// profile) withdraws an approved request, which then lifts nothing; a
// request that is not approved is 409; anyone else is 403.
func TestTeamRevokeRequest(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	var r request.Request
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy the fix"}), http.StatusOK, "").decode(t, &r)
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests/"+r.ID+"/revoke", map[string]any{"reason": "not yet"}), http.StatusConflict, "Conflict")
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/approve", nil), http.StatusOK, "")
	_, a := tm.credentials("alice", map[string]any{"profile": "prod"})
	tm.want(a, http.StatusOK, "")

	tm.want(tm.call("carol", http.MethodPost, "/v1/requests/"+r.ID+"/revoke", map[string]any{"reason": "mine now"}), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests/"+r.ID+"/revoke", map[string]any{}), http.StatusBadRequest, "BadRequest")
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests/"+r.ID+"/revoke", map[string]any{"reason": "done", "extra": 1}), http.StatusBadRequest, "BadRequest")
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests/"+r.ID+"/revoke", map[string]any{"reason": "the fix is out"}), http.StatusOK, "").decode(t, &r)
	if r.Status != request.StatusRevoked || r.RevokeReason != "the fix is out" {
		t.Fatalf("revoked request %+v", r)
	}
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests/"+r.ID+"/revoke", map[string]any{"reason": "again"}), http.StatusConflict, "Conflict")

	// It lifts nothing: a new session is refused.
	_, a = tm.credentials("alice", map[string]any{"profile": "prod"})
	tm.want(a, http.StatusForbidden, "AccessDenied")

	var list struct{ Requests []request.Request }
	tm.want(tm.call("alice", http.MethodGet, "/v1/requests?status=revoked", nil), http.StatusOK, "").decode(t, &list)
	if len(list.Requests) != 1 || list.Requests[0].ID != r.ID {
		t.Errorf("listed revoked: %+v", list.Requests)
	}
	if n := countEvents(tm.entries(), logging.EventRequestRevoked); n != 1 {
		t.Errorf("%d request.revoked entries", n)
	}
}

// A blocked approver is 403 for approve, deny, block, unblock and revoking
// others' requests; a block outside accounts: or on a malformed ARN is
// 400, never a 200 that revoked nothing.
func TestTeamBlockedApprover(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/block", map[string]any{"user_arn": "arn:aws:iam::999999999999:user/alice", "reason": "typo"}), http.StatusBadRequest, "BadRequest")
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/block", map[string]any{"user_arn": "arn:aws:iam::111122223333:group/alice", "reason": "typo"}), http.StatusBadRequest, "BadRequest")

	var r request.Request
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy the fix"}), http.StatusOK, "").decode(t, &r)
	// bob blocks himself (an approver may block anyone): from then on he
	// acts on nobody, and cannot lift his own block.
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/block", map[string]any{"user_arn": arnOf("bob"), "reason": "laptop stolen"}), http.StatusOK, "")
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/approve", nil), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/deny", nil), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/block", map[string]any{"user_arn": arnOf("alice"), "reason": "revenge"}), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/unblock", map[string]any{"user_arn": arnOf("bob")}), http.StatusForbidden, "Forbidden")
	if n := countEvents(tm.entries(), logging.EventRequestApproved) + countEvents(tm.entries(), logging.EventUserUnblocked); n != 0 {
		t.Errorf("a blocked approver's action was logged (%d)", n)
	}
}
