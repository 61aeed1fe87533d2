package policy

import "time"

// Defaults and bounds of the approvals: section (see the package doc).
const (
	DefaultApprovalMaxDuration = 8 * time.Hour
	DefaultRequestTTL          = 24 * time.Hour
)

// ApprovalRule says who may approve requests for some profiles, and when
// a request is approved without a human.
type ApprovalRule struct {
	// Name identifies the rule; unique among approval rules.
	Name string
	// Profiles are exact profile names or globs (see Matching in the package doc).
	Profiles []string
	// Approvers are bare principal names, or full ARNs and ARN globs. A requester never
	// approves their own request: that check belongs to whoever records
	// the approval, since only it knows the requester.
	Approvers []string
	// Required is how many distinct approvers must approve (default 1).
	Required int
	// MaxDuration is the longest access an approved request may grant
	// (default 8h).
	MaxDuration time.Duration
	// RequestTTL is how long a pending request waits for approvals before
	// it expires (default 24h).
	RequestTTL time.Duration
	// AutoApprove, when set, approves matching requests without a human.
	AutoApprove *AutoApprove
	// Line is where the rule starts in the file.
	Line int

	profiles  profileSet
	approvers principalSet
}

// AutoApprove lists when a request is approved without a human: every
// condition given must hold.
type AutoApprove struct {
	// Users are the requesters that may be auto-approved; empty means any
	// requester (the time window then does the limiting).
	Users []string
	// Time, when set, is the window in which auto-approval applies.
	Time *TimeWindow
	// MaxDuration is the longest duration auto-approved; it defaults to,
	// and may not exceed, the approval rule's MaxDuration.
	MaxDuration time.Duration

	users principalSet
}

// ApprovalRuleFor returns the first approval rule whose profiles match
// profile, and false when none does.
func (p *Policy) ApprovalRuleFor(profile string) (*ApprovalRule, bool) {
	if p == nil || p.otherProfile(profile) {
		return nil, false
	}
	for i := range p.Approvals {
		if p.Approvals[i].profiles.match(profile) {
			return &p.Approvals[i], true
		}
	}
	return nil, false
}

// IsApprover reports whether the principal with ARN arn is one of the
// rule's approvers. user is not consulted: bare names are matched against
// the name in arn (see the package doc); it is kept so callers pass the
// whole identity.
func (a *ApprovalRule) IsApprover(user, arn string) bool {
	return a.approvers.match(arn)
}

// AutoApproves reports whether a request by the principal with ARN arn
// (user is not consulted, as in IsApprover) made at time at for
// duration d is approved without a human. d must be the concrete duration
// asked for: 0 or a negative duration is never auto-approved, so that an
// unset value cannot slip past the cap.
func (a *ApprovalRule) AutoApproves(user, arn string, at time.Time, d time.Duration) bool {
	aa := a.AutoApprove
	if aa == nil {
		return false
	}
	if !aa.users.match(arn) {
		return false
	}
	if aa.Time != nil && !aa.Time.Contains(at) {
		return false
	}
	return d > 0 && d <= aa.MaxDuration
}
