package policy

import (
	"slices"
	"time"
)

// OccurrenceEnd returns when the occurrence of the window that contains t closes:
// the first instant after t that the window no longer contains. It is zero
// when t is outside the window, and when the window never closes (whole
// days, all seven of them). It does not allocate.
//
// Consecutive whole days are one occurrence (days [mon, tue] opened on
// Monday closes at Wednesday 00:00). Around daylight-saving changes the
// end follows the wall clock as Contains does: a window whose end time
// the clock skips closes at the jump, and one that the clock re-enters by
// falling back stays open until the end time comes round again.
func (w *TimeWindow) OccurrenceEnd(t time.Time) time.Time {
	if !w.Contains(t) {
		return time.Time{}
	}
	local := t.In(w.location())
	y, mo, d := local.Date()
	var days, minute int
	switch {
	case !w.hours:
		days = 1
		for days < 7 && w.onDay((local.Weekday()+time.Weekday(days))%7) {
			days++
		}
		if days == 7 {
			return time.Time{}
		}
	case w.start < w.end:
		minute = w.end
	default:
		h, m, _ := local.Clock()
		if h*60+m >= w.start {
			days = 1 // the evening part: it closes tomorrow morning
		}
		minute = w.end
	}
	return w.reach(t, time.Date(y, mo, d+days, 0, minute, 0, 0, time.UTC))
}

// reach returns the first instant from t on at which the local clock
// shows wall (a wall-clock time written as if in UTC), or earlier if the
// window closes first at a change of UTC offset. t must be inside the
// window, and every wall-clock time from t's up to wall inside the current
// occurrence.
func (w *TimeWindow) reach(t, wall time.Time) time.Time {
	cur := t
	// Each pass crosses one change of offset; real zones have at most two
	// a year, so a handful of passes covers any window.
	for range 8 {
		local := cur.In(w.location())
		_, offset := local.Zone()
		at := wall.Add(-time.Duration(offset) * time.Second)
		_, change := local.ZoneBounds()
		if change.IsZero() || at.Before(change) {
			return at
		}
		// The offset changes first. If the clock jumps out of the window
		// there, that is the end; otherwise go on from there.
		if !w.Contains(change) {
			return change
		}
		cur = change
	}
	return cur // never reached with real zones; the earliest safe answer
}

// nextOpenHorizon bounds NextOpen's search: a week, a day for an
// overnight part, and a day for daylight-saving changes.
const nextOpenHorizon = 9 * 24 * time.Hour

// NextOpen returns when the window next opens after t: the start of the
// first occurrence that begins after t (when t is inside an occurrence,
// the one after it). It is zero when the window never closes. It steps
// through wall-clock minutes, so it is exact wherever UTC offsets are
// whole minutes (every zone today), and meant for messages, not for the
// per-request path.
func (w *TimeWindow) NextOpen(t time.Time) time.Time {
	if w.Contains(t) {
		t = w.OccurrenceEnd(t)
		if t.IsZero() {
			return time.Time{}
		}
		if w.Contains(t) { // defensive: OccurrenceEnd is the first closed instant
			return time.Time{}
		}
	}
	limit := t.Add(nextOpenHorizon)
	for m := t.Truncate(time.Minute).Add(time.Minute); m.Before(limit); m = m.Add(time.Minute) {
		if w.Contains(m) {
			return m
		}
	}
	return time.Time{}
}

// NextWindowOpen returns when the time window of the rule at ruleIndex
// (Decision.RuleIndex) next opens after t, as TimeWindow.NextOpen. It is
// zero when there is no such rule or the rule has no time window.
func (p *Policy) NextWindowOpen(ruleIndex int, t time.Time) time.Time {
	if p != nil && p.view != nil {
		// A policy read for one profile holds some rules: find the one
		// at ruleIndex in the file.
		k, ok := slices.BinarySearch(p.view.ruleNums, ruleIndex)
		if !ok {
			return time.Time{}
		}
		ruleIndex = k
	}
	if p == nil || ruleIndex < 0 || ruleIndex >= len(p.Rules) {
		return time.Time{}
	}
	w := p.Rules[ruleIndex].Conditions.Time
	if w == nil {
		return time.Time{}
	}
	return w.NextOpen(t)
}
