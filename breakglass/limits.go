package breakglass

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// limitWindow is the rolling window the daily limit counts over.
const limitWindow = 24 * time.Hour

// CheckLimits decides whether invoker may open a new event on profile at now,
// given their past events (history, in any order; events of other users are
// ignored). It returns:
//   - ErrActiveExists if an active, unexpired event exists for the invoker
//     and profile;
//   - ErrLimit if the invoker's last event on the profile ended less than
//     cooldown ago, or if they opened maxPerDay or more events (on any
//     profile) in the 24 hours before now. maxPerDay 0 means no daily limit.
//
// The ErrLimit message says when the next event becomes possible. User names
// are compared ignoring case, as IAM does, so that case games cannot dodge a
// limit. The check is pure; the store's lock is what makes "one active event"
// hold under races.
func CheckLimits(history []*Event, invoker, profile string, now time.Time, cooldown time.Duration, maxPerDay int) error {
	if cooldown < 0 || maxPerDay < 0 {
		return fmt.Errorf("%w: cooldown %s and daily limit %d must not be negative", ErrInvalid, cooldown, maxPerDay)
	}
	var (
		lastEnd     time.Time
		openedToday []time.Time
	)
	for _, e := range history {
		if e == nil || !strings.EqualFold(e.Invoker, invoker) {
			continue
		}
		if e.OpenedAt.After(now.Add(-limitWindow)) && !e.OpenedAt.After(now) {
			openedToday = append(openedToday, e.OpenedAt)
		}
		if !strings.EqualFold(e.Profile, profile) {
			continue
		}
		if e.ActiveAt(now) {
			return fmt.Errorf("%w: event %s on profile %s is active until %s", ErrActiveExists, e.ID, e.Profile, e.ExpiresAt.UTC().Format(time.RFC3339))
		}
		if end, ok := e.EndedAt(now); ok && end.After(lastEnd) {
			lastEnd = end
		}
	}
	if !lastEnd.IsZero() && now.Sub(lastEnd) < cooldown {
		next := lastEnd.Add(cooldown)
		return fmt.Errorf("%w: cooldown of %s after the last event on profile %s; next break-glass possible at %s",
			ErrLimit, cooldown, profile, next.UTC().Format(time.RFC3339))
	}
	if maxPerDay > 0 && len(openedToday) >= maxPerDay {
		// The limit frees up when enough of the oldest events in the window
		// age out that fewer than maxPerDay remain.
		sort.Slice(openedToday, func(i, j int) bool { return openedToday[i].Before(openedToday[j]) })
		next := openedToday[len(openedToday)-maxPerDay].Add(limitWindow)
		return fmt.Errorf("%w: %d break-glass events in the last 24h (limit %d); next break-glass possible at %s",
			ErrLimit, len(openedToday), maxPerDay, next.UTC().Format(time.RFC3339))
	}
	return nil
}
