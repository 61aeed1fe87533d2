package broker

import (
	"errors"
	"fmt"
	"time"
)

// STS limits on the lifetime of credentials.
const (
	minSTSDuration     = 15 * time.Minute
	maxSTSDuration     = 12 * time.Hour
	defaultDuration    = time.Hour
	maxChainedDuration = time.Hour // role chaining: AssumeRole with role credentials
)

// ErrWindowTooShort means the approval or break-glass window has less left
// than STS's 15-minute minimum, so no credentials can be issued that do not
// outlive it.
var ErrWindowTooShort = errors.New("access window too short")

type durationCaps struct {
	requested  time.Duration
	ruleMax    time.Duration
	pinMax     time.Duration // the policy pin's max_duration for the profile
	profileMax time.Duration
	windowEnd  time.Time // zero when no approval or break-glass applies
	now        time.Time
	grantName  string // "approval <id>" or "break-glass <id>", for messages
}

// capDuration applies the caps in order: requested (or the profile's
// duration_seconds, else one hour), the rule's max_duration, the profile's
// duration_seconds, then the end of the approval or break-glass window.
// The result is whole seconds, rounded down, so credentials never outlive
// the grant.
func capDuration(c durationCaps) (time.Duration, error) {
	if c.requested != 0 && c.requested < minSTSDuration {
		return 0, fmt.Errorf("duration %s is below the 15m minimum STS accepts", c.requested)
	}
	if c.requested > maxSTSDuration {
		return 0, fmt.Errorf("duration %s is above the 12h maximum STS accepts", c.requested)
	}
	d := c.requested
	if d == 0 {
		d = defaultDuration
		if c.profileMax > 0 {
			d = c.profileMax
		}
	}
	if c.ruleMax > 0 && d > c.ruleMax {
		d = c.ruleMax
	}
	if c.pinMax > 0 && d > c.pinMax {
		d = c.pinMax
	}
	if c.profileMax > 0 && d > c.profileMax {
		d = c.profileMax
	}
	if !c.windowEnd.IsZero() {
		left := c.windowEnd.Sub(c.now)
		if d > left {
			d = left
		}
		if d < minSTSDuration {
			return 0, fmt.Errorf("%w: %s ends at %s (%s left), shorter than the 15m minimum STS accepts: ask for a new approval with `sentinel request` (or open a new break-glass event once this one ends)",
				ErrWindowTooShort, c.grantName, c.windowEnd.UTC().Format(time.RFC3339), left.Truncate(time.Second))
		}
	}
	if d < minSTSDuration {
		return 0, fmt.Errorf("duration %s (from the profile's duration_seconds) is below the 15m minimum STS accepts", d)
	}
	return d.Truncate(time.Second), nil
}
