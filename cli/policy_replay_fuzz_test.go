package cli

import (
	"testing"
	"time"
)

// FuzzDecisionRecord feeds replay's reader of log lines arbitrary bytes:
// log lines are evidence anyone who can write the file may have forged,
// so the reader must never panic, and what it takes must be a decision.
func FuzzDecisionRecord(f *testing.F) {
	f.Add([]byte(`{"time":"2025-06-02T09:00:00Z","event":"decision","seq":1,"prev_hash":"0","user":"alice","principal_arn":"arn:aws:iam::111122223333:user/alice","account":"111122223333","profile":"dev","mode":"cli","effect":"allow","policy_effect":"allow","rule":"dev","role_arn":"arn:aws:iam::111122223333:role/dev"}`))
	f.Add([]byte(`{"time":"2025-06-02T09:00:00Z","event":"request.created"}`))
	f.Add([]byte(`not json`))
	f.Add([]byte(`{"time":"0001-01-01T00:00:00Z","event":"decision"}`))
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, ok, bad := decisionRecord(line, from)
		if ok && bad {
			t.Fatal("a line both taken and bad")
		}
		if ok && (rec.Request.Time.Before(from) || rec.Request.Mode == "") {
			t.Fatalf("took %+v", rec)
		}
	})
}
