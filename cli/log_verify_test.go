package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/logging"
)

// headOf is the last hash of a verified log.
func headOf(t *testing.T, path string) string {
	t.Helper()
	rep, err := logging.VerifyLog(path, logging.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rep.LastHash
}

// writeDecisionLog appends n entries to a log at path.
func writeDecisionLog(t *testing.T, path string, n int) {
	t.Helper()
	l, err := logging.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < n; i++ {
		if err := l.Append(&logging.Entry{Event: logging.EventDecision, User: "alice", Effect: "allow"}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLogVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SENTINEL_CONFIG", filepath.Join(dir, "no-config.yaml"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))

	good := filepath.Join(dir, "good.jsonl")
	writeDecisionLog(t, good, 3)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered.jsonl")
	lines := bytes.SplitAfter(data, []byte("\n"))
	edited := bytes.Replace(lines[1], []byte(`"user":"alice"`), []byte(`"user":"eve"`), 1)
	if err := os.WriteFile(tampered, bytes.Join([][]byte{lines[0], edited, lines[2]}, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.jsonl")
	if err := os.WriteFile(truncated, lines[2], 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	defaultLog := filepath.Join(dir, "state", "sentinel", "decisions.jsonl")
	writeDecisionLog(t, defaultLog, 2)
	goodHead, defaultHead := headOf(t, good), headOf(t, defaultLog)

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"intact log", []string{"log", "verify", good}, 0, good + ": OK: 3 entries, head " + goodHead + " (seq 3)\n", ""},
		{"empty log", []string{"log", "verify", empty}, 0, empty + ": OK: 0 entries, head " + logging.ZeroHash + " (seq 0)\n", ""},
		{"default path", []string{"log", "verify"}, 0, defaultLog + ": OK: 2 entries, head " + defaultHead + " (seq 2)\n", ""},
		{"--log-file", []string{"--log-file", good, "log", "verify"}, 0, good + ": OK: 3 entries, head " + goodHead + " (seq 3)\n", ""},
		{"--head found", []string{"log", "verify", "--head", goodHead, good}, 0, good + ": OK: 3 entries, head " + goodHead + " (seq 3); recorded head found\n", ""},
		{"--head SEQ:HASH", []string{"log", "verify", "--head", "3:" + goodHead, good}, 0, good + ": OK: 3 entries, head " + goodHead + " (seq 3); recorded head found\n", ""},
		{"--head of another log", []string{"log", "verify", "--head", goodHead, defaultLog}, 1, "", "sentinel: " + defaultLog + ": head " + goodHead + " is not in the chain (the log was truncated, emptied or rewritten)\n"},
		{"--head on an emptied log", []string{"log", "verify", "--head", goodHead, empty}, 1, "", "is not in the chain"},
		{"--head malformed", []string{"log", "verify", "--head", "abc", good}, 1, "", "sentinel: --head: head hash \"abc\" is not 64 lower-case hex digits\n"},
		{"two files, one broken", []string{"log", "verify", good, tampered}, 1, good + ": OK: 3 entries, head " + goodHead + " (seq 3)\n", "sentinel: " + tampered + ": line 2: hash mismatch"},
		{"tampered log", []string{"log", "verify", tampered}, 1, "", "sentinel: " + tampered + ": line 2: hash mismatch (entry was modified) (1 entry before it intact)\n"},
		{"truncated log", []string{"log", "verify", truncated}, 1, "", "sentinel: " + truncated + ": line 1: prev_hash is not the start of a chain (lines were removed from the top)\n"},
		{"missing log", []string{"log", "verify", filepath.Join(dir, "nope.jsonl")}, 1, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runPolicyCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if stdout != tt.wantStdout {
				t.Errorf("stdout %q, want %q", stdout, tt.wantStdout)
			}
			if tt.wantStderr == "" && stderr != "" || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr %q, want %q", stderr, tt.wantStderr)
			}
		})
	}
}
