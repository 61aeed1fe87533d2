package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// headRE finds the head in `log verify` output.
var headRE = regexp.MustCompile(`head ([0-9a-f]{64}) \(seq (\d+)\)`)

// TestLogKeyedAnchoredRotated runs the real binary with a keyed log that
// rotates and anchors to a loopback webhook and to the local store, then
// reads it, verifies it, and tampers with it the ways the docs describe.
func TestLogKeyedAnchoredRotated(t *testing.T) {
	var mu sync.Mutex
	var received []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var h map[string]any
		if r.Method != http.MethodPost || json.Unmarshal(body, &h) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		received = append(received, h)
		mu.Unlock()
	}))
	defer hook.Close()

	w, alice := newWorldWithAlice(t, devPolicy)
	key := filepath.Join(alice.home, ".config", "sentinel", "log.key")
	alice.writeFile(".config/sentinel/log.key", "e2e-log-key-not-a-real-secret-0123456789")
	alice.writeFile(".config/sentinel/config.yaml", "policy: "+w.policy+"\n"+w.storeYAML+
		"log_hmac_key_file: "+key+"\nlog_anchor_every: 2\nlog_max_bytes: 2000\nlog_anchors:\n  - webhook: "+hook.URL+"/anchor\n  - store: true\n")

	for i := 0; i < 5; i++ {
		r := alice.mustRun("exec", "dev", "--", "true")
		if strings.Contains(r.stderr, "warning") {
			t.Fatalf("exec %d: %s", i, r)
		}
	}
	alice.mustFail("", "exec", "prod", "--", "true")

	r := alice.mustRun("log", "verify")
	m := headRE.FindStringSubmatch(r.stdout)
	if m == nil || !strings.Contains(r.stdout, "macs checked") || !regexp.MustCompile(`; [2-9] files`).MatchString(r.stdout) {
		t.Fatalf("log verify: %s", r)
	}
	head := m[1]
	r = alice.mustRun("log", "verify", "--anchors", "--head", head)
	if !strings.Contains(r.stdout, "1 anchor checked") {
		t.Fatalf("log verify --anchors: %s", r)
	}
	mu.Lock()
	if len(received) < 2 || received[0]["seq"].(float64) != 2 || received[0]["hash"] == "" {
		t.Fatalf("webhook received %v", received)
	}
	mu.Unlock()

	// Read across the rotated files, for people and for jq.
	r = alice.mustRun("log", "show", "--event", "decision", "--utc")
	if rows := strings.Count(r.stdout, "\n") - 1; rows != 6 || !strings.Contains(r.stdout, "dev-anytime") || !strings.Contains(r.stdout, " UTC ") {
		t.Fatalf("log show: %d rows\n%s", rows, r)
	}
	r = alice.mustRun("log", "--output", "json", "--effect", "deny")
	var denied map[string]any
	if strings.Count(r.stdout, "\n") != 1 || json.Unmarshal([]byte(r.stdout), &denied) != nil || denied["profile"] != "prod" || denied["mac"] == nil {
		t.Fatalf("log --output json --effect deny: %s", r)
	}
	alice.mustRun("log", "anchor")

	// An edited entry breaks the chain (a whole rewrite with recomputed
	// hashes, caught by the key, is in logging's TestTampering).
	path := alice.logPath()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Replace(orig, []byte(`"user":"alice"`), []byte(`"user":"mallory"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	alice.mustFail("hash mismatch", "log", "verify")
	// Emptied: the chain is "valid" and empty; --head and the anchors say
	// otherwise, and a new entry does not hide it.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	alice.mustFail("is not in the chain", "log", "verify", "--head", head)
	alice.mustRun("exec", "dev", "--", "true")
	alice.mustFail("before the recorded head", "log", "verify", "--anchors")
	// A rotated file removed: a gap in every mode.
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	alice.mustRun("log", "verify", "--anchors")
	rotated, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "decisions.*Z.jsonl"))
	if len(rotated) == 0 {
		t.Fatal("no rotated file")
	}
	if err := os.Remove(rotated[0]); err != nil {
		t.Fatal(err)
	}
	alice.mustFail("which is missing", "log", "verify")
}
