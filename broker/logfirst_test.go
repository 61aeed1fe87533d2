package broker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// These tests pin the order of the credentials step: the decision line
// first, then any call to STS, then the cache and the hand-out.

// logCheckingSTS fronts the fixture's STS stand-in with a proxy that, on
// every AssumeRole, reads the decision log and records whether a decision
// line with the call's request ID (its sentinel-request-id tag) was already
// there.
type logCheckingSTS struct {
	mu      sync.Mutex
	missing []string // request IDs of AssumeRole calls made before their line
	seen    int
}

func (f *fixture) frontSTS(t *testing.T) (*logCheckingSTS, vault.STSFactory) {
	t.Helper()
	c := &logCheckingSTS{}
	inner := f.sts.Handler()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") == "AssumeRole" {
			id := tagValue(form, "sentinel-request-id")
			c.mu.Lock()
			c.seen++
			if !f.hasDecisionLine(id) {
				c.missing = append(c.missing, id)
			}
			c.mu.Unlock()
		}
		inner.ServeHTTP(w, r)
	}))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return c, vault.NewSTSFactory(vault.STSOptions{Endpoint: srv.URL, MaxAttempts: 1, Timeout: 5 * time.Second})
}

// tagValue returns the value of the session tag key in an AssumeRole form.
func tagValue(form url.Values, key string) string {
	for i := 1; i <= 50; i++ {
		k := form.Get("Tags.member." + strconv.Itoa(i) + ".Key")
		if k == "" {
			return ""
		}
		if k == key {
			return form.Get("Tags.member." + strconv.Itoa(i) + ".Value")
		}
	}
	return ""
}

// hasDecisionLine reports whether the log holds a decision line for id.
func (f *fixture) hasDecisionLine(id string) bool {
	data, err := os.ReadFile(f.logPath)
	if err != nil || id == "" {
		return false
	}
	for _, e := range parseLines(data) {
		if e.Event == logging.EventDecision && e.RequestID == id && e.Effect == "allow" {
			return true
		}
	}
	return false
}

func parseLines(data []byte) []logging.Entry {
	var out []logging.Entry
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e logging.Entry
		if err := json.Unmarshal([]byte(line), &e); err == nil {
			out = append(out, e)
		}
	}
	return out
}

func TestDecisionLineBeforeEveryAssumeRole(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   broker.Input
	}{
		{"cli", broker.Input{Profile: "dev", Mode: policy.ModeCLI}},
		{"console", broker.Input{Profile: "dev", Mode: policy.ModeCLI, Use: broker.UseConsole}},
		{"server", broker.Input{Profile: "dev", Mode: policy.ModeServer, Server: &broker.ServerSession{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, basePolicy)
			front, factory := f.frontSTS(t)
			b := f.broker()
			b.STS = factory
			g, err := b.Issue(context.Background(), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			front.mu.Lock()
			defer front.mu.Unlock()
			if front.seen != 1 || len(front.missing) != 0 {
				t.Fatalf("%d AssumeRole calls, %d of them before their decision line (%v)", front.seen, len(front.missing), front.missing)
			}
			// One decision line for the request, and it says what was handed out.
			var lines []logging.Entry
			for _, e := range readLog(t, f.logPath) {
				if e.Event == logging.EventDecision && e.RequestID == g.RequestID {
					lines = append(lines, e)
				}
			}
			if len(lines) != 1 || lines[0].SourceIdentity != g.SourceIdentity || lines[0].RoleARN != g.RoleARN || lines[0].Cached {
				t.Errorf("decision lines %+v for grant %+v", lines, g)
			}
		})
	}
}

func TestFailedAssumeRoleGetsASecondEntry(t *testing.T) {
	f := newFixture(t, basePolicy)
	front, factory := f.frontSTS(t)
	b := f.broker()
	b.STS = factory
	f.sts.DenyRole("arn:aws:iam::111122223333:role/dev")
	g, err := b.Issue(context.Background(), broker.Input{Profile: "dev", Mode: policy.ModeCLI})
	if err == nil || g != nil {
		t.Fatalf("got grant %v, error %v; want the STS refusal", g != nil, err)
	}
	front.mu.Lock()
	if front.seen != 1 || len(front.missing) != 0 {
		t.Errorf("%d AssumeRole calls, %d before their decision line", front.seen, len(front.missing))
	}
	front.mu.Unlock()
	entries := readLog(t, f.logPath)
	if len(entries) != 2 {
		t.Fatalf("log %+v, want the decision line and the failure", entries)
	}
	first, second := entries[0], entries[1]
	if first.Effect != "allow" || first.RequestID == "" || first.SourceIdentity == "" {
		t.Errorf("first entry %+v, want the allow written before the call", first)
	}
	if second.RequestID != first.RequestID || second.Effect != "deny" || !strings.Contains(second.Reason, "credentials not issued") || !strings.Contains(second.Reason, "access denied") {
		t.Errorf("second entry %+v, want the failure of request %s", second, first.RequestID)
	}
	if _, ok, _ := vault.NewCache(f.keyring(), nil).Role(vault.RoleKeyFor(mustChain(t, "dev"), "eu-west-1", broker.BasisDirect)); ok {
		t.Error("credentials cached after a failure")
	}
}

func TestLogWriteFailureCallsNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   broker.Input
	}{
		{"cli", broker.Input{Profile: "dev", Mode: policy.ModeCLI}},
		{"console", broker.Input{Profile: "dev", Mode: policy.ModeCLI, Use: broker.UseConsole}},
		{"server", broker.Input{Profile: "dev", Mode: policy.ModeServer, Server: &broker.ServerSession{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, basePolicy)
			b := f.broker()
			// The identity is known already (it is not a credential):
			// only the issuing calls are counted.
			if _, err := f.broker().Issue(context.Background(), broker.Input{Profile: "dev2", Mode: policy.ModeCLI}); err != nil {
				t.Fatal(err)
			}
			f.sts.Reset()
			b.Log.Close()
			g, err := b.Issue(context.Background(), tc.in)
			if err == nil || g != nil || !strings.Contains(err.Error(), "decision log") {
				t.Fatalf("got grant %v, error %v; want nothing without a log line", g != nil, err)
			}
			for _, c := range f.sts.Calls() {
				if c.Action != "GetCallerIdentity" {
					t.Errorf("STS %s called although the decision could not be logged", c.Action)
				}
			}
			if _, ok, _ := vault.NewCache(f.keyring(), nil).Role(vault.RoleKeyFor(mustChain(t, "dev"), "eu-west-1", broker.BasisDirect)); ok {
				t.Error("credentials cached although the decision could not be logged")
			}
			if tc.in.Server != nil && tc.in.Server.ID() != "" {
				st := f.openStore()
				defer st.Close()
				if s, err := st.Sessions().Get(context.Background(), tc.in.Server.ID()); err == nil && s.RequestCount > 0 {
					t.Errorf("session touched: %+v", s)
				}
			}
		})
	}
}

func mustChain(t *testing.T, profile string) *vault.Chain {
	t.Helper()
	profiles, err := vault.ParseConfig([]byte(awsConfig), "config")
	if err != nil {
		t.Fatal(err)
	}
	chain, err := vault.ResolveChain(profiles, profile, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	return chain
}
