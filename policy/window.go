package policy

import (
	"fmt"
	"strings"
	"time"
)

// TimeWindow limits a rule to some days and hours, in one timezone.
// Build one with Load or Parse: the exported fields describe it, the
// compiled ones decide.
type TimeWindow struct {
	// Days are the weekdays the window opens on; empty means every day.
	Days []time.Weekday
	// Start and End are "HH:MM" wall-clock times, [Start, End); End before
	// Start is an overnight window. Both empty means the whole day.
	Start, End string
	// Timezone is the IANA name the window is read in.
	Timezone string

	loc        *time.Location
	dayMask    uint8 // bit 1<<weekday; 0 means every day
	hours      bool  // false when the window is whole days
	start, end int   // minutes after midnight
}

// Contains reports whether t falls inside the window. It neither parses
// nor allocates. The part of an overnight window after midnight belongs to
// the day the window started.
func (w *TimeWindow) Contains(t time.Time) bool {
	local := t.In(w.location())
	day := local.Weekday()
	if !w.hours {
		return w.onDay(day)
	}
	h, m, _ := local.Clock()
	now := h*60 + m
	if w.start < w.end {
		return now >= w.start && now < w.end && w.onDay(day)
	}
	// Overnight: the evening part opened today, the early-morning part
	// opened yesterday.
	switch {
	case now >= w.start:
		return w.onDay(day)
	case now < w.end:
		return w.onDay((day + 6) % 7)
	}
	return false
}

// utcOffset is the offset from UTC, in seconds east, of the window's zone
// at t.
func (w *TimeWindow) utcOffset(t time.Time) int {
	_, off := t.In(w.location()).Zone()
	return off
}

func (w *TimeWindow) location() *time.Location {
	if w.loc == nil {
		return time.UTC
	}
	return w.loc
}

func (w *TimeWindow) onDay(d time.Weekday) bool {
	return w.dayMask == 0 || w.dayMask&(1<<d) != 0
}

// String describes the window for explanations, like
// "monday,friday 09:00-18:00 Europe/Berlin".
func (w *TimeWindow) String() string {
	days := "every day"
	if len(w.Days) > 0 {
		names := make([]string, len(w.Days))
		for i, d := range w.Days {
			names[i] = strings.ToLower(d.String())
		}
		days = strings.Join(names, ",")
	}
	hours := "all day"
	if w.hours {
		hours = w.Start + "-" + w.End
	}
	return days + " " + hours + " " + w.zone()
}

// describeTime renders t as the window sees it, like "saturday 03:00
// Europe/Berlin", so that an explanation shows the time that was compared.
func (w *TimeWindow) describeTime(t time.Time) string {
	local := t.In(w.location())
	return strings.ToLower(local.Weekday().String()) + " " + local.Format("15:04") + " " + w.zone()
}

func (w *TimeWindow) zone() string {
	if w.Timezone == "" {
		return "UTC"
	}
	return w.Timezone
}

// weekdays maps the names a policy may use to weekdays: full English names
// and three-letter abbreviations, in any case.
var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "sun": time.Sunday,
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
}

func parseWeekday(s string) (time.Weekday, error) {
	d, ok := weekdays[strings.ToLower(s)]
	if !ok {
		return 0, fmt.Errorf("unknown weekday %q (want monday..sunday or mon..sun)", s)
	}
	return d, nil
}

// parseClock reads "HH:MM" (two digits each, 00:00 to 23:59) as minutes
// after midnight.
func parseClock(s string) (int, error) {
	bad := fmt.Errorf("bad time %q (want HH:MM from 00:00 to 23:59)", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	digits := [4]byte{s[0], s[1], s[3], s[4]}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, bad
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, bad
	}
	return h*60 + m, nil
}
