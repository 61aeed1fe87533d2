package teamclient

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/teamapi"
	"github.com/sentinel-cli/sentinel/vault"
)

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{
		{URL: "http://sentinel.example.com", ServerID: "t", Credentials: testCreds},
		{URL: "https://x", ServerID: "", Credentials: testCreds},
		{URL: "https://x", ServerID: "t"},
		{URL: "ftp://x", ServerID: "t", Credentials: testCreds},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestCredentialsProofAndAnswer(t *testing.T) {
	for _, prefix := range []string{"", "/stage"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			f := newFakeService(t, prefix)
			f.answer("POST /v1/credentials", http.StatusOK, credsAnswer(""))
			c := f.client(t, nil)
			g, err := c.Issue(ctxT(t), broker.Input{Profile: "prod", Mode: policy.ModeCLI, Duration: 30 * time.Minute, Region: "eu-west-1"})
			if err != nil {
				t.Fatal(err)
			}
			if g.Credentials.AccessKeyID != "ASIAFAKE" || g.Credentials.SessionToken != "fake-token" || g.Profile != "prod" ||
				g.Region != "eu-west-1" || g.SourceIdentity == "" || g.RequestID != "0123456789abcdef" || time.Until(g.Credentials.Expires) < 50*time.Minute {
				t.Fatalf("grant %+v", g)
			}
			calls := f.seen()
			if len(calls) != 2 || calls[0].Path != "/v1/info" || calls[0].Proof || calls[1].Path != "/v1/credentials" || !calls[1].Proof {
				t.Fatalf("calls %+v", calls)
			}
			body := jsonOf(t, calls[1].Body)
			if body["profile"] != "prod" || sprint(body["duration_seconds"]) != "1800" || body["session_id"] != nil {
				t.Fatalf("body %s", calls[1].Body)
			}
			// The info is fetched once per client.
			if _, err := c.Issue(ctxT(t), broker.Input{Profile: "prod"}); err != nil {
				t.Fatal(err)
			}
			if n := len(f.seen()); n != 3 {
				t.Fatalf("%d calls, want 3 (info once)", n)
			}
		})
	}
}

func TestServerModePassesTheSessionOfTheFirstAnswer(t *testing.T) {
	f := newFakeService(t, "")
	f.answer("POST /v1/credentials", http.StatusOK, credsAnswer("fedcba9876543210"))
	c := f.client(t, nil)
	for i := 0; i < 3; i++ {
		g, err := c.Issue(ctxT(t), broker.Input{Profile: "prod", Mode: policy.ModeServer, Server: &broker.ServerSession{Duration: time.Hour}})
		if err != nil {
			t.Fatal(err)
		}
		if g.SessionID != "fedcba9876543210" {
			t.Fatalf("session %q", g.SessionID)
		}
	}
	var sessions []any
	for _, cl := range f.seen() {
		if cl.Path == "/v1/credentials" {
			b := jsonOf(t, cl.Body)
			sessions = append(sessions, b["session_id"])
			if sprint(b["duration_seconds"]) != "3600" {
				t.Fatalf("duration %v", b["duration_seconds"])
			}
		}
	}
	if len(sessions) != 3 || sessions[0] != nil || sessions[1] != "fedcba9876543210" || sessions[2] != "fedcba9876543210" {
		t.Fatalf("session_id sent: %v", sessions)
	}
	if c.SessionID() != "fedcba9876543210" {
		t.Fatal("SessionID")
	}
}

func TestServerModeWithoutSessionIsMalformed(t *testing.T) {
	f := newFakeService(t, "")
	f.answer("POST /v1/credentials", http.StatusOK, credsAnswer(""))
	_, err := f.client(t, nil).Issue(ctxT(t), broker.Input{Profile: "prod", Mode: policy.ModeServer})
	if !errors.Is(err, ErrBadAnswer) {
		t.Fatalf("err %v", err)
	}
}

