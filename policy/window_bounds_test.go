package policy

import (
	"testing"
	"time"
)

// windowOf parses a policy with one rule whose time: condition is src.
func windowOf(t *testing.T, src string) *TimeWindow {
	t.Helper()
	return mustParse(t, "version: \"1\"\nrules:\n  - name: w\n    effect: allow\n    conditions:\n      time: "+src+"\n").Rules[0].Conditions.Time
}

// scanEnd is the slow, obvious answer: step through minutes until the
// window no longer contains the time.
func scanEnd(w *TimeWindow, t time.Time) time.Time {
	for m := t.Truncate(time.Minute).Add(time.Minute); m.Before(t.Add(8 * 24 * time.Hour)); m = m.Add(time.Minute) {
		if !w.Contains(m) {
			return m
		}
	}
	return time.Time{}
}

func TestOccurrenceEnd(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(y, mo, d, h, mi int, loc *time.Location) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, 0, 0, loc)
	}
	utc := time.UTC
	tests := []struct {
		name   string
		window string
		t      time.Time
		want   time.Time
	}{
		{"office hours", `{days: [mon, tue, wed, thu, fri], hours: {start: "09:00", end: "18:00"}, timezone: Europe/Berlin}`,
			at(2025, 6, 2, 17, 50, berlin), at(2025, 6, 2, 18, 0, berlin)},
		{"overnight, evening part", `{days: [friday], hours: {start: "22:00", end: "06:00"}}`, at(2025, 6, 6, 23, 0, utc), at(2025, 6, 7, 6, 0, utc)},
		{"overnight, morning part", `{days: [friday], hours: {start: "22:00", end: "06:00"}}`, at(2025, 6, 7, 3, 0, utc), at(2025, 6, 7, 6, 0, utc)},
		{"whole day", `{days: [monday]}`, at(2025, 6, 2, 10, 0, utc), at(2025, 6, 3, 0, 0, utc)},
		{"consecutive whole days are one occurrence", `{days: [sat, sun, mon]}`, at(2025, 6, 7, 10, 0, utc), at(2025, 6, 10, 0, 0, utc)},
		{"whole days wrapping the week", `{days: [fri, sat, sun, mon]}`, at(2025, 6, 8, 10, 0, utc), at(2025, 6, 10, 0, 0, utc)},
		{"every day never closes", `{days: [mon, tue, wed, thu, fri, sat, sun]}`, at(2025, 6, 2, 10, 0, utc), time.Time{}},
		{"outside the window", `{days: [monday]}`, at(2025, 6, 3, 10, 0, utc), time.Time{}},
		// Europe/Berlin springs forward 2025-03-30 02:00 -> 03:00 and
		// falls back 2025-10-26 03:00 -> 02:00.
		{"spring forward skips the end", `{hours: {start: "01:00", end: "02:30"}, timezone: Europe/Berlin}`,
			at(2025, 3, 30, 1, 30, berlin), time.Date(2025, 3, 30, 1, 0, 0, 0, utc)},
		{"spring forward, end after the jump", `{hours: {start: "01:00", end: "04:00"}, timezone: Europe/Berlin}`,
			at(2025, 3, 30, 1, 30, berlin), time.Date(2025, 3, 30, 2, 0, 0, 0, utc)},
		{"fall back, first pass of the end", `{hours: {start: "01:00", end: "02:30"}, timezone: Europe/Berlin}`,
			time.Date(2025, 10, 25, 23, 30, 0, 0, utc), time.Date(2025, 10, 26, 0, 30, 0, 0, utc)},
		{"fall back re-enters: end at 03:00 is 03:00 winter time", `{hours: {start: "01:00", end: "03:00"}, timezone: Europe/Berlin}`,
			time.Date(2025, 10, 25, 23, 30, 0, 0, utc), time.Date(2025, 10, 26, 2, 0, 0, 0, utc)},
		{"fall back drops below the start", `{hours: {start: "02:30", end: "05:00"}, timezone: Europe/Berlin}`,
			time.Date(2025, 10, 26, 0, 45, 0, 0, utc), time.Date(2025, 10, 26, 1, 0, 0, 0, utc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := windowOf(t, tt.window)
			got := w.OccurrenceEnd(tt.t)
			if !got.Equal(tt.want) {
				t.Errorf("OccurrenceEnd(%s) = %s, want %s", tt.t, got, tt.want)
			}
			if !tt.want.IsZero() {
				if scan := scanEnd(w, tt.t); !scan.Equal(got) {
					t.Errorf("OccurrenceEnd = %s, but the window first closes at %s", got, scan)
				}
			}
		})
	}
}

