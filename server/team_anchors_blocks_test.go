package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/session"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestTeamAnchors: a caller's head is recorded under their proven ARN,
// moves only forward (409 otherwise), is read back by its owner only, and
// every POST is one lifecycle entry in the service's log.
func TestTeamAnchors(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	const log = "laptop:/home/alice/.local/state/sentinel/decisions.jsonl"
	head := func(seq int64, tag string) map[string]any {
		return map[string]any{"log": log, "file": "decisions.jsonl", "seq": seq, "hash": sha(tag), "time": "2026-01-02T03:04:05Z"}
	}
	get := "/v1/anchors?log=" + url.QueryEscape(log)
	tm.want(tm.call("alice", http.MethodGet, get, nil), http.StatusNotFound, "NotFound")

	var got struct {
		Log, File, Hash string
		Seq             int64
		OwnerARN        string `json:"owner_arn"`
	}
	tm.want(tm.call("alice", http.MethodPost, "/v1/anchors", head(10, "10")), http.StatusOK, "").decode(t, &got)
	if got.Seq != 10 || got.OwnerARN != arnOf("alice") {
		t.Fatalf("recorded %+v", got)
	}
	tm.want(tm.call("alice", http.MethodPost, "/v1/anchors", head(10, "10")), http.StatusOK, "") // a retry
	tm.want(tm.call("alice", http.MethodPost, "/v1/anchors", head(20, "20")), http.StatusOK, "")
	tm.want(tm.call("alice", http.MethodPost, "/v1/anchors", head(15, "15")), http.StatusConflict, "Conflict")
	tm.want(tm.call("alice", http.MethodPost, "/v1/anchors", head(20, "fork")), http.StatusConflict, "Conflict")

	tm.want(tm.call("alice", http.MethodGet, get, nil), http.StatusOK, "").decode(t, &got)
	if got.Seq != 20 || got.Hash != sha("20") || got.Log != log || got.File != "decisions.jsonl" {
		t.Fatalf("read back %+v", got)
	}
	// bob cannot see alice's record, and his own write of the same log
	// name does not touch hers.
	tm.want(tm.call("bob", http.MethodGet, get, nil), http.StatusNotFound, "NotFound")
	tm.want(tm.call("bob", http.MethodPost, "/v1/anchors", head(1, "bob")), http.StatusOK, "")
	tm.want(tm.call("alice", http.MethodGet, get, nil), http.StatusOK, "").decode(t, &got)
	if got.Seq != 20 {
		t.Fatalf("bob moved alice's anchor to %d", got.Seq)
	}

	es := tm.entries()
	if n := countEvents(es, broker.EventLogAnchored); n != 4 {
		t.Errorf("%d log.anchored entries, want 4", n)
	}
	if n := countEvents(es, broker.EventLogAnchorRefused); n != 2 {
		t.Errorf("%d log.anchor_refused entries, want 2", n)
	}
	for _, e := range es {
		if strings.HasPrefix(e.Event, "log.anchor") && (e.Subject != log || e.ActorARN == "" || !strings.Contains(e.Comment, "seq ")) {
			t.Errorf("anchor entry %+v", e)
		}
	}
	if _, err := logging.VerifyLog(tm.logPath, logging.VerifyOptions{}); err != nil {
		t.Errorf("service log: %v", err)
	}
}

// TestTeamAnchorsBadInput: malformed heads are a 400, change nothing and
// log nothing; no proof is a 401.
func TestTeamAnchorsBadInput(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	good := sha("x")
	for name, body := range map[string]any{
		"seq 0":         map[string]any{"log": "l", "seq": 0, "hash": good},
		"negative seq":  map[string]any{"log": "l", "seq": -1, "hash": good},
		"short hash":    map[string]any{"log": "l", "seq": 1, "hash": "abc"},
		"upper hash":    map[string]any{"log": "l", "seq": 1, "hash": strings.ToUpper(good)},
		"no log":        map[string]any{"seq": 1, "hash": good},
		"control chars": map[string]any{"log": "a\nb", "seq": 1, "hash": good},
		"long log":      map[string]any{"log": strings.Repeat("a", 1025), "seq": 1, "hash": good},
		"unknown field": map[string]any{"log": "l", "seq": 1, "hash": good, "owner": "bob"},
		"not json":      "{",
	} {
		t.Run(name, func(t *testing.T) {
			tm.want(tm.call("alice", http.MethodPost, "/v1/anchors", body), http.StatusBadRequest, "BadRequest")
		})
	}
	tm.want(tm.call("alice", http.MethodGet, "/v1/anchors", nil), http.StatusBadRequest, "BadRequest")
	tm.want(tm.call("alice", http.MethodGet, "/v1/anchors?log=a&other=1", nil), http.StatusBadRequest, "BadRequest")
	tm.want(tm.call("", http.MethodPost, "/v1/anchors", map[string]any{"log": "l", "seq": 1, "hash": good}), http.StatusUnauthorized, "InvalidProof")
	tm.want(tm.call("alice", http.MethodDelete, "/v1/anchors", nil), http.StatusMethodNotAllowed, "")
	if n := countEvents(tm.entries(), broker.EventLogAnchored); n != 0 {
		t.Errorf("refused input logged %d anchors", n)
	}
}

