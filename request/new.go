package request

import (
	"fmt"
	"time"
)

// Defaults and bounds applied by New.
const (
	// MinDuration is the shortest access window a request may ask for; it
	// is also the shortest session STS issues.
	MinDuration = 15 * time.Minute
	// DefaultMaxDuration is the longest window when NewParams.MaxDuration
	// is zero.
	DefaultMaxDuration = 8 * time.Hour
	// DefaultPendingTTL is how long a request waits for reviewers when
	// NewParams.PendingTTL is zero.
	DefaultPendingTTL = 24 * time.Hour
)

// NewParams holds everything New needs to build a request. Zero values of
// MaxDuration, PendingTTL and Required select the defaults.
type NewParams struct {
	ID           string
	Requester    string
	RequesterARN string
	Profile      string
	// RoleARN is the role the policy pins the profile to; empty when the
	// policy binds no roles.
	RoleARN       string
	Justification string
	// Duration is the access window asked for, counted from approval.
	Duration time.Duration
	// MaxDuration is the longest window allowed (the policy's cap).
	MaxDuration time.Duration
	// PendingTTL is how long the request may stay pending.
	PendingTTL time.Duration
	// Required is the number of distinct approvals needed.
	Required int
	// Now is the creation time, from the caller's clock.
	Now time.Time
}

// New validates p and returns a pending request. Every validation failure
// wraps ErrInvalid and says which limit was broken; values over a limit are
// rejected, never silently capped, so the requester knows what they get.
func New(p NewParams) (*Request, error) {
	if !ValidID(p.ID) {
		return nil, fmt.Errorf("%w: id must be %d lowercase hex characters", ErrInvalid, IDLength)
	}
	if err := checkName("requester", p.Requester, MaxName); err != nil {
		return nil, err
	}
	if p.RequesterARN != "" {
		if err := checkName("requester ARN", p.RequesterARN, MaxARN); err != nil {
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
	ttl := p.PendingTTL
	if ttl == 0 {
		ttl = DefaultPendingTTL
	}
	if ttl < 0 {
		return nil, fmt.Errorf("%w: pending TTL %s must be positive", ErrInvalid, ttl)
	}
	required := p.Required
	if required == 0 {
		required = 1
	}
	if required < 0 {
		return nil, fmt.Errorf("%w: required approvals %d must be at least 1", ErrInvalid, required)
	}
	if p.Now.IsZero() {
		return nil, fmt.Errorf("%w: creation time is missing", ErrInvalid)
	}
	now := p.Now.UTC()
	return &Request{
		ID:            p.ID,
		Requester:     p.Requester,
		RequesterARN:  p.RequesterARN,
		Profile:       p.Profile,
		RoleARN:       p.RoleARN,
		Justification: justification,
		Duration:      p.Duration,
		Status:        StatusPending,
		Required:      required,
		CreatedAt:     now,
		UpdatedAt:     now,
		ExpiresAt:     now.Add(ttl),
	}, nil
}
