package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Decisions and lifecycle entries made against an STS endpoint that is not
// AWS's own (here the stand-in, through AWS_ENDPOINT_URL_STS) say so.
func TestLogRecordsANonAWSSTSEndpoint(t *testing.T) {
	w, alice := newWorldWithAlice(t, approvalsPolicy)
	alice.mustRun("credentials", "dev")
	alice.mustRun("request", "prod", "--justification", "rotate the TLS certificate on the load balancer")
	wantSTSEndpointLogged(t, alice.logEntries(), w.sts.URL())
}

// The team service records the STS endpoint it uses when the config's
// sts_endpoint: names it, not only when AWS_ENDPOINT_URL_STS does: its
// decisions and lifecycle entries then say which STS vouched for callers
// and issued the credentials.
func TestServeLogRecordsTheConfiguredSTSEndpoint(t *testing.T) {
	w := newServeWorld(t)
	cfg, err := os.ReadFile(w.config)
	if err != nil {
		t.Fatal(err)
	}
	w.writeConfig(string(cfg) + "sts_endpoint: " + w.sts.URL() + "\n")
	w.extraEnv = []string{"AWS_ENDPOINT_URL_STS="}
	w.start()
	if code, doc := w.call("alice", http.MethodPost, "/v1/credentials", `{"profile":"dev"}`); code != 200 {
		t.Fatalf("credentials: %d %v", code, doc)
	}
	if code, doc := w.call("alice", http.MethodPost, "/v1/requests", `{"profile":"prod","justification":"deploy the fix now"}`); code != 200 {
		t.Fatalf("request: %d %v", code, doc)
	}
	if n := len(w.sts.CallsOf("AssumeRole")); n != 1 {
		t.Fatalf("%d AssumeRole calls at the configured endpoint, want 1", n)
	}
	logged, err := os.ReadFile(filepath.Join(w.dir, "decisions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(logged)), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		entries = append(entries, e)
	}
	wantSTSEndpointLogged(t, entries, w.sts.URL())
}

// wantSTSEndpointLogged fails t for each entry whose sts_endpoint is not
// endpoint, and unless a decision and a request.created are among them.
func wantSTSEndpointLogged(t *testing.T, entries []map[string]any, endpoint string) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range entries {
		ev, _ := e["event"].(string)
		seen[ev] = true
		if e["sts_endpoint"] != endpoint {
			t.Errorf("%s entry: sts_endpoint %v, want %s", ev, e["sts_endpoint"], endpoint)
		}
	}
	if !seen["decision"] || !seen["request.created"] {
		t.Errorf("events %v, want a decision and request.created", seen)
	}
}