// TestOccurrenceEndAgreesWithContains compares OccurrenceEnd with a minute
// scan over two years of hourly samples in zones with and without
// daylight saving, for several windows.
func TestOccurrenceEndAgreesWithContains(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	windows := []string{
		`{hours: {start: "01:00", end: "02:30"}, timezone: Europe/Berlin}`,
		`{hours: {start: "02:30", end: "05:00"}, timezone: Europe/Berlin}`,
		`{days: [sat, sun], hours: {start: "22:00", end: "02:30"}, timezone: America/New_York}`,
		`{days: [sun], timezone: America/Santiago}`,
		`{days: [mon, tue, wed, thu, fri], hours: {start: "09:00", end: "17:30"}, timezone: Australia/Lord_Howe}`,
	}
	start := time.Date(2025, 1, 1, 0, 17, 0, 0, time.UTC)
	for _, src := range windows {
		w := windowOf(t, src)
		checked := 0
		for at := start; at.Before(start.AddDate(2, 0, 0)); at = at.Add(97 * time.Minute) {
			if !w.Contains(at) {
				continue
			}
			checked++
			if got, want := w.OccurrenceEnd(at), scanEnd(w, at); !got.Equal(want) {
				t.Fatalf("%s at %s: OccurrenceEnd = %s, scan = %s", src, at, got, want)
			}
		}
		if checked < 100 {
			t.Errorf("%s: only %d samples inside the window", src, checked)
		}
	}
}

func TestNextOpen(t *testing.T) {
	utc := time.UTC
	at := func(y, mo, d, h, mi int) time.Time { return time.Date(y, time.Month(mo), d, h, mi, 0, 0, utc) }
	tests := []struct {
		name   string
		window string
		after  time.Time
		want   time.Time
	}{
		{"later today", `{hours: {start: "09:00", end: "18:00"}}`, at(2025, 6, 2, 7, 0), at(2025, 6, 2, 9, 0)},
		{"tomorrow", `{hours: {start: "09:00", end: "18:00"}}`, at(2025, 6, 2, 19, 0), at(2025, 6, 3, 9, 0)},
		{"inside: the next occurrence", `{hours: {start: "09:00", end: "18:00"}}`, at(2025, 6, 2, 10, 0), at(2025, 6, 3, 9, 0)},
		{"at the end", `{hours: {start: "09:00", end: "18:00"}}`, at(2025, 6, 2, 18, 0), at(2025, 6, 3, 9, 0)},
		{"over the weekend", `{days: [mon, tue, wed, thu, fri], hours: {start: "09:00", end: "18:00"}}`, at(2025, 6, 6, 18, 0), at(2025, 6, 9, 9, 0)},
		{"next week", `{days: [friday], hours: {start: "22:00", end: "06:00"}}`, at(2025, 6, 7, 6, 0), at(2025, 6, 13, 22, 0)},
		{"whole days", `{days: [sat, sun]}`, at(2025, 6, 4, 12, 30), at(2025, 6, 7, 0, 0)},
		{"never closes", `{days: [mon, tue, wed, thu, fri, sat, sun]}`, at(2025, 6, 4, 12, 30), time.Time{}},
		{"spring forward opens at the jump", `{hours: {start: "02:30", end: "05:00"}, timezone: Europe/Berlin}`, at(2025, 3, 29, 12, 0), at(2025, 3, 30, 1, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := windowOf(t, tt.window)
			if got := w.NextOpen(tt.after); !got.Equal(tt.want) {
				t.Errorf("NextOpen(%s) = %s, want %s", tt.after, got, tt.want)
			}
		})
	}
}

// TestDecisionWindowEnd checks that a decision from a rule with a window
// carries the window's end (the broker caps credentials with it; before,
// an allow at 17:59 could issue credentials for hours after 18:00), and
// that NextWindowOpen finds the next opening for the message.
func TestDecisionWindowEnd(t *testing.T) {
	p := mustParse(t, evalPolicy)
	closing := time.Date(2025, 6, 2, 17, 50, 0, 0, time.FixedZone("CEST", 2*3600))
	d := p.Evaluate(Request{Profile: "staging", Mode: ModeCLI, Time: closing})
	if d.Rule != "office" || !d.WindowEnd.Equal(time.Date(2025, 6, 2, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("decision %+v, want office with the window ending 18:00 Berlin", d)
	}
	if e := p.Explain(Request{Profile: "staging", Mode: ModeCLI, Time: closing}); !e.WindowEnd.Equal(d.WindowEnd) {
		t.Errorf("Explain window end %s, Evaluate %s", e.WindowEnd, d.WindowEnd)
	}
	if next := p.NextWindowOpen(d.RuleIndex, d.WindowEnd); !next.Equal(time.Date(2025, 6, 3, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("NextWindowOpen = %s, want Tuesday 09:00 Berlin", next)
	}
	if d := p.Evaluate(Request{Profile: "dev", Mode: ModeCLI, Time: closing}); !d.WindowEnd.IsZero() {
		t.Errorf("rule without a window has a window end %s", d.WindowEnd)
	}
	for _, i := range []int{-1, 1, 99} { // no rule, a rule without a window, out of range
		if got := p.NextWindowOpen(i, closing); !got.IsZero() {
			t.Errorf("NextWindowOpen(%d) = %s, want zero", i, got)
		}
	}
	var nilPolicy *Policy
	if !nilPolicy.NextWindowOpen(0, closing).IsZero() {
		t.Error("nil policy has a window")
	}
}
