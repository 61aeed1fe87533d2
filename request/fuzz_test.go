package request

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sentinel-cli/sentinel/internal/recordtest"
)

// FuzzNew feeds New arbitrary text and durations. It must never panic, and
// whatever it accepts must keep the rules: a trimmed justification of
// 10-1000 runes without control characters, and a duration in range.
func FuzzNew(f *testing.F) {
	f.Add("alice", "prod", "deploy the hotfix for INC-42", int64(time.Hour), int64(0))
	f.Add("al\x00ice", "pr\nod", "\x1b[2J clear the approver's screen", int64(15*time.Minute), int64(time.Hour))
	f.Add("é", "p", "  ééééééééé  ", int64(8*time.Hour), int64(8*time.Hour+1))
	f.Fuzz(func(t *testing.T, requester, profile, justification string, duration, maxDuration int64) {
		p := validParams()
		p.Requester, p.Profile, p.Justification = requester, profile, justification
		p.Duration, p.MaxDuration = time.Duration(duration), time.Duration(maxDuration)
		r, err := New(p)
		if err != nil {
			return
		}
		n := utf8.RuneCountInString(r.Justification)
		if n < MinJustification || n > MaxJustification {
			t.Fatalf("accepted a justification of %d runes", n)
		}
		recordtest.SafeText(t, "the justification", r.Justification)
		recordtest.SafeText(t, "a name", r.Requester+r.Profile+r.RoleARN)
		if r.Duration < MinDuration || (p.MaxDuration > 0 && r.Duration > p.MaxDuration) || (p.MaxDuration == 0 && r.Duration > DefaultMaxDuration) {
			t.Fatalf("accepted duration %s with maximum %s", r.Duration, p.MaxDuration)
		}
	})
}

// FuzzReviewComment feeds Approve and Deny arbitrary reviewer names and
// comments: whatever is stored must be one line of safe text.
func FuzzReviewComment(f *testing.F) {
	f.Add("bob", "looks fine", true)
	f.Add("bob", "ok\n\x1b[1A approved by carol", false)
	f.Add("b\u202Eob", "fine \u200B", true)
	f.Fuzz(func(t *testing.T, user, comment string, approve bool) {
		r, err := New(validParams())
		if err != nil {
			t.Fatal(err)
		}
		if approve {
			err = r.Approve(user, "", comment, t0.Add(time.Minute))
		} else {
			err = r.Deny(user, "", comment, t0.Add(time.Minute))
		}
		if err != nil {
			if len(r.Reviews) != 0 {
				t.Fatalf("a refused review was kept: %+v", r.Reviews)
			}
			return
		}
		rv := r.Reviews[len(r.Reviews)-1]
		recordtest.SafeText(t, "a review", rv.User, rv.Comment)
	})
}
