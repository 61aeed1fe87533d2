package policy

import (
	"slices"
	"time"
)

// Defaults of the breakglass: section (see the package doc).
const (
	DefaultBreakglassMaxDuration = time.Hour
)

// reasonCodes are the break-glass reason codes, the same five as the
// breakglass package's ReasonCode constants (this package imports only the
// standard library, so it names them again).
var reasonCodes = []string{"incident", "maintenance", "security", "recovery", "other"}

// BreakglassRule says who may break the glass for some profiles, why, for
// how long and how often.
type BreakglassRule struct {
	// Name identifies the rule; unique among break-glass rules.
	Name string
	// Profiles are exact profile names or globs (see Matching in the package doc).
	Profiles []string
	// Users may break the glass: bare principal names, or full ARNs and
	// ARN globs.
	Users []string
	// ReasonCodes are the reason codes allowed (default all five).
	ReasonCodes []string
	// MaxDuration is the longest a break-glass event may last (default 1h).
	MaxDuration time.Duration
	// Cooldown is how long a user waits, per profile, after their last
	// event closed or expired before opening another (0 = no wait).
	Cooldown time.Duration
	// MaxPerDay caps a user's events in any rolling 24 hours (0 = no cap).
	MaxPerDay int
	// Line is where the rule starts in the file.
	Line int

	profiles profileSet
	users    principalSet
}

// BreakglassRuleFor returns the first break-glass rule that matches both
// profile and the principal with ARN arn (user is not consulted, as in
// ApprovalRule.IsApprover), and false when none does.
func (p *Policy) BreakglassRuleFor(profile, user, arn string) (*BreakglassRule, bool) {
	if p == nil || p.otherProfile(profile) {
		return nil, false
	}
	for i := range p.Breakglass {
		b := &p.Breakglass[i]
		if b.profiles.match(profile) && b.users.match(arn) {
			return b, true
		}
	}
	return nil, false
}

// AllowsReason reports whether code is one of the rule's reason codes.
func (b *BreakglassRule) AllowsReason(code string) bool {
	return slices.Contains(b.ReasonCodes, code)
}