func TestCredentialsAnswerChecked(t *testing.T) {
	expired := credsAnswer("")
	expired.Expiration = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	noToken := credsAnswer("")
	noToken.SessionToken = ""
	badTime := credsAnswer("")
	badTime.Expiration = "tomorrow"
	for name, a := range map[string]any{"expired": expired, "no token": noToken, "bad time": badTime,
		"unknown field": map[string]any{"AccessKeyId": "A", "Extra": 1}} {
		t.Run(name, func(t *testing.T) {
			f := newFakeService(t, "")
			f.answer("POST /v1/credentials", http.StatusOK, a)
			_, err := f.client(t, nil).Issue(ctxT(t), broker.Input{Profile: "prod"})
			if !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("err %v", err)
			}
			if strings.Contains(err.Error(), "fake-secret") {
				t.Fatal("secret in the error")
			}
		})
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		code   string
		status int
		route  string
		call   func(c *Client) error
		is     []error
		isNot  []error
	}{
		{teamapi.CodeAccessDenied, 403, "POST /v1/credentials", issueProd, []error{broker.ErrDenied}, []error{broker.ErrRevoked}},
		{teamapi.CodeSessionRevoked, 403, "POST /v1/credentials", issueProd, []error{broker.ErrRevoked, broker.ErrDenied}, nil},
		{teamapi.CodeUnavailable, 503, "POST /v1/credentials", issueProd, []error{broker.ErrUnavailable}, []error{broker.ErrDenied}},
		{teamapi.CodeNotFound, 404, "POST /v1/credentials", issueProd, []error{vault.ErrUnknownProfile}, nil},
		{teamapi.CodeBadRequest, 400, "POST /v1/credentials", issueProd, nil, []error{broker.ErrDenied, broker.ErrUnavailable}},
		{teamapi.CodeInternal, 500, "POST /v1/credentials", issueProd, nil, []error{broker.ErrDenied, broker.ErrUnavailable}},
		{teamapi.CodeInvalidProof, 401, "GET /v1/whoami", whoami, []error{ErrInvalidProof}, []error{broker.ErrDenied}},
		{teamapi.CodeForbidden, 403, "POST /v1/requests/0123456789abcdef/approve", approve, []error{broker.ErrForbidden}, []error{broker.ErrDenied}},
		{teamapi.CodeConflict, 409, "POST /v1/requests/0123456789abcdef/approve", approve, []error{request.ErrTransition}, nil},
		{teamapi.CodeNotFound, 404, "GET /v1/requests/0123456789abcdef", getRequest, []error{request.ErrNotFound}, []error{session.ErrNotFound}},
		{teamapi.CodeBadRequest, 400, "POST /v1/requests", createRequest, []error{request.ErrInvalid}, nil},
		{teamapi.CodeNotFound, 404, "GET /v1/breakglass/0123456789abcdef", getEvent, []error{breakglass.ErrNotFound}, []error{request.ErrNotFound}},
		{teamapi.CodeConflict, 409, "POST /v1/breakglass/0123456789abcdef/close", closeEvent, []error{breakglass.ErrTransition}, nil},
		{teamapi.CodeNotFound, 404, "GET /v1/sessions/0123456789abcdef", getSession, []error{session.ErrNotFound}, nil},
		{teamapi.CodeConflict, 409, "POST /v1/sessions/0123456789abcdef/revoke", revokeSession, []error{session.ErrTransition}, nil},
		{teamapi.CodeForbidden, 403, "POST /v1/sessions/0123456789abcdef/revoke", revokeSession, []error{broker.ErrForbidden}, nil},
		{teamapi.CodeBadRequest, 400, "GET /v1/sessions", listSessions, []error{session.ErrInvalid}, nil},
		// A code that does not go with its status is not trusted.
		{teamapi.CodeAccessDenied, 500, "POST /v1/credentials", issueProd, nil, []error{broker.ErrDenied}},
		// A gateway failing without a code is the service being unavailable.
		{"", 502, "POST /v1/credentials", issueProd, []error{broker.ErrUnavailable}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.route, func(t *testing.T) {
			f := newFakeService(t, "")
			msg := "refused \x1b[31mbecause\x1b[0m"
			f.route(tt.route, func(w http.ResponseWriter, r *http.Request) {
				if tt.code == "" {
					w.WriteHeader(tt.status)
					_, _ = w.Write([]byte("<html>bad gateway</html>"))
					return
				}
				writeJSONAnswer(w, tt.status, errorBody{Code: tt.code, Message: msg})
			})
			err := tt.call(f.client(t, nil))
			var api *APIError
			if !errors.As(err, &api) || api.Status != tt.status {
				t.Fatalf("err %v, want an APIError with status %d", err, tt.status)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("%v does not match %v", err, target)
				}
			}
			for _, target := range tt.isNot {
				if errors.Is(err, target) {
					t.Errorf("%v matches %v", err, target)
				}
			}
			if strings.ContainsRune(err.Error(), '\x1b') {
				t.Errorf("control character in %q", err)
			}
		})
	}
}

