package request

import (
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
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
		for _, c := range r.Justification {
			if unicode.IsControl(c) && c != '\n' && c != '\t' {
				t.Fatalf("accepted a control character %U", c)
			}
		}
		for _, c := range r.Requester + r.Profile {
			if unicode.IsControl(c) {
				t.Fatalf("accepted a control character %U in a name", c)
			}
		}
		if r.Duration < MinDuration || (p.MaxDuration > 0 && r.Duration > p.MaxDuration) || (p.MaxDuration == 0 && r.Duration > DefaultMaxDuration) {
			t.Fatalf("accepted duration %s with maximum %s", r.Duration, p.MaxDuration)
		}
	})
}
