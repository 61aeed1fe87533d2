package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

func TestTeamHealthAndInfoNeedNoProof(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	a := tm.want(tm.call("", http.MethodGet, "/healthz", nil), http.StatusOK, "")
	if strings.TrimSpace(string(a.body)) != `{"status":"ok"}` {
		t.Errorf("healthz says %s", a.body)
	}
	var info map[string]string
	tm.want(tm.call("", http.MethodGet, "/v1/info", nil), http.StatusOK, "").decode(t, &info)
	if info["server_id"] != "team-test" || info["sts_endpoint"] != tm.sts.URL() || info["sts_region"] != "us-east-1" || info["version"] != "test" || len(info) != 4 {
		t.Errorf("info %v", info)
	}
	tm.want(tm.call("", http.MethodPost, "/healthz", nil), http.StatusMethodNotAllowed, "")
}

// Two people through the API: alice asks for prod (require_approval),
// cannot approve herself, carol may not approve, bob approves, and alice
// then gets credentials stamped with the approval, assumed by the service
// on the pinned role.
func TestTeamRequestAndApproval(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	_, a := tm.credentials("alice", map[string]any{"profile": "prod"})
	tm.want(a, http.StatusForbidden, "AccessDenied")

	var r request.Request
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy the fix"}), http.StatusOK, "").decode(t, &r)
	if r.Status != request.StatusPending || r.Requester != "alice" || r.RequesterARN != arnOf("alice") || r.RoleARN != prodRole {
		t.Fatalf("request %+v", r)
	}
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests/"+r.ID+"/approve", nil), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("carol", http.MethodPost, "/v1/requests/"+r.ID+"/approve", map[string]any{"comment": "sure"}), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/approve", map[string]any{"comment": "go"}), http.StatusOK, "").decode(t, &r)
	if r.Status != request.StatusApproved {
		t.Fatalf("after bob's approval: %s", r.Status)
	}

	tm.sts.Reset()
	c, a := tm.credentials("alice", map[string]any{"profile": "prod"})
	tm.want(a, http.StatusOK, "")
	if !strings.HasPrefix(c.SourceIdentity, "sentinel.alice.apr-"+r.ID+".") || c.SessionID == "" || c.RequestID == "" || c.AccessKeyId == "" || c.SessionToken == "" {
		t.Fatalf("credentials %+v", c)
	}
	calls := tm.sts.CallsOf("AssumeRole")
	if len(calls) != 1 {
		t.Fatalf("AssumeRole calls: %d", len(calls))
	}
	p := calls[0].Params
	if calls[0].AccessKeyID != serviceKey || p.Get("RoleArn") != prodRole || p.Get("SourceIdentity") != c.SourceIdentity {
		t.Errorf("AssumeRole by %s on %s with %s", calls[0].AccessKeyID, p.Get("RoleArn"), p.Get("SourceIdentity"))
	}
	tags := map[string]string{}
	for k, v := range p {
		if key, ok := strings.CutSuffix(k, ".Key"); ok {
			tags[v[0]] = p.Get(key + ".Value")
		}
	}
	if tags["sentinel-request-id"] != c.RequestID || tags["sentinel-session-id"] != c.SessionID {
		t.Errorf("tags %v, want request %s session %s", tags, c.RequestID, c.SessionID)
	}

	// Bob cannot get prod: the approval is alice's.
	_, a = tm.credentials("bob", map[string]any{"profile": "prod"})
	tm.want(a, http.StatusForbidden, "AccessDenied")

	// A denied request cannot be approved: 409.
	var r2 request.Request
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy it again please"}), http.StatusOK, "").decode(t, &r2)
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r2.ID+"/deny", map[string]any{"comment": "no"}), http.StatusOK, "")
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r2.ID+"/approve", nil), http.StatusConflict, "Conflict")
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests/"+r2.ID+"/cancel", nil), http.StatusConflict, "Conflict")

	// An approver cannot approve their own request: 403, not a conflict.
	var own request.Request
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "bob wants prod too"}), http.StatusOK, "").decode(t, &own)
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+own.ID+"/approve", nil), http.StatusForbidden, "Forbidden")

	var list struct{ Requests []request.Request }
	tm.want(tm.call("alice", http.MethodGet, "/v1/requests?profile=prod", nil), http.StatusOK, "").decode(t, &list)
	if len(list.Requests) != 3 {
		t.Errorf("listed %d requests", len(list.Requests))
	}
	tm.want(tm.call("alice", http.MethodGet, "/v1/requests/"+r.ID, nil), http.StatusOK, "")
	tm.want(tm.call("alice", http.MethodGet, "/v1/requests/00000000000000ff", nil), http.StatusNotFound, "NotFound")
	tm.want(tm.call("alice", http.MethodGet, "/v1/requests/not-an-id", nil), http.StatusNotFound, "NotFound")

	es := tm.entries()
	if countEvents(es, logging.EventRequestApproved) != 1 || countEvents(es, logging.EventRequestDenied) != 1 || countEvents(es, logging.EventRequestCreated) != 3 {
		t.Errorf("lifecycle entries: %d created, %d approved, %d denied", countEvents(es, logging.EventRequestCreated), countEvents(es, logging.EventRequestApproved), countEvents(es, logging.EventRequestDenied))
	}
}

