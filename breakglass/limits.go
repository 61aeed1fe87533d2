package breakglass

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// limitWindow is the rolling window the daily limit counts over.
const limitWindow = 24 * time.Hour

// Limits are the policy's limits on opening events, which Store.Open
// enforces in the same atomic write that opens the event.
type Limits struct {
	// Cooldown is how long after a user's last event on a LimitKey ended
	// they must wait before opening another on it; 0 means none.
	Cooldown time.Duration
	// MaxPerDay caps the events one user opens, on any profile, in any 24
	// hours; 0 means no cap.
	MaxPerDay int
}

// LimitError is how CheckLimits and Store.Open refuse a new event. It
// matches ErrLimit or ErrActiveExists with errors.Is.
type LimitError struct {
	// Err is ErrLimit or ErrActiveExists.
	Err error
	// Next is when the next event becomes possible (zero when unknown).
	Next time.Time
	// Detail says which limit, in a few words.
	Detail string
}

func (e *LimitError) Error() string {
	msg := e.Err.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if !e.Next.IsZero() {
		msg += "; next break-glass possible at " + e.Next.UTC().Format(time.RFC3339)
	}
	return msg
}

// Unwrap returns ErrLimit or ErrActiveExists.
func (e *LimitError) Unwrap() error { return e.Err }

// AsLimitError returns the *LimitError inside err, if any.
func AsLimitError(err error) (*LimitError, bool) {
	var le *LimitError
	ok := errors.As(err, &le)
	return le, ok
}

// CheckLimits decides whether the person with person key who (an
// Event.PersonKey) may open a new event on key (an Event.LimitKey) at now,
// given their past events (history, in any order; events of other people
// are ignored). It returns a *LimitError:
//   - matching ErrActiveExists if an active, unexpired event exists for the
//     invoker and key;
//   - matching ErrLimit if the invoker's last event on key ended less than
//     lim.Cooldown ago, or if they opened lim.MaxPerDay or more events (on
//     any key) in the 24 hours before now.
//
// People are compared by person key, never by a name the caller chose: a
// role's sessions share its limits whatever their session names, and a role
// session that calls itself alice neither holds alice's lock nor spends her
// quota. Limit keys are compared ignoring case, as IAM does, so that case
// games cannot dodge a limit. The check is pure: the stores call it inside
// the write that opens the event, which is what makes it hold under races.
func CheckLimits(history []*Event, who, key string, now time.Time, lim Limits) error {
	if lim.Cooldown < 0 || lim.MaxPerDay < 0 {
		return errs.Wrap(record.Invalidf("cooldown %s and daily limit %d must not be negative", lim.Cooldown, lim.MaxPerDay))
	}
	var (
		lastEnd     time.Time
		openedToday []time.Time
	)
	for _, e := range history {
		if e == nil || e.PersonKey() != who {
			continue
		}
		// Events opened after now count too: clients' clocks differ, and an
		// open checked with an earlier clock must not slip past one stored
		// by a later one.
		if e.OpenedAt.After(now.Add(-limitWindow)) {
			openedToday = append(openedToday, e.OpenedAt)
		}
		if !strings.EqualFold(e.LimitKey(), key) {
			continue
		}
		if e.ActiveAt(now) {
			return &LimitError{Err: ErrActiveExists, Next: e.ExpiresAt,
				Detail: fmt.Sprintf("event %s on profile %s is active until %s", e.ID, e.Profile, e.ExpiresAt.UTC().Format(time.RFC3339))}
		}
		if end, ok := e.EndedAt(now); ok && end.After(lastEnd) {
			lastEnd = end
		}
	}
	if !lastEnd.IsZero() && now.Sub(lastEnd) < lim.Cooldown {
		return &LimitError{Err: ErrLimit, Next: lastEnd.Add(lim.Cooldown),
			Detail: fmt.Sprintf("cooldown of %s after the last event on %s", lim.Cooldown, describeKey(key))}
	}
	if lim.MaxPerDay > 0 && len(openedToday) >= lim.MaxPerDay {
		// The limit frees up when enough of the oldest events in the window
		// age out that fewer than MaxPerDay remain.
		sort.Slice(openedToday, func(i, j int) bool { return openedToday[i].Before(openedToday[j]) })
		return &LimitError{Err: ErrLimit, Next: openedToday[len(openedToday)-lim.MaxPerDay].Add(limitWindow),
			Detail: fmt.Sprintf("%d break-glass events in the last 24h (limit %d)", len(openedToday), lim.MaxPerDay)}
	}
	return nil
}

// describeKey names a limit key for a message: a role ARN or a profile.
func describeKey(key string) string {
	if strings.HasPrefix(key, "arn:") {
		return "role " + key
	}
	return "profile " + key
}
