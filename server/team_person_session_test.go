package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// Two session names of the role ci, and a namesake session of another role.
const (
	ciX    = "arn:aws:sts::111122223333:assumed-role/ci/x"
	ciY    = "arn:aws:sts::111122223333:assumed-role/ci/y"
	otherX = "arn:aws:sts::111122223333:assumed-role/other/x"
)

// onBothBackends runs run on a team with the local store and on one with
// DynamoDB tables named after prefix.
func onBothBackends(t *testing.T, prefix string, run func(*testing.T, teamOptions)) {
	t.Run("local", func(t *testing.T) { run(t, teamOptions{}) })
	t.Run("dynamodb", func(t *testing.T) { run(t, teamOptions{stores: openDynamo(t, dynamoEndpoint(t), prefix, true)}) })
}

// A session belongs to a person, not to an ARN: a role's sessions are the
// role's whatever the session name, so another session name of that role
// resumes it (warm in memory or not), while a role session of another
// role or an IAM user with the same name does not.
func TestTeamSessionBelongsToThePerson(t *testing.T) {
	onBothBackends(t, "person-session", sessionBelongsToThePerson)
}

func sessionBelongsToThePerson(t *testing.T, o teamOptions) {
	tm := newTeam(t, o)
	c1, a := tm.credentialsAs(ciX, map[string]any{"profile": "dev"})
	tm.want(a, http.StatusOK, "")
	c2, a := tm.credentialsAs(ciY, map[string]any{"profile": "dev", "session_id": c1.SessionID})
	tm.want(a, http.StatusOK, "")
	if c2.SessionID != c1.SessionID {
		t.Errorf("resumed as %s, want %s", c2.SessionID, c1.SessionID)
	}
	other := newTeamSharing(t, tm)
	c3, a := other.credentialsAs(ciY, map[string]any{"profile": "dev", "session_id": c1.SessionID})
	tm.want(a, http.StatusOK, "")
	if c3.SessionID != c1.SessionID {
		t.Errorf("resumed from the store as %s, want %s", c3.SessionID, c1.SessionID)
	}
	for _, arn := range []string{otherX, "arn:aws:iam::111122223333:user/x"} {
		_, a = tm.credentialsAs(arn, map[string]any{"profile": "dev", "session_id": c1.SessionID})
		tm.want(a, http.StatusForbidden, "")
		_, a = other.credentialsAs(arn, map[string]any{"profile": "dev", "session_id": c1.SessionID})
		tm.want(a, http.StatusForbidden, "")
	}
	// The owner's refused namesakes spoiled nothing.
	_, a = tm.credentialsAs(ciX, map[string]any{"profile": "dev", "session_id": c1.SessionID})
	tm.want(a, http.StatusOK, "")
	// Their own listing, under either session name, holds the session;
	// the namesakes' holds nothing.
	for arn, want := range map[string]int{ciY: 1, ciX: 1, otherX: 0} {
		var list struct{ Sessions []struct{ ID string } }
		tm.want(tm.callAs(arn, http.MethodGet, "/v1/sessions", nil), http.StatusOK, "").decode(t, &list)
		if len(list.Sessions) != want || (want == 1 && list.Sessions[0].ID != c1.SessionID) {
			t.Errorf("%s lists %+v, want %d session(s)", arn, list.Sessions, want)
		}
	}
}

// What a person was granted is theirs under any of their ARNs: a role's
// approved request (filed under one session name) lifts require_approval
// for another session name of that role, whose own listing shows it, as
// its pending-request limit already counts it; a role session of another
// role with the requester's session name gets nothing.
func TestTeamApprovalBelongsToThePerson(t *testing.T) {
	onBothBackends(t, "person-approval", approvalBelongsToThePerson)
}

func approvalBelongsToThePerson(t *testing.T, o teamOptions) {
	tm := newTeam(t, o)
	var r struct{ ID string }
	tm.want(tm.callAs(ciX, http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy the fix now"}), http.StatusOK, "").decode(t, &r)
	var list struct{ Requests []struct{ ID string } }
	tm.want(tm.callAs(ciY, http.MethodGet, "/v1/requests", nil), http.StatusOK, "").decode(t, &list)
	if len(list.Requests) != 1 || list.Requests[0].ID != r.ID {
		t.Errorf("the role's own requests, listed under another session name: %+v, want %s", list.Requests, r.ID)
	}
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/approve", nil), http.StatusOK, "")
	c, a := tm.credentialsAs(ciY, map[string]any{"profile": "prod"})
	tm.want(a, http.StatusOK, "")
	if !strings.Contains(c.SourceIdentity, ".apr-"+r.ID+".") {
		t.Errorf("SourceIdentity %q does not name approval %s", c.SourceIdentity, r.ID)
	}
	_, a = tm.credentialsAs(otherX, map[string]any{"profile": "prod"})
	tm.want(a, http.StatusForbidden, "AccessDenied")
}
