package breakglass

import (
	"cmp"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// Bounds applied by New and Close.
const (
	// MinJustification and MaxJustification bound the justification, in
	// runes.
	MinJustification = 20
	MaxJustification = 2000
	// MaxCloseReason caps the reason given for closing an event, in runes.
	MaxCloseReason = 1000
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
// Duration. Every validation failure wraps ErrInvalid (and
// record.ErrInvalid) and says which limit was broken; an over-long
// duration is rejected, never capped.
func New(p NewParams) (*Event, error) {
	justification, textErr := record.Text("justification", p.Justification, MinJustification, MaxJustification)
	if err := cmp.Or(
		record.CheckID(p.ID),
		record.Actor("invoker", p.Invoker, p.InvokerARN),
		record.Target(p.Profile, p.RoleARN),
		record.Require(ValidReasonCode(p.ReasonCode), "reason code %q must be one of incident, maintenance, security, recovery, other", p.ReasonCode),
		textErr,
		record.Duration(p.Duration, MinDuration, cmp.Or(p.MaxDuration, DefaultMaxDuration)),
		record.Require(!p.Now.IsZero(), "opening time is missing"),
	); err != nil {
		return nil, errs.Wrap(err)
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
