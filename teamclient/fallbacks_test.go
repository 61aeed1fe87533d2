package teamclient

import (
	"testing"
	"time"
)

// TestReportFallbacks: each well-formed fallback header reaches the hook;
// a malformed one does not, and no hook is no crash.
func TestReportFallbacks(t *testing.T) {
	var got []string
	c := &Client{opts: Options{Fallback: func(role string, at time.Time) {
		got = append(got, role+"@"+at.Format(time.RFC3339))
	}}}
	c.reportFallbacks([]string{
		"arn:aws:iam::111122223333:role/dev 2026-12-08T04:30:00Z",
		"not a fallback",
		"arn:aws:iam::111122223333:role/prod 2026-12-08T05:00:00Z",
	})
	want := []string{"arn:aws:iam::111122223333:role/dev@2026-12-08T04:30:00Z", "arn:aws:iam::111122223333:role/prod@2026-12-08T05:00:00Z"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("hook heard %q, want %q", got, want)
	}
	(&Client{}).reportFallbacks([]string{"arn:aws:iam::111122223333:role/dev 2026-12-08T04:30:00Z"})
}
