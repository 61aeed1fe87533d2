// Command gen-log writes a valid chained decision log of N entries, quickly,
// for measuring `sentinel log verify` and `log show` on big logs (make
// bench). It writes through the logging package's own Logger (AppendAll:
// the same chaining, sealing and file checks as every append), in batches,
// so the log is exactly what sentinel would have written.
//
//	go run ./scripts/gen-log -n 1000000 -o /tmp/big/decisions.jsonl
//
// Entries are -every apart and the last one is -end (default: now), so
// `log show --since 1h` finds the last hour's worth. The file must not
// exist yet.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
)

func main() {
	n := flag.Int("n", 1000000, "entries to write")
	out := flag.String("o", "", "the log file to create")
	every := flag.Duration("every", time.Second, "time between two entries")
	end := flag.String("end", "", "time of the last entry, RFC 3339 (default: now)")
	batch := flag.Int("batch", 5000, "entries per write")
	flag.Parse()
	last := time.Now()
	if *end != "" {
		t, err := time.Parse(time.RFC3339Nano, *end)
		if err != nil {
			fail(fmt.Errorf("-end: %w", err))
		}
		last = t
	}
	if err := run(*out, *n, *batch, *every, last); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen-log:", err)
	os.Exit(1)
}

func run(path string, n, batch int, every time.Duration, last time.Time) error {
	if path == "" {
		return errors.New("-o is required")
	}
	if n < 0 || batch < 1 || every < 0 {
		return errors.New("-n, -batch and -every must not be negative, -batch at least 1")
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s exists: gen-log only creates a new log", path)
	}
	l, err := logging.Open(path)
	if err != nil {
		return err
	}
	defer l.Close()
	first := last.Add(-time.Duration(n-1) * every)
	es := make([]*logging.Entry, 0, batch)
	for i := 0; i < n; i++ {
		es = append(es, entry(i, first.Add(time.Duration(i)*every)))
		if len(es) == batch || i == n-1 {
			if err := l.AppendAll(es); err != nil {
				return err
			}
			es = es[:0]
		}
	}
	return l.Close()
}

// users, profiles and rules give the entries some variety for the filters
// of `log show`.
var (
	users    = []string{"alice", "bob", "carol", "dave", "erin"}
	profiles = []string{"dev", "staging", "prod", "audit"}
)

// entry is a typical decision; every seventh is a deny.
func entry(i int, at time.Time) *logging.Entry {
	user := users[i%len(users)]
	e := &logging.Entry{
		Time:         at,
		Event:        logging.EventDecision,
		RequestID:    fmt.Sprintf("req-%08d", i),
		User:         user,
		PrincipalARN: "arn:aws:iam::111122223333:user/" + user,
		Account:      "111122223333",
		Profile:      profiles[i%len(profiles)],
		Mode:         "credential_process",
		Effect:       "allow",
		PolicyEffect: "allow",
		Rule:         "engineers",
		RuleIndex:    logging.IntPtr(1),
		PolicySHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		RoleARN:      "arn:aws:iam::111122223333:role/" + profiles[i%len(profiles)],
		Cached:       i%3 != 0,
	}
	if i%7 == 0 {
		e.Effect, e.PolicyEffect, e.Rule, e.RuleIndex = "deny", "deny", "no-prod-at-night", logging.IntPtr(0)
		e.RoleARN = ""
	}
	return e
}
