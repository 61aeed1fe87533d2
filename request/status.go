package request

import "time"

// EffectiveStatus is the status a reader should act on at now: a pending
// request whose ExpiresAt has passed reads as expired even before anyone
// stores that change (Kind.Effective).
func (r *Request) EffectiveStatus(now time.Time) Status { return Kind.Effective(r, now) }

// WindowEnd is when the access window of an approved request closes:
// DecidedAt plus Duration. It is the zero time for any other status.
func (r *Request) WindowEnd() time.Time {
	if r.Status != StatusApproved {
		return time.Time{}
	}
	return r.DecidedAt.Add(r.Duration)
}

// ActiveAt reports whether the request grants access at now: it is approved
// and its window has not closed.
func (r *Request) ActiveAt(now time.Time) bool {
	return r.Status == StatusApproved && now.Before(r.WindowEnd())
}
