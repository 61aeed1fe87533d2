package breakglass

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sentinel-cli/sentinel/internal/recordtest"
)

// FuzzNew feeds New arbitrary text, reason codes and durations. It must
// never panic, and whatever it accepts must keep the rules.
func FuzzNew(f *testing.F) {
	f.Add("alice", "prod", "incident", "INC-42: the payment API is down", int64(time.Hour), int64(0))
	f.Add("al\x00ice", "prod", "Incident", "\x1b[2J clear the reviewer's screen", int64(15*time.Minute), int64(time.Hour))
	f.Add("é", "p", "other", "  éééééééééééééééééééé  ", int64(4*time.Hour), int64(4*time.Hour+1))
	f.Fuzz(func(t *testing.T, invoker, profile, reason, justification string, duration, maxDuration int64) {
		p := validParams()
		p.Invoker, p.Profile, p.ReasonCode, p.Justification = invoker, profile, ReasonCode(reason), justification
		p.Duration, p.MaxDuration = time.Duration(duration), time.Duration(maxDuration)
		e, err := New(p)
		if err != nil {
			return
		}
		if !ValidReasonCode(e.ReasonCode) {
			t.Fatalf("accepted reason code %q", e.ReasonCode)
		}
		n := utf8.RuneCountInString(e.Justification)
		if n < MinJustification || n > MaxJustification {
			t.Fatalf("accepted a justification of %d runes", n)
		}
		recordtest.SafeText(t, "the justification", e.Justification)
		recordtest.SafeText(t, "a name", e.Invoker+e.Profile+e.RoleARN)
		if e.Duration < MinDuration || !e.ExpiresAt.Equal(e.OpenedAt.Add(e.Duration)) {
			t.Fatalf("accepted duration %s, expiry %s after %s", e.Duration, e.ExpiresAt, e.OpenedAt)
		}
	})
}

// FuzzClose feeds Close arbitrary names and reasons: whatever is stored
// must be one line of safe text.
func FuzzClose(f *testing.F) {
	f.Add("alice", "incident resolved")
	f.Add("alice", "done\r\nreopened by root")
	f.Add("al\u2066ice", "fine\uFEFF")
	f.Fuzz(func(t *testing.T, by, reason string) {
		e, err := New(validParams())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Close(by, reason, t0.Add(time.Minute)); err != nil {
			if e.Status != StatusActive {
				t.Fatalf("a refused close changed the event: %+v", *e)
			}
			return
		}
		recordtest.SafeText(t, "a close", e.ClosedBy, e.CloseReason)
	})
}
