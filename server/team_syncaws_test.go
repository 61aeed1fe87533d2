package server_test

import (
	"net/http"
	"testing"
)

// POST /v1/admin/sync-aws: approvers only, and a 404 on a service without
// revoke_in_aws; it takes no body but {} and only POST.
func TestTeamSyncAWSRefusals(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	tm.want(tm.call("alice", http.MethodPost, "/v1/admin/sync-aws", map[string]any{}), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("bob", http.MethodPost, "/v1/admin/sync-aws", map[string]any{}), http.StatusNotFound, "NotFound")
	tm.want(tm.call("bob", http.MethodPost, "/v1/admin/sync-aws", map[string]any{"all": true}), http.StatusBadRequest, "BadRequest")
	tm.want(tm.call("bob", http.MethodGet, "/v1/admin/sync-aws", nil), http.StatusMethodNotAllowed, "")
	tm.want(tm.call("bob", http.MethodPost, "/v1/admin/other", map[string]any{}), http.StatusNotFound, "NotFound")
}
