package server_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// storeCalls counts the DynamoDB operations that reach DynamoDB Local
// through a loopback proxy, by the operation the SDK names in
// X-Amz-Target: what the service really sends, retries included.
type storeCalls struct {
	mu   sync.Mutex
	byOp map[string]int
}

// countingDynamo starts a proxy in front of the DynamoDB Local at endpoint
// and returns its URL and its counter.
func countingDynamo(t testing.TB, endpoint string) (string, *storeCalls) {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	c := &storeCalls{byOp: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("X-Amz-Target")
		if i := strings.LastIndexByte(op, '.'); i >= 0 {
			op = op[i+1:]
		}
		c.mu.Lock()
		c.byOp[op]++
		c.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, c
}

// take returns the calls counted since the last take, by operation.
func (c *storeCalls) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.byOp
	c.byOp = map[string]int{}
	return got
}

// total is the number of calls in m.
func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// A warm decision of the team service on DynamoDB makes no read: it costs
// exactly what the session's touch costs, and nothing else (issue 17's
// "one store request": the touch is one TransactWriteItems, the update
// with a ConditionCheck on the block item, when the store makes it one
// write; the store's own tests pin that). Its refusals still hold: a
// revocation and a block that land between two warm decisions refuse the
// next one.
func TestTeamWarmDecisionIsOneStoreCall(t *testing.T) {
	endpoint := dynamoEndpoint(t)
	setTestEnv(t)
	proxied, calls := countingDynamo(t, endpoint)
	st := openDynamo(t, proxied, "one-call", true)
	tm := newTeam(t, teamOptions{stores: st})

	c, a := tm.credentials("alice", map[string]any{"profile": "dev"})
	tm.want(a, http.StatusOK, "")
	calls.take()
	var warm []map[string]int
	for i := 0; i < 3; i++ {
		_, a := tm.credentials("alice", map[string]any{"profile": "dev", "session_id": c.SessionID})
		tm.want(a, http.StatusOK, "")
		warm = append(warm, calls.take())
	}
	// What the touch alone costs on this store, for a session whose
	// credentials are handed out again (the warm case).
	cur, err := st.Sessions().Get(t.Context(), c.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	calls.take()
	if err := st.Sessions().Touch(t.Context(), c.SessionID, cur.UserARN, time.Now(), cur.ExpiresAt); err != nil {
		t.Fatal(err)
	}
	touch := calls.take()
	t.Logf("one touch: %v; warm decisions: %v", touch, warm)
	for op := range touch {
		if op != "TransactWriteItems" && op != "UpdateItem" {
			t.Errorf("a touch sends %s: want only UpdateItem or TransactWriteItems", op)
		}
	}
	for i, got := range warm {
		if !maps.Equal(got, touch) {
			t.Errorf("warm decision %d: store calls %v, want only the touch's %v", i+1, got, touch)
		}
	}

	// A revocation lands between two warm decisions: the touch refuses,
	// and the refusal still names who revoked the session.
	tm.want(tm.call("alice", http.MethodPost, "/v1/sessions/"+c.SessionID+"/revoke", map[string]any{"reason": "ends it"}), http.StatusOK, "")
	_, a = tm.credentials("alice", map[string]any{"profile": "dev", "session_id": c.SessionID})
	tm.want(a, http.StatusForbidden, "SessionRevoked")
	if !strings.Contains(string(a.body), "revoked by alice") {
		t.Errorf("the refusal does not name who revoked the session: %s", a.body)
	}

	// A block lands between two warm decisions: refused.
	c, a = tm.credentials("carol", map[string]any{"profile": "dev"})
	tm.want(a, http.StatusOK, "")
	_, a = tm.credentials("carol", map[string]any{"profile": "dev", "session_id": c.SessionID})
	tm.want(a, http.StatusOK, "")
	tm.want(tm.call("bob", http.MethodPost, "/v1/users/block", map[string]any{"user_arn": arnOf("carol"), "reason": "left the company"}), http.StatusOK, "")
	_, a = tm.credentials("carol", map[string]any{"profile": "dev", "session_id": c.SessionID})
	if a.status == http.StatusOK {
		t.Fatalf("a blocked person's warm session got credentials: %s", a.body)
	}
}
