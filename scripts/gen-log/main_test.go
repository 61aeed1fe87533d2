package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
)

// TestRun writes logs of several sizes and batch sizes: each verifies as
// one chain of n entries, every -every apart, the last at -end.
func TestRun(t *testing.T) {
	end := time.Date(2026, 6, 7, 8, 9, 10, 0, time.UTC)
	cases := []struct {
		n, batch int
		every    time.Duration
	}{
		{0, 10, time.Second},
		{1, 10, time.Second},
		{25, 10, time.Minute},
		{25, 25, time.Second},
		{1000, 7, 0},
	}
	for _, tc := range cases {
		path := filepath.Join(t.TempDir(), "decisions.jsonl")
		if err := run(path, tc.n, tc.batch, tc.every, end); err != nil {
			t.Fatal(err)
		}
		rep, err := logging.VerifyLog(path, logging.VerifyOptions{})
		if err != nil || rep.Entries != tc.n {
			t.Fatalf("n=%d batch=%d: %d entries: %v", tc.n, tc.batch, rep.Entries, err)
		}
		var times []time.Time
		if _, err := logging.ReadLog(path, func(r logging.Record) error {
			times = append(times, r.Entry.Time)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for i, tm := range times {
			if want := end.Add(-time.Duration(tc.n-1-i) * tc.every); !tm.Equal(want) {
				t.Fatalf("n=%d: entry %d at %v, want %v", tc.n, i+1, tm, want)
			}
		}
	}
}

// TestRunRefuses: an existing file is never appended to, and bad
// arguments change nothing.
func TestRunRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	if err := os.WriteFile(path, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, tc := range []struct {
		path     string
		n, batch int
		every    time.Duration
		want     string
	}{
		{path, 10, 10, time.Second, "exists"},
		{"", 10, 10, time.Second, "-o is required"},
		{path + ".new", -1, 10, time.Second, "must not be negative"},
		{path + ".new", 10, 0, time.Second, "must not be negative"},
	} {
		if err := run(tc.path, tc.n, tc.batch, tc.every, now); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%+v: %v", tc, err)
		}
	}
	if data, _ := os.ReadFile(path); string(data) != "keep\n" {
		t.Fatalf("existing file changed: %q", data)
	}
	if _, err := os.Stat(path + ".new"); !os.IsNotExist(err) {
		t.Fatalf("a file was created: %v", err)
	}
}
