package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sentinel-cli/sentinel/internal/dynamolocal"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/store/dynamodb"
)

// dynamo is the one DynamoDB Local of this test binary, started by the
// first test that needs it.
var dynamo struct {
	once sync.Once
	inst *dynamolocal.Instance
	err  error
}

func dynamoEndpoint(t testing.TB) string {
	t.Helper()
	dynamo.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		dynamo.inst, dynamo.err = dynamolocal.Start(ctx)
	})
	switch {
	case errors.Is(dynamo.err, dynamolocal.ErrUnavailable) && !dynamolocal.Required():
		t.Skipf("skipping the DynamoDB tests: %v", dynamo.err)
	case dynamo.err != nil:
		t.Fatalf("start DynamoDB Local: %v", dynamo.err)
	}
	return dynamo.inst.Endpoint()
}

// dynamoStores is the DynamoDB store at endpoint with tables named after
// prefix, signed with the service's (fake) keys.
type dynamoStores struct{ *dynamodb.Store }

func (dynamoStores) Close() error { return nil }

func openDynamo(t testing.TB, endpoint, prefix string, create bool) dynamoStores {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	st, err := dynamodb.New(context.Background(), dynamodb.Options{
		Region:          "us-east-1",
		RequestsTable:   prefix + "-requests",
		BreakglassTable: prefix + "-breakglass",
		SessionsTable:   prefix + "-sessions",
		Credentials:     aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(serviceKey, "service-test-secret-not-real", "")),
		Timeout:         3 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if create {
		if err := st.InitTables(context.Background(), false, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	return dynamoStores{st}
}

// With the store down, nothing that needs it is decided: 503, never an
// allow and never a 500.
func TestTeamStoreDown(t *testing.T) {
	setTestEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	tm := newTeam(t, teamOptions{stores: openDynamo(t, dead, "down", false)})
	_, a := tm.credentials("alice", map[string]any{"profile": "dev"})
	tm.want(a, http.StatusServiceUnavailable, "Unavailable")
	_, a = tm.credentials("alice", map[string]any{"profile": "prod"})
	tm.want(a, http.StatusServiceUnavailable, "Unavailable")
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy the fix now"}), http.StatusServiceUnavailable, "Unavailable")
	tm.want(tm.call("alice", http.MethodGet, "/v1/sessions", nil), http.StatusServiceUnavailable, "Unavailable")
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/0123456789abcdef/approve", nil), http.StatusServiceUnavailable, "Unavailable")
}

// The same stories against DynamoDB Local: two people, an approval,
// sessions and a revocation, break-glass, then 32 concurrent clients.
func TestTeamDynamoDB(t *testing.T) {
	endpoint := dynamoEndpoint(t)
	setTestEnv(t)
	tm := newTeam(t, teamOptions{stores: openDynamo(t, endpoint, "team-story", true)})

	var r request.Request
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests", map[string]any{"profile": "prod", "justification": "deploy the fix now"}), http.StatusOK, "").decode(t, &r)
	tm.want(tm.call("alice", http.MethodPost, "/v1/requests/"+r.ID+"/approve", nil), http.StatusForbidden, "Forbidden")
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/approve", nil), http.StatusOK, "")
	tm.want(tm.call("bob", http.MethodPost, "/v1/requests/"+r.ID+"/deny", nil), http.StatusConflict, "Conflict")
	c, a := tm.credentials("alice", map[string]any{"profile": "prod"})
	tm.want(a, http.StatusOK, "")
	_, a = tm.credentials("bob", map[string]any{"profile": "prod", "session_id": c.SessionID})
	tm.want(a, http.StatusForbidden, "")
	tm.want(tm.call("bob", http.MethodPost, "/v1/sessions/"+c.SessionID+"/revoke", map[string]any{"reason": "approver ends it"}), http.StatusOK, "")
	_, a = tm.credentials("alice", map[string]any{"profile": "prod", "session_id": c.SessionID})
	tm.want(a, http.StatusForbidden, "SessionRevoked")

	var e struct {
		ID string `json:"id"`
	}
	tm.want(tm.call("alice", http.MethodPost, "/v1/breakglass", map[string]any{"profile": "prod", "reason_code": "incident", "justification": "the site is down for everyone"}), http.StatusOK, "").decode(t, &e)
	tm.want(tm.call("alice", http.MethodPost, "/v1/breakglass/"+e.ID+"/close", map[string]any{"reason": "fixed"}), http.StatusOK, "")
	_, a = tm.credentials("carol", map[string]any{"profile": "data"})
	tm.want(a, http.StatusOK, "")

	load := newTeam(t, teamOptions{quiet: true, stores: openDynamo(t, endpoint, "team-load", true)})
	loadAgainst(t, load, 32, 2*time.Second)
}