// TestTeamReviewable: ?reviewable=true lists the pending requests the
// caller may approve, not their own, and refuses other filters.
func TestTeamReviewable(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	var r struct{ ID string }
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy the fix"}), http.StatusOK, "").decode(t, &r)
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "bob's own request"}), http.StatusOK, "")
	var list struct{ Requests []struct{ ID string } }
	tm.want(tm.call("bob", http.MethodGet, "/v1/requests?reviewable=true", nil), http.StatusOK, "").decode(t, &list)
	if len(list.Requests) != 1 || list.Requests[0].ID != r.ID {
		t.Fatalf("bob may review %+v, want only %s", list.Requests, r.ID)
	}
	list.Requests = nil
	tm.want(tm.call("carol", http.MethodGet, "/v1/requests?reviewable=true", nil), http.StatusOK, "").decode(t, &list)
	if len(list.Requests) != 0 {
		t.Fatalf("carol, no approver, may review %+v", list.Requests)
	}
	tm.want(tm.call("bob", http.MethodGet, "/v1/requests?reviewable=yes", nil), http.StatusBadRequest, "BadRequest")
	tm.want(tm.call("bob", http.MethodGet, "/v1/requests?reviewable=true&profile=prod", nil), http.StatusBadRequest, "BadRequest")
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/approve", map[string]any{}), http.StatusOK, "")
	tm.want(tm.call("bob", http.MethodGet, "/v1/requests?reviewable=true", nil), http.StatusOK, "").decode(t, &list)
	if len(list.Requests) != 0 {
		t.Fatalf("approved request still reviewable: %+v", list.Requests)
	}
}

// TestTeamSessionEnd: only the session's user may end it; it becomes
// expired, its credentials are not handed out again, a second end is a
// 409, and the end is logged.
func TestTeamSessionEnd(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	c, _ := tm.credentials("alice", map[string]any{"profile": "dev"})
	end := "/v1/sessions/" + c.SessionID + "/end"
	tm.want(tm.call("bob", http.MethodPost, end, nil), http.StatusForbidden, "Forbidden")
	var s session.Session
	tm.want(tm.call("alice", http.MethodPost, end, nil), http.StatusOK, "").decode(t, &s)
	if s.Status != session.StatusExpired {
		t.Fatalf("ended session is %s", s.Status)
	}
	tm.want(tm.call("alice", http.MethodPost, end, nil), http.StatusConflict, "Conflict")
	// Resuming an ended session starts a new one, as for a lapsed one:
	// the ended session's credentials are never handed out again.
	c2, a := tm.credentials("alice", map[string]any{"profile": "dev", "session_id": c.SessionID})
	tm.want(a, http.StatusOK, "")
	if c2.SessionID == c.SessionID || c2.AccessKeyId == c.AccessKeyId {
		t.Fatalf("ended session %s resumed", c.SessionID)
	}
	tm.want(tm.call("alice", http.MethodPost, "/v1/sessions/0123456789abcdef/end", nil), http.StatusNotFound, "NotFound")
	tm.want(tm.call("alice", http.MethodPost, "/v1/sessions/nothex/end", nil), http.StatusNotFound, "NotFound")
	tm.want(tm.call("alice", http.MethodPost, end, map[string]any{"x": 1}), http.StatusBadRequest, "BadRequest")
	ended := 0
	for _, e := range tm.entries() {
		if e.Event == logging.EventSessionExpired && e.SessionID == c.SessionID {
			ended++
		}
	}
	if ended != 1 {
		t.Errorf("%d session.expired entries for the ended session, want 1", ended)
	}
}

// TestTeamUserBlock: approvers only; a block revokes the user's sessions
// and refuses new ones until unblocked.
func TestTeamUserBlock(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	c, _ := tm.credentials("alice", map[string]any{"profile": "dev"})
	block := map[string]any{"user_arn": arnOf("alice"), "reason": "stolen laptop", "for_seconds": 3600}
	tm.want(tm.call("carol", http.MethodPost, "/v1/users/block", block), http.StatusForbidden, "Forbidden")
	var out struct {
		Block   session.Block
		Revoked []session.Session
	}
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/block", block), http.StatusOK, "").decode(t, &out)
	if out.Block.UserARN != arnOf("alice") || len(out.Revoked) != 1 || out.Revoked[0].ID != c.SessionID {
		t.Fatalf("block answer %+v", out)
	}
	_, a := tm.credentials("alice", map[string]any{"profile": "dev"})
	tm.want(a, http.StatusForbidden, "")
	tm.want(tm.call("carol", http.MethodPost, "/v1/users/unblock", map[string]any{"user_arn": arnOf("alice")}), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/unblock", map[string]any{"user_arn": arnOf("alice")}), http.StatusOK, "")
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/unblock", map[string]any{"user_arn": arnOf("alice")}), http.StatusNotFound, "NotFound")
	_, a = tm.credentials("alice", map[string]any{"profile": "dev"})
	tm.want(a, http.StatusOK, "")
	for name, body := range map[string]any{
		"no arn":        map[string]any{"reason": "x"},
		"negative":      map[string]any{"user_arn": arnOf("alice"), "for_seconds": -1},
		"too long":      map[string]any{"user_arn": arnOf("alice"), "for_seconds": 400 * 24 * 3600},
		"bad arn":       map[string]any{"user_arn": "alice"},
		"extra field":   map[string]any{"user_arn": arnOf("alice"), "until": "x"},
		"not an object": "[]",
	} {
		t.Run(name, func(t *testing.T) {
			tm.want(tm.call("bob", http.MethodPost, "/v1/users/block", body), http.StatusBadRequest, "BadRequest")
		})
	}
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/other", map[string]any{}), http.StatusNotFound, "NotFound")
	es := tm.entries()
	if countEvents(es, logging.EventUserBlocked) != 1 || countEvents(es, logging.EventUserUnblocked) != 1 {
		t.Errorf("block entries: %d blocked, %d unblocked", countEvents(es, logging.EventUserBlocked), countEvents(es, logging.EventUserUnblocked))
	}
}
