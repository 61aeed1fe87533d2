package logging

import (
	"path/filepath"
	"testing"
)

func TestSTSEndpointIsRecordedOnEveryEntry(t *testing.T) {
	for _, tc := range []struct{ opt, own, want string }{
		{"", "", ""},
		{"http://127.0.0.1:4566", "", "http://127.0.0.1:4566"},
		{"http://127.0.0.1:4566", "https://sts.example.com", "https://sts.example.com"},
	} {
		path := filepath.Join(t.TempDir(), "log.jsonl")
		l, err := OpenWith(path, Options{STSEndpoint: tc.opt})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range []string{EventDecision, EventRequestCreated, EventSessionStarted} {
			e := Entry{Event: ev, STSEndpoint: tc.own}
			if err := l.Append(&e); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
		var entries []Entry
		if _, err := ReadLog(path, func(r Record) error { entries = append(entries, r.Entry); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.STSEndpoint != tc.want {
				t.Errorf("%s: sts_endpoint %q, want %q", e.Event, e.STSEndpoint, tc.want)
			}
		}
		if rep, err := VerifyFile(path); err != nil || rep.Entries != 3 {
			t.Errorf("verify: %+v %v", rep, err)
		}
	}
}