// The service is server mode: require_server allows; the via hop of the
// pin is walked; a profile outside the catalogue is a 404 wherever it is
// named.
func TestTeamRequireServerViaAndCatalogue(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	c, a := tm.credentials("carol", map[string]any{"profile": "data"})
	tm.want(a, http.StatusOK, "")
	calls := tm.sts.CallsOf("AssumeRole")
	if len(calls) != 2 || calls[0].Params.Get("RoleArn") != viaRole || calls[1].Params.Get("RoleArn") != dataRole {
		t.Fatalf("AssumeRole hops %v", calls)
	}
	if !strings.HasPrefix(c.SourceIdentity, "sentinel.carol.direct.") {
		t.Errorf("SourceIdentity %s", c.SourceIdentity)
	}
	for _, profile := range []string{"staging", "default"} {
		_, a := tm.credentials("carol", map[string]any{"profile": profile})
		tm.want(a, http.StatusNotFound, "NotFound")
		tm.want(tm.call("carol", http.MethodPost, "/v1/requests", map[string]any{"profile": profile, "justification": "x"}), http.StatusNotFound, "NotFound")
		tm.want(tm.call("carol", http.MethodPost, "/v1/breakglass", map[string]any{"profile": profile, "reason_code": "incident", "justification": "x"}), http.StatusNotFound, "NotFound")
	}
	// In the catalogue but no rule allows it: a denial, not a 404.
	_, a = tm.credentials("carol", map[string]any{"profile": "nobody"})
	tm.want(a, http.StatusForbidden, "AccessDenied")
	// No approval rule covers dev: nobody could approve a request.
	tm.want(tm.call("carol", http.MethodPost, "/v1/requests", map[string]any{"profile": "dev", "justification": "x"}), http.StatusForbidden, "Forbidden")
}

