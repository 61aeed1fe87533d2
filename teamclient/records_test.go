package teamclient

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

func bg() context.Context { return context.Background() }

const testID = "0123456789abcdef"

func testRequest(id string) *request.Request {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &request.Request{ID: id, Requester: "alice", RequesterARN: "arn:aws:iam::111111111111:user/alice", Profile: "prod",
		Justification: "deploy the fix", Duration: time.Hour, Status: request.StatusPending, Required: 1,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour), Version: 1}
}

func TestRequestOperations(t *testing.T) {
	f := newFakeService(t, "")
	f.answer("POST /v1/requests", http.StatusOK, testRequest(testID))
	f.answer("GET /v1/requests", http.StatusOK, map[string]any{"requests": []*request.Request{testRequest(testID), testRequest("1123456789abcdef")}})
	f.answer("GET /v1/requests/"+testID, http.StatusOK, testRequest(testID))
	f.answer("POST /v1/requests/"+testID+"/approve", http.StatusOK, testRequest(testID))
	f.answer("POST /v1/requests/"+testID+"/deny", http.StatusOK, testRequest(testID))
	f.answer("POST /v1/requests/"+testID+"/cancel", http.StatusOK, testRequest(testID))
	c := f.client(t, nil)
	ctx := ctxT(t)

	r, err := c.CreateRequest(ctx, broker.RequestInput{Profile: "prod", Justification: "deploy the fix", Duration: 2 * time.Hour})
	must(t, err)
	if r.ID != testID || r.Duration != time.Hour {
		t.Fatalf("request %+v", r)
	}
	list, err := c.ListRequests(ctx, request.Query{Status: request.StatusPending, Profile: "prod", Requester: "alice", Limit: 1})
	must(t, err)
	if len(list) != 1 {
		t.Fatalf("%d requests, want 1 (limit)", len(list))
	}
	_, err = c.GetRequest(ctx, testID)
	must(t, err)
	_, err = c.Review(ctx, testID, request.ActionApprove, "ok")
	must(t, err)
	_, err = c.Review(ctx, testID, request.ActionDeny, "")
	must(t, err)
	_, err = c.CancelRequest(ctx, testID)
	must(t, err)
	if _, err := c.Review(ctx, testID, request.Action("delete"), ""); err == nil {
		t.Fatal("unknown review action accepted")
	}

	want := []struct{ method, path, query, body string }{
		{"GET", "/v1/info", "", ""},
		{"POST", "/v1/requests", "", `{"profile":"prod","justification":"deploy the fix","duration_seconds":7200}`},
		{"GET", "/v1/requests", "profile=prod&requester=alice&status=pending", ""},
		{"GET", "/v1/requests/" + testID, "", ""},
		{"POST", "/v1/requests/" + testID + "/approve", "", `{"comment":"ok"}`},
		{"POST", "/v1/requests/" + testID + "/deny", "", `{}`},
		{"POST", "/v1/requests/" + testID + "/cancel", "", `{}`},
	}
	checkCalls(t, f, want)
}

func TestAnswerForAnotherRecordRefused(t *testing.T) {
	f := newFakeService(t, "")
	f.answer("GET /v1/requests/"+testID, http.StatusOK, testRequest("ffffffffffffffff"))
	if _, err := f.client(t, nil).GetRequest(ctxT(t), testID); !errors.Is(err, ErrBadAnswer) {
		t.Fatalf("err %v", err)
	}
}

func TestIDCannotChangeThePath(t *testing.T) {
	f := newFakeService(t, "")
	c := f.client(t, nil)
	for _, id := range []string{"", ".", ".."} {
		if _, err := c.GetRequest(ctxT(t), id); err == nil {
			t.Errorf("ID %q accepted", id)
		}
	}
	// A slash is escaped: it stays inside one path segment.
	_, _ = c.GetSession(ctxT(t), "../requests")
	for _, cl := range f.seen() {
		if cl.Path == "/v1/requests" {
			t.Fatalf("ID escaped its segment: %+v", cl)
		}
	}
}

