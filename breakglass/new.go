package breakglass

import (
	"fmt"
	"time"
)

// Bounds applied by New.
const (
	// MinDuration is the shortest event; it is also the shortest session
	// STS issues.
	MinDuration = 15 * time.Minute
	// DefaultMaxDuration is the longest event when NewParams.MaxDuration is
	// zero. Emergency access is kept short unless the policy says otherwise.
	DefaultMaxDuration = 4 * time.Hour
)

// NewParams holds everything New needs to open an event.
type NewParams struct {
	ID         string
	Invoker    string
	InvokerARN string
	Profile    string
	// RoleARN is the role the policy pins the profile to; empty when the
	// policy binds no roles.
	RoleARN       string
	ReasonCode    ReasonCode
	Justification string
	// Duration is how long the access lasts from Now.
	Duration time.Duration
	// MaxDuration is the longest event allowed (the policy's cap); zero
	// selects DefaultMaxDuration.
	MaxDuration time.Duration
	// Now is the opening time, from the caller's clock.
	Now time.Time
}

// ValidReasonCode reports whether c is one of the five reason codes.
func ValidReasonCode(c ReasonCode) bool {
	switch c {
	case ReasonIncident, ReasonMaintenance, ReasonSecurity, ReasonRecovery, ReasonOther:
		return true
	}
	return false
}

// New validates p and returns an active event that expires at Now plus
// Duration. Every validation failure wraps ErrInvalid and says which limit
// was broken; an over-long duration is rejected, never capped.
func New(p NewParams) (*Event, error) {
	if !ValidID(p.ID) {
		return nil, fmt.Errorf("%w: id must be %d lowercase hex characters", ErrInvalid, IDLength)
	}
	if err := checkName("invoker", p.Invoker, MaxName); err != nil {
		return nil, err
	}
	if p.InvokerARN != "" {
		if err := checkName("invoker ARN", p.InvokerARN, MaxARN); err != nil {
			return nil, err
		}
	}
	if err := checkName("profile", p.Profile, MaxName); err != nil {
		return nil, err
	}
	if p.RoleARN != "" {
		if err := checkName("role ARN", p.RoleARN, MaxARN); err != nil {
			return nil, err
		}
	}
	if !ValidReasonCode(p.ReasonCode) {
		return nil, fmt.Errorf("%w: reason code %q must be one of incident, maintenance, security, recovery, other", ErrInvalid, p.ReasonCode)
	}
	justification, err := checkText("justification", p.Justification, MinJustification, MaxJustification)
	if err != nil {
		return nil, err
	}
	maxDuration := p.MaxDuration
	if maxDuration == 0 {
		maxDuration = DefaultMaxDuration
	}
	if maxDuration < MinDuration {
		return nil, fmt.Errorf("%w: maximum duration %s is below the minimum %s", ErrInvalid, maxDuration, MinDuration)
	}
	if p.Duration < MinDuration || p.Duration > maxDuration {
		return nil, fmt.Errorf("%w: duration %s must be between %s and %s", ErrInvalid, p.Duration, MinDuration, maxDuration)
	}
	if p.Now.IsZero() {
		return nil, fmt.Errorf("%w: opening time is missing", ErrInvalid)
	}
	now := p.Now.UTC()
	return &Event{
		ID:            p.ID,
		Invoker:       p.Invoker,
		InvokerARN:    p.InvokerARN,
		Profile:       p.Profile,
		RoleARN:       p.RoleARN,
		ReasonCode:    p.ReasonCode,
		Justification: justification,
		Duration:      p.Duration,
		Status:        StatusActive,
		OpenedAt:      now,
		ExpiresAt:     now.Add(p.Duration),
	}, nil
}
