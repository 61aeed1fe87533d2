package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// credentialsAs is POST /v1/credentials by the caller with ARN arn.
func (tm *team) credentialsAs(arn string, body map[string]any) (creds, answer) {
	tm.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		tm.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, tm.srv.URL+"/v1/credentials", bytes.NewReader(raw))
	if err != nil {
		tm.t.Fatal(err)
	}
	req.Header.Set(testOnlyCallerHeader, arn)
	resp, err := tm.srv.Client().Do(req)
	if err != nil {
		tm.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tm.t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, body: data}
	var c creds
	if a.status == http.StatusOK {
		a.decode(tm.t, &c)
	}
	return c, a
}

// A session belongs to a person, not to an ARN: a role's sessions are the
// role's whatever the session name, so another session name of that role
// resumes it (warm in memory or not), while a role session of another
// role or an IAM user with the same name does not.
func TestTeamSessionBelongsToThePerson(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	const (
		ciX    = "arn:aws:sts::111122223333:assumed-role/ci/x"
		ciY    = "arn:aws:sts::111122223333:assumed-role/ci/y"
		otherX = "arn:aws:sts::111122223333:assumed-role/other/x"
	)
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
}
