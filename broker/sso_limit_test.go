package broker

import (
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/policy"
)

// TestPolicyLimitOf pins the earliest limit and its words, which the
// SSO-uncappable refusal shows; they are formatted only when shown.
func TestPolicyLimitOf(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		dec       policy.Decision
		pinMax    time.Duration
		windowEnd time.Time
		grant     string
		wantEnd   time.Time
		wantWhat  string
	}{
		{"none", policy.Decision{Rule: "r"}, 0, time.Time{}, "", time.Time{}, ""},
		{"rule max", policy.Decision{Rule: "r", MaxDuration: time.Hour}, 2 * time.Hour, time.Time{}, "", now.Add(time.Hour), "rule r's max_duration (1h0m0s)"},
		{"pin max", policy.Decision{Rule: "r", MaxDuration: time.Hour}, 30 * time.Minute, time.Time{}, "", now.Add(30 * time.Minute), "the max_duration of profile p's pin (30m0s)"},
		{"rule window", policy.Decision{Rule: "r"}, 0, now.Add(time.Minute), "", now.Add(time.Minute), "rule r's time window"},
		{"grant window", policy.Decision{Rule: "r"}, 0, now.Add(time.Minute), "approval a%s", now.Add(time.Minute), "approval a%s"},
		{"later window", policy.Decision{Rule: "r", MaxDuration: time.Minute}, 0, now.Add(time.Hour), "approval a", now.Add(time.Minute), "rule r's max_duration (1m0s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := policyLimitOf(tc.dec, tc.pinMax, "p", tc.windowEnd, tc.grant, now)
			if !l.end.Equal(tc.wantEnd) || l.describe() != tc.wantWhat {
				t.Fatalf("limit = %v %q, want %v %q", l.end, l.describe(), tc.wantEnd, tc.wantWhat)
			}
		})
	}
}