func issueProd(c *Client) error {
	_, err := c.Issue(bg(), broker.Input{Profile: "prod"})
	return err
}
func whoami(c *Client) error { _, err := c.Whoami(bg()); return err }
func approve(c *Client) error {
	_, err := c.Review(bg(), "0123456789abcdef", request.ActionApprove, "")
	return err
}
func getRequest(c *Client) error { _, err := c.GetRequest(bg(), "0123456789abcdef"); return err }
func createRequest(c *Client) error {
	_, err := c.CreateRequest(bg(), broker.RequestInput{Profile: "prod", Justification: "x"})
	return err
}
func getEvent(c *Client) error { _, err := c.GetBreakglass(bg(), "0123456789abcdef"); return err }
func closeEvent(c *Client) error {
	_, err := c.CloseBreakglass(bg(), "0123456789abcdef", "done")
	return err
}
func getSession(c *Client) error { _, err := c.GetSession(bg(), "0123456789abcdef"); return err }
func revokeSession(c *Client) error {
	_, err := c.RevokeSession(bg(), "0123456789abcdef", "gone")
	return err
}
func listSessions(c *Client) error { _, err := c.ListSessions(bg(), session.Query{}); return err }

func TestLookAlikeServiceIsRefusedBeforeAnyProof(t *testing.T) {
	tests := []struct {
		name     string
		info     Info
		override string
		ok       bool
	}{
		{name: "other server_id", info: Info{ServerID: "team-prod", STSEndpoint: testSTS, STSRegion: "eu-west-1"}},
		{name: "foreign sts endpoint", info: Info{ServerID: testServerID, STSEndpoint: "https://sts.evil.example.com", STSRegion: "eu-west-1"}},
		{name: "look-alike amazonaws host", info: Info{ServerID: testServerID, STSEndpoint: "https://sts.amazonaws.com.evil.example", STSRegion: "us-east-1"}},
		{name: "plain http sts", info: Info{ServerID: testServerID, STSEndpoint: "http://sts.amazonaws.com", STSRegion: "us-east-1"}},
		{name: "loopback sts without override", info: Info{ServerID: testServerID, STSEndpoint: "http://127.0.0.1:9", STSRegion: "us-east-1"}},
		{name: "loopback sts other than the override", info: Info{ServerID: testServerID, STSEndpoint: "http://127.0.0.1:9", STSRegion: "us-east-1"}, override: "http://127.0.0.1:10"},
		{name: "bad region", info: Info{ServerID: testServerID, STSEndpoint: testSTS, STSRegion: "eu-west-1\nx"}},
		{name: "the override", info: Info{ServerID: testServerID, STSEndpoint: "http://127.0.0.1:9/", STSRegion: "us-east-1"}, override: "http://127.0.0.1:9", ok: true},
		{name: "global AWS", info: Info{ServerID: testServerID, STSEndpoint: "https://sts.amazonaws.com", STSRegion: "us-east-1"}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeService(t, "")
			f.info = tt.info
			f.answer("GET /v1/whoami", http.StatusOK, whoamiAnswer{ARN: "arn:aws:iam::111111111111:user/alice", Account: "111111111111", User: "alice"})
			c := f.client(t, func(o *Options) { o.STSEndpointOverride = tt.override })
			id, err := c.Whoami(ctxT(t))
			if tt.ok {
				if err != nil || id.Name != "alice" || id.Account != "111111111111" {
					t.Fatalf("Whoami = %+v, %v", id, err)
				}
				return
			}
			if err == nil || !(errors.Is(err, ErrWrongServer) || errors.Is(err, ErrBadAnswer)) {
				t.Fatalf("err %v, want a refusal", err)
			}
			if n := f.proofsSent(); n != 0 {
				t.Fatalf("%d proofs sent to a service that is not the configured one", n)
			}
		})
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var hits int
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer other.Close()
	for _, path := range []string{"/v1/info", "/v1/whoami"} {
		t.Run(path, func(t *testing.T) {
			f := newFakeService(t, "")
			redirect := func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			}
			if path == "/v1/info" {
				f.srv.Config.Handler = http.HandlerFunc(redirect)
			} else {
				f.route("GET "+path, redirect)
			}
			_, err := f.client(t, nil).Whoami(ctxT(t))
			if !errors.Is(err, ErrRedirect) {
				t.Fatalf("err %v", err)
			}
			if hits != 0 {
				t.Fatal("the redirect was followed")
			}
		})
	}
}

