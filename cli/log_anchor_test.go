package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sentinel-cli/sentinel/logging"
)

// anchorReceiver is a loopback webhook that keeps the heads it receives.
type anchorReceiver struct {
	mu    sync.Mutex
	heads []logging.Head
	*httptest.Server
}

func newAnchorReceiver(t *testing.T) *anchorReceiver {
	r := &anchorReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var h logging.Head
		if err := json.Unmarshal(body, &h); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.heads = append(r.heads, h)
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *anchorReceiver) received() []logging.Head {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]logging.Head(nil), r.heads...)
}

// logTestEnv is a config with a keyed, anchored log in a temp dir.
type logTestEnv struct {
	dir, cfg, log, key string
}

func newLogTestEnv(t *testing.T, extra string) logTestEnv {
	t.Helper()
	dir := t.TempDir()
	e := logTestEnv{dir: dir, cfg: filepath.Join(dir, "config.yaml"), log: filepath.Join(dir, "state", "decisions.jsonl"), key: filepath.Join(dir, "log.key")}
	if err := os.WriteFile(e.key, []byte("test-key-not-secret-0123456789abcdef"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := "log: " + e.log + "\nlog_hmac_key_file: " + e.key + "\nstore:\n  path: " + filepath.Join(dir, "state", "state.db") + "\n" + extra
	if err := os.WriteFile(e.cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SENTINEL_CONFIG", e.cfg)
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "xdg-state"))
	return e
}

// appendViaConfig appends n decisions the way the broker does: through
// openDecisionLog with the config, and returns what it wrote to stderr.
func appendViaConfig(t *testing.T, n int) string {
	t.Helper()
	var stderr bytes.Buffer
	g := &Globals{Stdout: io.Discard, Stderr: &stderr}
	cfg, err := g.Config()
	if err != nil {
		t.Fatal(err)
	}
	l, err := g.openDecisionLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < n; i++ {
		if err := l.Append(&logging.Entry{Event: logging.EventDecision, User: "alice", Profile: "prod", Effect: "allow"}); err != nil {
			t.Fatal(err)
		}
	}
	return stderr.String()
}

// TestLogAnchoring: with log_anchor_every 3, every third entry's head goes
// to the webhook and to the store; `log verify --anchors` checks the log
// against the store's head, and catches a truncation and a rewrite that
// the plain chain cannot.
func TestLogAnchoring(t *testing.T) {
	recv := newAnchorReceiver(t)
	env := newLogTestEnv(t, "log_anchor_every: 3\nlog_anchors:\n  - webhook: "+recv.URL+"/anchors\n  - store: true\n")
	if warn := appendViaConfig(t, 7); warn != "" {
		t.Fatalf("warnings: %s", warn)
	}
	heads := recv.received()
	if len(heads) != 2 || heads[0].Seq != 3 || heads[1].Seq != 6 || !strings.HasSuffix(heads[1].Log, ":"+env.log) || heads[1].File != "decisions.jsonl" {
		t.Fatalf("webhook received %+v", heads)
	}

	stdout, stderr, code := runPolicyCLI(t, "log", "verify", "--anchors")
	if code != 0 || !strings.Contains(stdout, ": OK: 7 entries") || !strings.Contains(stdout, "macs checked, 1 anchor checked") {
		t.Fatalf("verify --anchors: %d %q %q", code, stdout, stderr)
	}

	// On demand: the head of the verified log, to every anchor.
	stdout, stderr, code = runPolicyCLI(t, "log", "anchor")
	if code != 0 || strings.Count(stdout, "anchored seq 7 head ") != 2 {
		t.Fatalf("log anchor: %d %q %q", code, stdout, stderr)
	}
	if got := recv.received(); len(got) != 3 || got[2].Seq != 7 {
		t.Fatalf("webhook received %+v", got)
	}

	// Dropping the last two lines leaves a valid chain, but the store
	// holds seq 7.
	data, err := os.ReadFile(env.log)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if err := os.WriteFile(env.log, bytes.Join(lines[:5], nil), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, code := runPolicyCLI(t, "log", "verify"); code != 0 {
		t.Fatal("a truncated chain should verify without anchors")
	}
	_, stderr, code = runPolicyCLI(t, "log", "verify", "--anchors")
	if code != 1 || !strings.Contains(stderr, "the log ends at seq 5, before the recorded head at seq 7 (the log was truncated or emptied)") {
		t.Fatalf("truncated, --anchors: %d %q", code, stderr)
	}
	// Anchoring refuses to move the store's record back, and a broken log
	// is never anchored.
	_, stderr, code = runPolicyCLI(t, "log", "anchor")
	if code != 1 || !strings.Contains(stderr, "anchor refused a head behind") {
		t.Fatalf("anchor of a truncated log: %d %q", code, stderr)
	}
	if err := os.WriteFile(env.log, bytes.Join([][]byte{lines[0], lines[2]}, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runPolicyCLI(t, "log", "anchor")
	if code != 1 || !strings.Contains(stderr, "is not anchored") {
		t.Fatalf("anchor of a broken log: %d %q", code, stderr)
	}
}

// TestLogAnchorFailureIsAWarning: a dead webhook costs a warning, never
// the entry.
func TestLogAnchorFailureIsAWarning(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	env := newLogTestEnv(t, "log_anchor_every: 2\nlog_anchors:\n  - webhook: "+dead.URL+"/a?token=not-a-real-token\n")
	warn := appendViaConfig(t, 2)
	if !strings.Contains(warn, "sentinel: warning: log anchor at seq 2: anchor webhook http://127.0.0.1:") || strings.Contains(warn, "token") {
		t.Fatalf("warning %q", warn)
	}
	rep, err := logging.VerifyLog(env.log, logging.VerifyOptions{})
	if err != nil || rep.Entries != 2 {
		t.Fatalf("log after a failed anchor: %+v %v", rep, err)
	}
	_, stderr, code := runPolicyCLI(t, "log", "verify", "--anchors")
	if code != 1 || !strings.Contains(stderr, "no anchor in log_anchors can be read back") {
		t.Fatalf("--anchors with only a webhook: %d %q", code, stderr)
	}
}

// TestLogVerifyKeyed: the config's key is used; another key, or a rewrite
// by someone without the key, fails.
func TestLogVerifyKeyed(t *testing.T) {
	env := newLogTestEnv(t, "")
	appendViaConfig(t, 3)
	stdout, stderr, code := runPolicyCLI(t, "log", "verify")
	if code != 0 || !strings.Contains(stdout, "OK: 3 entries") || !strings.Contains(stdout, "macs checked") {
		t.Fatalf("keyed verify: %d %q %q", code, stdout, stderr)
	}
	other := filepath.Join(env.dir, "other.key")
	if err := os.WriteFile(other, []byte("another-test-key-not-secret-0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runPolicyCLI(t, "log", "verify", "--key-file", other)
	if code != 1 || !strings.Contains(stderr, "line 1: mac mismatch") {
		t.Fatalf("other key: %d %q", code, stderr)
	}
	if err := os.Chmod(env.key, 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runPolicyCLI(t, "log", "verify")
	if code != 1 || !strings.Contains(stderr, "readable by group or others") {
		t.Fatalf("readable key: %d %q", code, stderr)
	}
}