// Sessions belong to their caller: resumed only by their owner, refused
// once revoked, and one person's session ID is refused for another.
func TestTeamSessionsAndRevocation(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	c1, a := tm.credentials("alice", map[string]any{"profile": "dev"})
	tm.want(a, http.StatusOK, "")
	c2, a := tm.credentials("alice", map[string]any{"profile": "dev", "session_id": c1.SessionID})
	tm.want(a, http.StatusOK, "")
	if c2.SessionID != c1.SessionID || c2.AccessKeyId != c1.AccessKeyId || c2.RequestID == c1.RequestID {
		t.Fatalf("resumed session: %+v after %+v", c2, c1)
	}
	if n := len(tm.sts.CallsOf("AssumeRole")); n != 1 {
		t.Errorf("warm session called AssumeRole %d times", n)
	}
	// Without a session ID: a new session.
	c3, _ := tm.credentials("alice", map[string]any{"profile": "dev"})
	if c3.SessionID == c1.SessionID || c3.SessionID == "" {
		t.Errorf("no session_id resumed %s", c3.SessionID)
	}

	// Bob may not use alice's session, warm in memory or not.
	_, a = tm.credentials("bob", map[string]any{"profile": "dev", "session_id": c1.SessionID})
	tm.want(a, http.StatusForbidden, "")
	other := newTeamSharing(t, tm)
	_, a = other.credentials("bob", map[string]any{"profile": "dev", "session_id": c1.SessionID})
	tm.want(a, http.StatusForbidden, "")
	// Nor may alice use it for another profile, nor name an unknown one.
	_, a = tm.credentials("alice", map[string]any{"profile": "data", "session_id": c1.SessionID})
	tm.want(a, http.StatusForbidden, "")
	_, a = tm.credentials("alice", map[string]any{"profile": "dev", "session_id": "00000000000000aa"})
	tm.want(a, http.StatusForbidden, "SessionRevoked")
	_, a = tm.credentials("alice", map[string]any{"profile": "dev", "session_id": "../etc"})
	tm.want(a, http.StatusBadRequest, "BadRequest")

	// Bob's refused attempt did not spoil alice's warm session.
	_, a = tm.credentials("alice", map[string]any{"profile": "dev", "session_id": c1.SessionID})
	tm.want(a, http.StatusOK, "")

	var list struct{ Sessions []session.Session }
	tm.want(tm.call("alice", http.MethodGet, "/v1/sessions", nil), http.StatusOK, "").decode(t, &list)
	if len(list.Sessions) != 2 {
		t.Errorf("alice lists %d sessions", len(list.Sessions))
	}
	var s session.Session
	tm.want(tm.call("alice", http.MethodGet, "/v1/sessions/"+c1.SessionID, nil), http.StatusOK, "").decode(t, &s)
	if s.RequestCount != 3 || s.UserARN != arnOf("alice") || s.Host != "team-test" {
		t.Errorf("session %+v", s)
	}
	tm.want(tm.call("bob", http.MethodPost, "/v1/sessions/"+c1.SessionID+"/revoke", map[string]any{"reason": "mine now"}), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("alice", http.MethodPost, "/v1/sessions/"+c1.SessionID+"/revoke", map[string]any{"reason": "laptop lost"}), http.StatusOK, "")
	_, a = tm.credentials("alice", map[string]any{"profile": "dev", "session_id": c1.SessionID})
	tm.want(a, http.StatusForbidden, "SessionRevoked")
	tm.want(tm.call("alice", http.MethodPost, "/v1/sessions/"+c1.SessionID+"/revoke", map[string]any{"reason": "again"}), http.StatusConflict, "Conflict")
	tm.want(tm.call("alice", http.MethodGet, "/v1/sessions/00000000000000aa", nil), http.StatusNotFound, "NotFound")
	tm.want(tm.call("alice", http.MethodGet, "/v1/sessions?status=bogus", nil), http.StatusBadRequest, "BadRequest")
}

// newTeamSharing is a second service instance (another Lambda, say) on the
// same store and log, with nothing warm.
func newTeamSharing(t *testing.T, tm *team) *team {
	other := newTeam(t, teamOptions{stores: tm.stores})
	return other
}

func TestTeamBreakglass(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	tm.want(tm.call("carol", http.MethodPost, "/v1/breakglass", map[string]any{"profile": "prod", "reason_code": "incident", "justification": "the site is down for everyone"}), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("alice", http.MethodPost, "/v1/breakglass", map[string]any{"profile": "prod", "reason_code": "panic", "justification": "the site is down for everyone"}), http.StatusBadRequest, "BadRequest")
	var e struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	tm.want(tm.call("alice", http.MethodPost, "/v1/breakglass", map[string]any{"profile": "prod", "reason_code": "incident", "justification": "the site is down for everyone"}), http.StatusOK, "").decode(t, &e)
	if e.Status != "active" || e.ID == "" {
		t.Fatalf("event %+v", e)
	}
	tm.want(tm.call("alice", http.MethodPost, "/v1/breakglass", map[string]any{"profile": "prod", "reason_code": "incident", "justification": "the site is down for everyone twice"}), http.StatusConflict, "Conflict")
	c, a := tm.credentials("alice", map[string]any{"profile": "prod"})
	tm.want(a, http.StatusOK, "")
	if !strings.HasPrefix(c.SourceIdentity, "sentinel.alice.bg-"+e.ID+".") {
		t.Errorf("SourceIdentity %s", c.SourceIdentity)
	}
	var list struct{ Events []map[string]any }
	tm.want(tm.call("bob", http.MethodGet, "/v1/breakglass?status=active", nil), http.StatusOK, "").decode(t, &list)
	if len(list.Events) != 1 {
		t.Errorf("active events %d", len(list.Events))
	}
	tm.want(tm.call("bob", http.MethodGet, "/v1/breakglass/"+e.ID, nil), http.StatusOK, "")
	tm.want(tm.call("carol", http.MethodPost, "/v1/breakglass/"+e.ID+"/close", map[string]any{"reason": "tidy"}), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("alice", http.MethodPost, "/v1/breakglass/"+e.ID+"/close", map[string]any{"reason": "fixed"}), http.StatusOK, "")
	_, a = tm.credentials("alice", map[string]any{"profile": "prod"})
	tm.want(a, http.StatusForbidden, "AccessDenied")
}