func TestOversizedAnswerRefused(t *testing.T) {
	f := newFakeService(t, "")
	f.route("GET /v1/requests", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"requests":[],"pad":"`))
		_, _ = w.Write([]byte(strings.Repeat("a", MaxResponseSize)))
		_, _ = w.Write([]byte(`"}`))
	})
	_, err := f.client(t, nil).ListRequests(ctxT(t), request.Query{})
	if !errors.Is(err, ErrBadAnswer) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err %v", err)
	}
}

func TestStrictDecode(t *testing.T) {
	for name, body := range map[string]string{
		"unknown field": `{"requests":[],"next":"x"}`,
		"trailing data": `{"requests":[]} {}`,
		"not json":      `<html>`,
		"wrong type":    `{"requests":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeService(t, "")
			f.route("GET /v1/requests", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) })
			if _, err := f.client(t, nil).ListRequests(ctxT(t), request.Query{}); !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("err %v", err)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	f := newFakeService(t, "")
	c := f.client(t, nil)
	f.srv.Close()
	_, err := c.Issue(ctxT(t), broker.Input{Profile: "prod"})
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, broker.ErrUnavailable) {
		t.Fatalf("err %v", err)
	}
}

func TestInvalidProofFromRealCheck(t *testing.T) {
	// The fake service refuses a proof bound to another body: a client
	// that hashed the wrong path (with the gateway prefix) would be caught
	// here, as would a proof for another server.
	f := newFakeService(t, "/stage")
	f.answer("GET /v1/whoami", http.StatusOK, whoamiAnswer{ARN: "arn:aws:iam::111111111111:user/alice", Account: "111111111111"})
	if _, err := f.client(t, nil).Whoami(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	bad := f.badProof
	f.mu.Unlock()
	if len(bad) != 0 {
		t.Fatalf("proofs refused: %v", bad)
	}
}

func TestWhoamiChecksTheAnswer(t *testing.T) {
	for name, a := range map[string]whoamiAnswer{
		"not an ARN":       {ARN: "alice", Account: "111111111111"},
		"account mismatch": {ARN: "arn:aws:iam::111111111111:user/alice", Account: "222222222222"},
		"user mismatch":    {ARN: "arn:aws:iam::111111111111:user/alice", Account: "111111111111", User: "bob"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeService(t, "")
			f.answer("GET /v1/whoami", http.StatusOK, a)
			if _, err := f.client(t, nil).Whoami(ctxT(t)); !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("err %v", err)
			}
		})
	}
}
