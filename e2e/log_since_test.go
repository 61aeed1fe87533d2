package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
)

// TestLogShowSinceBigLog runs `log show --since` of the built binary on a
// 100,000-entry log, which it reads from the end: it prints exactly the
// entries a whole read would (checked against the lines written), with the
// other filters, and on a log whose last line is torn.
func TestLogShowSinceBigLog(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(devPolicy)
	alice := w.newPerson("alice")
	path := filepath.Join(alice.home, "big", "decisions.jsonl")
	l, err := logging.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 100000
	end := time.Now().UTC().Truncate(time.Second)
	var es []*logging.Entry
	for i := 0; i < n; i++ {
		user := []string{"alice", "bob", "carol"}[i%3]
		es = append(es, &logging.Entry{Time: end.Add(-time.Duration(n-1-i) * 2 * time.Second), Event: logging.EventDecision,
			User: user, Profile: "dev", Effect: "allow", Rule: "dev-anytime", Mode: "cli", RequestID: fmt.Sprintf("r%06d", i)})
		if len(es) == 5000 {
			if err := l.AppendAll(es); err != nil {
				t.Fatal(err)
			}
			es = es[:0]
		}
	}
	l.Close()

	// Every line as written, to compute what a whole read shows.
	var lines []logging.Record
	if _, err := logging.ReadLog(path, func(r logging.Record) error {
		lines = append(lines, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := func(since time.Time, user string) string {
		var b bytes.Buffer
		for _, r := range lines {
			if !r.Entry.Time.Before(since) && (user == "" || r.Entry.User == user) {
				b.Write(r.Raw)
				b.WriteByte('\n')
			}
		}
		return b.String()
	}
	at := end.Add(-time.Hour)
	cases := []struct {
		name  string
		args  []string
		since time.Time
		user  string
	}{
		{"the last hour", []string{"--since", at.Format(time.RFC3339)}, at, ""},
		{"the last hour of one user", []string{"--since", at.Format(time.RFC3339), "--user", "bob"}, at, "bob"},
		{"a minute", []string{"--since", end.Add(-time.Minute).Format(time.RFC3339)}, end.Add(-time.Minute), ""},
		{"after the last entry", []string{"--since", end.Add(time.Minute).Format(time.RFC3339)}, end.Add(time.Minute), ""},
		{"before the first entry", []string{"--since", end.Add(-100 * time.Hour).Format(time.RFC3339), "--user", "carol"}, end.Add(-100 * time.Hour), "carol"},
	}
	took := map[string]time.Duration{}
	for _, tc := range cases {
		start := time.Now()
		r := alice.mustRun(append([]string{"log", "show", "--log-file", path, "--output", "json"}, tc.args...)...)
		took[tc.name] = time.Since(start)
		if w := want(tc.since, tc.user); r.stdout != w {
			t.Fatalf("%s: %d bytes shown, want %d", tc.name, len(r.stdout), len(w))
		}
		t.Logf("%s: %d entries in %v", tc.name, bytes.Count([]byte(r.stdout), []byte("\n")), took[tc.name])
	}
	// Reading from the end: the last hour costs a fraction of a read of
	// the whole log (about 1/30 here; a whole read for both would be 1x).
	if hour, all := took["the last hour of one user"], took["before the first entry"]; hour*4 > all {
		t.Fatalf("the last hour took %v, the whole log %v: not read from the end", hour, all)
	}

	// A torn last line is not shown, and the table's rows are the entries.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"` + end.Format(time.RFC3339) + `","event":"decision","seq":`)
	f.Close()
	r := alice.mustRun("log", "show", "--log-file", path, "--since", end.Add(-10*time.Second).Format(time.RFC3339))
	if rows := bytes.Count([]byte(r.stdout), []byte("\n")) - 1; rows != 6 {
		t.Fatalf("torn tail: %d rows\n%s", rows, r)
	}
}