func TestTeamBadInput(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	big := `{"profile":"dev","justification":"` + strings.Repeat("x", 70<<10) + `"}`
	for _, c := range []struct {
		name, user, method, path string
		body                     any
		status                   int
		code                     string
	}{
		{"no proof", "", http.MethodPost, "/v1/credentials", `{"profile":"dev"}`, 401, "InvalidProof"},
		{"no proof on a read", "", http.MethodGet, "/v1/requests", nil, 401, "InvalidProof"},
		{"unknown field", "alice", http.MethodPost, "/v1/credentials", `{"profile":"dev","role_arn":"arn:aws:iam::111122223333:role/prod"}`, 400, "BadRequest"},
		{"two documents", "alice", http.MethodPost, "/v1/credentials", `{"profile":"dev"}{"profile":"prod"}`, 400, "BadRequest"},
		{"not JSON", "alice", http.MethodPost, "/v1/credentials", `profile=dev`, 400, "BadRequest"},
		{"wrong type", "alice", http.MethodPost, "/v1/credentials", `{"profile":["dev"]}`, 400, "BadRequest"},
		{"empty body", "alice", http.MethodPost, "/v1/credentials", nil, 400, "BadRequest"},
		{"no profile", "alice", http.MethodPost, "/v1/credentials", `{}`, 400, "BadRequest"},
		{"control character", "alice", http.MethodPost, "/v1/credentials", `{"profile":"dev\u001b[2J"}`, 400, "BadRequest"},
		{"duration too short", "alice", http.MethodPost, "/v1/credentials", `{"profile":"dev","duration_seconds":60}`, 400, "BadRequest"},
		{"duration too long", "alice", http.MethodPost, "/v1/credentials", `{"profile":"dev","duration_seconds":50000}`, 400, "BadRequest"},
		{"too large", "alice", http.MethodPost, "/v1/requests", big, 400, "BadRequest"},
		{"body on a read", "alice", http.MethodGet, "/v1/whoami", `{}`, 400, "BadRequest"},
		{"unknown query", "alice", http.MethodGet, "/v1/requests?owner=bob", nil, 400, "BadRequest"},
		{"repeated query", "alice", http.MethodGet, "/v1/requests?status=pending&status=approved", nil, 400, "BadRequest"},
		{"bad status", "alice", http.MethodGet, "/v1/requests?status=open", nil, 400, "BadRequest"},
		{"unknown endpoint", "alice", http.MethodGet, "/v1/roles", nil, 404, "NotFound"},
		{"unknown action", "alice", http.MethodPost, "/v1/requests/0123456789abcdef/escalate", nil, 404, "NotFound"},
		{"bad id", "alice", http.MethodGet, "/v1/breakglass/ZZZ", nil, 404, "NotFound"},
		{"wrong method", "alice", http.MethodGet, "/v1/credentials", nil, 405, ""},
		{"cancel with comment", "alice", http.MethodPost, "/v1/requests/0123456789abcdef/cancel", `{"comment":"x"}`, 400, "BadRequest"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tm.want(tm.call(c.user, c.method, c.path, c.body), c.status, c.code)
		})
	}
	// Every credentials call of a known caller was one decision entry,
	// refused ones too. The calls refused before the caller was known (the
	// two without a proof, the body over the limit, refused before its
	// proof is looked at) are auth.refused summaries, the first of each
	// reason written at once.
	n, summaries := 0, map[string]int64{}
	for _, e := range tm.entries() {
		switch e.Event {
		case logging.EventDecision:
			n++
			if e.Effect != "deny" {
				t.Errorf("entry %+v", e)
			}
		case logging.EventAuthRefused:
			summaries[e.Reason] += e.Count
			if e.Since == nil {
				t.Errorf("summary %+v", e)
			}
		}
	}
	if n != 9 || len(summaries) != 2 || summaries["invalid-proof"] != 1 || summaries["body-too-large"] != 1 {
		t.Errorf("%d decision entries for 9 refused credentials calls of known callers, summaries %v", n, summaries)
	}
}

