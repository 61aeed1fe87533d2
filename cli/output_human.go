package cli

import (
	"strconv"
	"time"
)

// humanDuration renders d for people in at most two units, rounded down:
// "42s", "42m", "1h", "1h30m", "2d", "2d3h". Tables use it; JSON keeps
// exact times and seconds.
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	const day = 24 * time.Hour
	two := func(n1 int64, u1 string, n2 int64, u2 string) string {
		s := strconv.FormatInt(n1, 10) + u1
		if n2 > 0 {
			s += strconv.FormatInt(n2, 10) + u2
		}
		return s
	}
	switch {
	case d < time.Minute:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d < day:
		return two(int64(d/time.Hour), "h", int64(d%time.Hour/time.Minute), "m")
	}
	return two(int64(d/day), "d", int64(d%day/time.Hour), "h")
}

// relativeTime renders t against now for tables: "in 42m", "3m ago",
// "now" within a second, "-" for the zero time.
func relativeTime(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := t.Sub(now)
	switch {
	case d > -time.Second && d < time.Second:
		return "now"
	case d > 0:
		return "in " + humanDuration(d)
	}
	return humanDuration(d) + " ago"
}
