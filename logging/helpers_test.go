package logging

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fixedClock returns a Now function that starts at a fixed time and moves
// one second per call.
func fixedClock() func() time.Time {
	t := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

// openTemp opens a Logger on a new file in a temporary directory.
func openTemp(t *testing.T) *Logger {
	t.Helper()
	l, err := Open(filepath.Join(t.TempDir(), "decisions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	l.Now = fixedClock()
	t.Cleanup(func() { l.Close() })
	return l
}

// decision returns a typical decision entry.
func decision(user string) *Entry {
	return &Entry{
		Event:        EventDecision,
		RequestID:    "req-1",
		User:         user,
		PrincipalARN: "arn:aws:iam::111122223333:user/" + user,
		Profile:      "prod",
		Mode:         "cli",
		Effect:       "allow",
		PolicyEffect: "allow",
		Rule:         "engineers",
		RuleIndex:    IntPtr(0),
	}
}

// logLines writes n decision entries to a new log and returns its lines,
// each with its "\n".
func logLines(t *testing.T, n int) [][]byte {
	t.Helper()
	l := openTemp(t)
	for i := 0; i < n; i++ {
		if err := l.Append(decision("alice")); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(data, []byte("\n"))[:n]
}