func TestTeamWhoamiAndPrefix(t *testing.T) {
	tm := newTeam(t, teamOptions{prefix: "/prod/"})
	var who map[string]string
	tm.want(tm.call("alice", http.MethodGet, "/prod/v1/whoami", nil), http.StatusOK, "").decode(t, &who)
	if who["arn"] != arnOf("alice") || who["account"] != teamAccount || who["user"] != "alice" || len(who) != 3 {
		t.Errorf("whoami %v", who)
	}
	tm.want(tm.call("alice", http.MethodGet, "/prod/v1/requests?status=pending", nil), http.StatusOK, "")
	tm.want(tm.call("alice", http.MethodGet, "/v1/whoami", nil), http.StatusNotFound, "NotFound")
	tm.want(tm.call("alice", http.MethodGet, "/production/v1/whoami", nil), http.StatusNotFound, "NotFound")
	tm.want(tm.call("", http.MethodGet, "/prod/healthz", nil), http.StatusOK, "")
	tm.mu.Lock()
	defer tm.mu.Unlock()
	want := []string{"/v1/whoami", "/v1/requests?status=pending"}
	if len(tm.paths) != 2 || tm.paths[0] != want[0] || tm.paths[1] != want[1] {
		t.Errorf("paths authenticated %q, want %q", tm.paths, want)
	}
}

// The service's broker refuses to run without its own credentials and the
// catalogue: it must never fall back to a keyring or ~/.aws/config.
func TestServiceNeedsCatalogueAndCredentials(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	b := *tm.svc.Broker
	b.Catalogue = false
	svc := &broker.Service{Broker: &b}
	if _, err := svc.Credentials(context.Background(), mustIdentity(t, "alice"), broker.ServiceInput{Profile: "dev"}); err == nil {
		t.Fatal("service broker without Catalogue issued credentials")
	}
}

// The warm map is bounded: past MaxSessions the oldest is dropped, and its
// owner's next call still resumes the session from the store (with new
// credentials, as nothing is warm for it any more).
func TestTeamWarmSessionsAreBounded(t *testing.T) {
	tm := newTeam(t, teamOptions{})
	tm.svc.MaxSessions = 2
	var ids []string
	for _, user := range []string{"alice", "bob", "carol"} {
		c, a := tm.credentials(user, map[string]any{"profile": "dev"})
		tm.want(a, http.StatusOK, "")
		ids = append(ids, c.SessionID)
	}
	if n := tm.svc.WarmSessions(); n != 2 {
		t.Fatalf("%d sessions warm, want 2", n)
	}
	before := len(tm.sts.CallsOf("AssumeRole"))
	c, a := tm.credentials("alice", map[string]any{"profile": "dev", "session_id": ids[0]})
	tm.want(a, http.StatusOK, "")
	if c.SessionID != ids[0] || len(tm.sts.CallsOf("AssumeRole")) != before+1 {
		t.Errorf("evicted session resumed as %s with %d new AssumeRole calls", c.SessionID, len(tm.sts.CallsOf("AssumeRole"))-before)
	}
	_, a = tm.credentials("bob", map[string]any{"profile": "dev", "session_id": ids[0]})
	tm.want(a, http.StatusForbidden, "")
}
