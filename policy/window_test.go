package policy

import (
	"testing"
	"time"
)

// windowFor loads a policy with one rule limited by the given time block
// and returns its compiled window.
func windowFor(t *testing.T, timeBlock string) *TimeWindow {
	t.Helper()
	p := mustParse(t, "version: \"1\"\nrules:\n  - name: w\n    effect: allow\n    conditions:\n      time: "+timeBlock+"\n")
	return p.Rules[0].Conditions.Time
}

// minutesInside counts the real minutes in [from, to) that w contains.
func minutesInside(w *TimeWindow, from, to time.Time) int {
	n := 0
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		if w.Contains(t) {
			n++
		}
	}
	return n
}

// TestWindowDST checks that hours are wall-clock hours in the window's
// zone on the days the clocks change.
func TestWindowDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// day returns the 24 real hours around a local calendar day: from the
	// previous day's noon to the next day's noon, wide enough for any
	// window on that day.
	day := func(loc *time.Location, y int, m time.Month, d int) (time.Time, time.Time) {
		return time.Date(y, m, d-1, 12, 0, 0, 0, loc), time.Date(y, m, d+1, 12, 0, 0, 0, loc)
	}
	tests := []struct {
		name    string
		window  string
		loc     *time.Location
		y       int
		m       time.Month
		d       int
		minutes int
	}{
		// Berlin springs forward on 2025-03-30 at 02:00 to 03:00.
		{"Berlin normal Sunday 02:00-03:00", `{days: [sunday], hours: {start: "02:00", end: "03:00"}, timezone: Europe/Berlin}`, berlin, 2025, time.March, 23, 60},
		{"Berlin spring-forward 02:00-03:00 never happens", `{days: [sunday], hours: {start: "02:00", end: "03:00"}, timezone: Europe/Berlin}`, berlin, 2025, time.March, 30, 0},
		{"Berlin spring-forward 02:30-02:31 never happens", `{days: [sunday], hours: {start: "02:30", end: "02:31"}, timezone: Europe/Berlin}`, berlin, 2025, time.March, 30, 0},
		{"Berlin spring-forward 01:00-04:00 is 2 real hours", `{days: [sunday], hours: {start: "01:00", end: "04:00"}, timezone: Europe/Berlin}`, berlin, 2025, time.March, 30, 120},
		{"Berlin spring-forward office hours unchanged", `{days: [sunday], hours: {start: "09:00", end: "17:00"}, timezone: Europe/Berlin}`, berlin, 2025, time.March, 30, 480},
		{"Berlin spring-forward overnight from Saturday", `{days: [saturday], hours: {start: "22:00", end: "06:00"}, timezone: Europe/Berlin}`, berlin, 2025, time.March, 30, 7 * 60},
		{"Berlin spring-forward whole day is 23 hours", `{days: [sunday], timezone: Europe/Berlin}`, berlin, 2025, time.March, 30, 23 * 60},
		// Berlin falls back on 2025-10-26 at 03:00 to 02:00.
		{"Berlin fall-back 02:00-03:00 happens twice", `{days: [sunday], hours: {start: "02:00", end: "03:00"}, timezone: Europe/Berlin}`, berlin, 2025, time.October, 26, 120},
		{"Berlin fall-back overnight from Saturday", `{days: [saturday], hours: {start: "22:00", end: "06:00"}, timezone: Europe/Berlin}`, berlin, 2025, time.October, 26, 9 * 60},
		{"Berlin fall-back whole day is 25 hours", `{days: [sunday], timezone: Europe/Berlin}`, berlin, 2025, time.October, 26, 25 * 60},
		// New York springs forward on 2025-03-09 and falls back on 2025-11-02.
		{"New York spring-forward 02:15-02:45 never happens", `{days: [sunday], hours: {start: "02:15", end: "02:45"}, timezone: America/New_York}`, newYork, 2025, time.March, 9, 0},
		{"New York fall-back 01:00-02:00 happens twice", `{days: [sunday], hours: {start: "01:00", end: "02:00"}, timezone: America/New_York}`, newYork, 2025, time.November, 2, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := windowFor(t, tt.window)
			from, to := day(tt.loc, tt.y, tt.m, tt.d)
			if got := minutesInside(w, from, to); got != tt.minutes {
				t.Errorf("window is open %d minutes around %d-%02d-%02d, want %d", got, tt.y, tt.m, tt.d, tt.minutes)
			}
		})
	}
}

// TestWindowWeek counts open minutes over a whole week, which pins down
// which day each part of a window belongs to.
func TestWindowWeek(t *testing.T) {
	monday := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		window  string
		minutes int
	}{
		{`{days: [monday, tuesday, wednesday, thursday, friday], hours: {start: "09:00", end: "18:00"}}`, 5 * 9 * 60},
		{`{hours: {start: "09:00", end: "18:00"}}`, 7 * 9 * 60},
		{`{days: [saturday, sunday]}`, 2 * 24 * 60},
		{`{days: [friday], hours: {start: "22:00", end: "06:00"}}`, 8 * 60},
		{`{hours: {start: "23:00", end: "00:00"}}`, 7 * 60},
		{`{hours: {start: "00:00", end: "00:01"}}`, 7},
		// Sunday night runs into the next Monday, outside this week; the
		// Sunday before this week runs into this Monday.
		{`{days: [sunday], hours: {start: "20:00", end: "04:00"}}`, 4*60 + 4*60},
	}
	for _, tt := range tests {
		w := windowFor(t, tt.window)
		if got := minutesInside(w, monday, monday.AddDate(0, 0, 7)); got != tt.minutes {
			t.Errorf("%s: open %d minutes a week, want %d", tt.window, got, tt.minutes)
		}
	}
}

func TestParseClock(t *testing.T) {
	good := map[string]int{"00:00": 0, "09:30": 570, "23:59": 1439, "12:00": 720}
	for s, want := range good {
		if got, err := parseClock(s); err != nil || got != want {
			t.Errorf("parseClock(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "9:00", "24:00", "12:60", "12-00", "ab:cd", "12:000", " 9:00", "+1:00", "1200"} {
		if _, err := parseClock(s); err == nil {
			t.Errorf("parseClock(%q) succeeded, want an error", s)
		}
	}
}

func TestWindowString(t *testing.T) {
	w := windowFor(t, `{days: [mon, FRIDAY], hours: {start: "09:00", end: "18:00"}, timezone: Europe/Berlin}`)
	if got := w.String(); got != "monday,friday 09:00-18:00 Europe/Berlin" {
		t.Errorf("String() = %q", got)
	}
	w = windowFor(t, `{hours: {start: "22:00", end: "06:00"}}`)
	if got := w.String(); got != "every day 22:00-06:00 UTC" {
		t.Errorf("String() = %q", got)
	}
}

// TestZeroWindow checks that a TimeWindow built by hand, not by Load,
// reads as "always, in UTC" rather than panicking.
func TestZeroWindow(t *testing.T) {
	var w TimeWindow
	if !w.Contains(time.Now()) {
		t.Error("zero TimeWindow does not contain now")
	}
}