func TestBreakglassOperations(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ev := &breakglass.Event{ID: testID, Invoker: "alice", InvokerARN: "arn:aws:iam::111111111111:user/alice", Profile: "prod",
		ReasonCode: "incident", Justification: "the database is down and customers see errors", Duration: time.Hour,
		Status: breakglass.StatusActive, OpenedAt: now, ExpiresAt: now.Add(time.Hour), Version: 1}
	f := newFakeService(t, "")
	f.answer("POST /v1/breakglass", http.StatusOK, ev)
	f.answer("GET /v1/breakglass", http.StatusOK, map[string]any{"events": []*breakglass.Event{ev}})
	f.answer("GET /v1/breakglass/"+testID, http.StatusOK, ev)
	f.answer("POST /v1/breakglass/"+testID+"/close", http.StatusOK, ev)
	c := f.client(t, nil)
	ctx := ctxT(t)
	e, err := c.OpenBreakglass(ctx, broker.BreakglassInput{Profile: "prod", ReasonCode: "incident", Justification: ev.Justification, Duration: 30 * time.Minute})
	must(t, err)
	if e.ID != testID || e.ReasonCode != "incident" {
		t.Fatalf("event %+v", e)
	}
	list, err := c.ListBreakglass(ctx, breakglass.Query{Invoker: "alice", Status: breakglass.StatusActive})
	must(t, err)
	if len(list) != 1 {
		t.Fatal(len(list))
	}
	_, err = c.GetBreakglass(ctx, testID)
	must(t, err)
	_, err = c.CloseBreakglass(ctx, testID, "fixed")
	must(t, err)
	checkCalls(t, f, []struct{ method, path, query, body string }{
		{"GET", "/v1/info", "", ""},
		{"POST", "/v1/breakglass", "", `{"profile":"prod","reason_code":"incident","justification":"the database is down and customers see errors","duration_seconds":1800}`},
		{"GET", "/v1/breakglass", "invoker=alice&status=active", ""},
		{"GET", "/v1/breakglass/" + testID, "", ""},
		{"POST", "/v1/breakglass/" + testID + "/close", "", `{"reason":"fixed"}`},
	})
}

func TestSessionOperations(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &session.Session{ID: testID, User: "alice", UserARN: "arn:aws:iam::111111111111:user/alice", Account: "111111111111",
		Profile: "prod", Status: session.StatusActive, StartedAt: now, LastAccessAt: now, RequestCount: 1, ExpiresAt: now.Add(time.Hour), Version: 1}
	f := newFakeService(t, "")
	f.answer("GET /v1/sessions", http.StatusOK, map[string]any{"sessions": []*session.Session{s}})
	f.answer("GET /v1/sessions/"+testID, http.StatusOK, s)
	f.answer("POST /v1/sessions/"+testID+"/revoke", http.StatusOK, s)
	c := f.client(t, nil)
	ctx := ctxT(t)
	list, err := c.ListSessions(ctx, session.Query{UserARN: "arn:aws:iam::111111111111:user/alice", Profile: "prod"})
	must(t, err)
	if len(list) != 1 || list[0].ID != testID {
		t.Fatalf("%+v", list)
	}
	_, err = c.GetSession(ctx, testID)
	must(t, err)
	_, err = c.RevokeSession(ctx, testID, "laptop lost")
	must(t, err)
	checkCalls(t, f, []struct{ method, path, query, body string }{
		{"GET", "/v1/info", "", ""},
		{"GET", "/v1/sessions", "profile=prod&user=arn%3Aaws%3Aiam%3A%3A111111111111%3Auser%2Falice", ""},
		{"GET", "/v1/sessions/" + testID, "", ""},
		{"POST", "/v1/sessions/" + testID + "/revoke", "", `{"reason":"laptop lost"}`},
	})
}

func checkCalls(t *testing.T, f *fakeService, want []struct{ method, path, query, body string }) {
	t.Helper()
	got := f.seen()
	if len(got) != len(want) {
		t.Fatalf("%d calls, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.method || g.Path != w.path || g.Query != w.query || string(g.Body) != w.body {
			t.Errorf("call %d: %s %s ?%s %s, want %s %s ?%s %s", i, g.Method, g.Path, g.Query, g.Body, w.method, w.path, w.query, w.body)
		}
		if (g.Path != "/v1/info") != g.Proof {
			t.Errorf("call %d %s: proof %v", i, g.Path, g.Proof)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.badProof) != 0 {
		t.Errorf("proofs refused: %v", f.badProof)
	}
}
