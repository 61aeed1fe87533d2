package request

import (
	"cmp"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// Defaults and bounds applied by New.
const (
	// MinJustification and MaxJustification bound the justification, in
	// runes (Unicode code points) so that non-English text gets the same
	// allowance.
	MinJustification = 10
	MaxJustification = 1000
	// MaxComment caps a reviewer's comment, in runes.
	MaxComment = 1000
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
// wraps ErrInvalid (and record.ErrInvalid) and says which limit was broken;
// values over a limit are rejected, never silently capped, so the
// requester knows what they get.
func New(p NewParams) (*Request, error) {
	justification, textErr := record.Text("justification", p.Justification, MinJustification, MaxJustification)
	ttl, required := cmp.Or(p.PendingTTL, DefaultPendingTTL), cmp.Or(p.Required, 1)
	if err := cmp.Or(
		record.CheckID(p.ID),
		record.Actor("requester", p.Requester, p.RequesterARN),
		record.Target(p.Profile, p.RoleARN),
		textErr,
		record.Duration(p.Duration, MinDuration, cmp.Or(p.MaxDuration, DefaultMaxDuration)),
		record.Require(ttl > 0, "pending TTL %s must be positive", ttl),
		record.Require(required > 0, "required approvals %d must be at least 1", required),
		record.Require(!p.Now.IsZero(), "creation time is missing"),
	); err != nil {
		return nil, errs.Wrap(err)
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
