package broker_test

import (
	"fmt"
	"testing"
)

// Each decision records the UTC offset of the zone it read a time window
// in, so that a decision taken in a forged zone would show in the log.
func TestDecisionLogRecordsTheUTCOffset(t *testing.T) {
	everyDay := `time: {days: [mon, tue, wed, thu, fri, sat, sun], timezone: %s}`
	for _, tc := range []struct{ zone, want string }{
		{"Asia/Kolkata", "+05:30"},
		{"America/Panama", "-05:00"},
		{"Pacific/Marquesas", "-09:30"},
		{"UTC", "+00:00"},
		{"", ""}, // no window read
	} {
		t.Run(tc.zone, func(t *testing.T) {
			cond := "{profiles: [dev]}"
			if tc.zone != "" {
				cond = "{profiles: [dev], " + fmt.Sprintf(everyDay, tc.zone) + "}"
			}
			f := newFixture(t, "version: \"1\"\naccounts: [\"111122223333\"]\nrules:\n  - {name: dev, effect: allow, conditions: "+cond+"}\n")
			if _, err := f.issue("dev", 0); err != nil {
				t.Fatal(err)
			}
			if d := f.lastDecision(); d.UTCOffset != tc.want {
				t.Errorf("utc_offset %q, want %q", d.UTCOffset, tc.want)
			}
		})
	}
}
