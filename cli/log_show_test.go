package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/logging"
)

// writeShowLog writes a log with a few kinds of entries, rotating, and
// returns its path.
func writeShowLog(t *testing.T, dir string, base time.Time) string {
	t.Helper()
	path := filepath.Join(dir, "decisions.jsonl")
	l, err := logging.OpenWith(path, logging.Options{MaxBytes: 600})
	if err != nil {
		t.Fatal(err)
	}
	// The rotation entry is stamped between the 3rd and 4th entries.
	l.Now = func() time.Time { return base.Add(100 * time.Minute) }
	defer l.Close()
	entries := []logging.Entry{
		{Time: base, Event: logging.EventDecision, User: "alice", Profile: "prod", Effect: "allow", Rule: "eng", Reason: "matched"},
		{Time: base.Add(time.Hour), Event: logging.EventDecision, User: "bob", Profile: "prod", Effect: "deny", Rule: "default-deny"},
		{Time: base.Add(90 * time.Minute), Event: logging.EventRequestCreated, Actor: "bob", Profile: "prod", Subject: "req123456", Justification: "fix \x1b[2Jthe \u202edb"},
		{Time: base.Add(2 * time.Hour), Event: logging.EventDecision, User: "alice", Profile: "dev", Effect: "allow", Rule: "eng"},
	}
	for i := range entries {
		if err := l.Append(&entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestLogShow(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SENTINEL_CONFIG", filepath.Join(dir, "no-config.yaml"))
	base := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	path := writeShowLog(t, dir, base)
	if files, _ := logging.ChainFiles(path); len(files) < 2 {
		t.Fatalf("test log did not rotate: %v", files)
	}

	lines := func(out string) []string { return strings.Split(strings.TrimSuffix(out, "\n"), "\n") }
	tests := []struct {
		name string
		args []string
		want []string // substrings, one per output line (after the header)
	}{
		{"every entry, across files", nil, []string{"alice", "bob", "req123456", "log.rotated", "dev"}},
		{"decisions", []string{"--event", "decision"}, []string{"alice", "bob", "dev"}},
		{"--user matches user or actor", []string{"--user", "bob"}, []string{"deny", "req123456"}},
		{"--profile", []string{"--profile", "dev"}, []string{"dev"}},
		{"--effect deny", []string{"--effect", "deny"}, []string{"default-deny"}},
		{"--since 2h", []string{"--since", "2h", "--event", "decision"}, []string{"dev"}},
		{"--until", []string{"--until", "100m", "--event", "decision"}, []string{"alice", "bob"}},
		{"--since and --until as times", []string{"--since", base.Add(30 * time.Minute).Format(time.RFC3339), "--until", base.Add(100 * time.Minute).Format(time.RFC3339)}, []string{"bob", "req123456"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runPolicyCLI(t, append([]string{"--log-file", path, "log"}, tt.args...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			got := lines(stdout)
			if !strings.HasPrefix(got[0], "TIME ") {
				t.Fatalf("no header: %q", stdout)
			}
			got = got[1:]
			if len(got) != len(tt.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(got), len(tt.want), stdout)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("line %d %q, want %q", i, got[i], w)
				}
			}
		})
	}

	// Stored text reaches the terminal escaped.
	stdout, _, _ := runPolicyCLI(t, "--log-file", path, "log", "show", "--event", "request.created", "--utc")
	if strings.ContainsAny(stdout, "\x1b\u202e") || !strings.Contains(stdout, `fix \u001b[2Jthe \u202edb`) || !strings.Contains(stdout, " UTC ") {
		t.Fatalf("table output %q", stdout)
	}
	for _, r := range stdout {
		if r != '\n' && field.Unsafe(r) {
			t.Fatalf("unsafe rune %U in %q", r, stdout)
		}
	}

	// JSON Lines: the stored lines, one object each, for jq.
	stdout, _, code := runPolicyCLI(t, "--log-file", path, "log", "--output", "json", "--event", "decision")
	if code != 0 {
		t.Fatal(code)
	}
	out := lines(stdout)
	if len(out) != 3 {
		t.Fatalf("json lines %q", stdout)
	}
	for _, l := range out {
		var e logging.Entry
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Event != "decision" || e.Hash == "" {
			t.Fatalf("json line %q: %v", l, err)
		}
	}

	// Bad input: one line, nothing shown.
	for _, args := range [][]string{{"--since", "yesterday"}, {"--until", "-2h"}, {"--effect", "maybe"}} {
		stdout, stderr, code := runPolicyCLI(t, append([]string{"--log-file", path, "log", "show"}, args...)...)
		if code == 0 || stdout != "" || strings.Count(stderr, "\n") > 2 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	_, stderr, code := runPolicyCLI(t, "--log-file", filepath.Join(dir, "none.jsonl"), "log")
	if code != 1 || !strings.Contains(stderr, "no such file") {
		t.Fatalf("missing log: %d %q", code, stderr)
	}
}

func FuzzTermSafe(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[31mred", "a\u202eb", "\xff\xfe", `back\slash`, "tab\there"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := termSafe(s)
		for _, r := range out {
			if field.Unsafe(r) || r == 0xFFFD && !strings.ContainsRune(s, 0xFFFD) {
				t.Fatalf("termSafe(%q) = %q holds %U", s, out, r)
			}
		}
		if s != "" && !strings.ContainsFunc(s, func(r rune) bool { return field.Unsafe(r) || r == '\\' || r == 0xFFFD }) && out != s {
			t.Fatalf("termSafe changed safe text %q to %q", s, out)
		}
	})
}
