package policy

import (
	"fmt"
	"time"
)

// Mode is the way credentials are being asked for.
type Mode string

// The modes sentinel serves credentials in.
const (
	// ModeCLI is `sentinel exec`: credentials in a child's environment.
	ModeCLI Mode = "cli"
	// ModeCredentialProcess is the AWS SDK's credential_process protocol.
	ModeCredentialProcess Mode = "credential_process"
	// ModeServer is `sentinel exec --server`: a local credential server
	// that re-checks the policy on every refresh.
	ModeServer Mode = "server"
)

// modes lists every mode in the order error messages name them.
var modes = []Mode{ModeCLI, ModeCredentialProcess, ModeServer}

// modeBit is the bit of m in a mode mask, or 0 for an unknown mode.
func modeBit(m Mode) uint8 {
	for i, known := range modes {
		if m == known {
			return 1 << i
		}
	}
	return 0
}

// ParseMode returns the Mode named s, or an error naming the valid modes.
func ParseMode(s string) (Mode, error) {
	if modeBit(Mode(s)) == 0 {
		return "", fmt.Errorf("unknown mode %q (want cli, credential_process, server)", s)
	}
	return Mode(s), nil
}

// Effect is what a rule says should happen to a request it matches.
type Effect string

// The effects a rule may have.
const (
	// EffectAllow issues credentials.
	EffectAllow Effect = "allow"
	// EffectDeny refuses them.
	EffectDeny Effect = "deny"
	// EffectRequireApproval issues credentials only for an approved request.
	EffectRequireApproval Effect = "require_approval"
	// EffectRequireServer issues credentials only in server mode, where
	// every refresh is checked again and sessions can be revoked.
	EffectRequireServer Effect = "require_server"
)

// parseEffect returns the Effect named s, or an error naming the valid ones.
func parseEffect(s string) (Effect, error) {
	switch e := Effect(s); e {
	case EffectAllow, EffectDeny, EffectRequireApproval, EffectRequireServer:
		return e, nil
	}
	return "", fmt.Errorf("unknown effect %q (want allow, deny, require_approval, require_server)", s)
}

// Request is one request for credentials, as the policy sees it.
type Request struct {
	// User is the short principal name: the IAM user name, or the role
	// session name of an assumed role. It is shown in explanations only:
	// bare names in the policy are matched against the name in ARN, so
	// that User cannot claim a name the ARN does not carry.
	User string
	// ARN is the caller's full ARN.
	ARN string
	// Profile is the AWS profile asked for.
	Profile string
	// Roles are the role ARNs the profile's chain assumes, in order from
	// the base credentials to the target role; empty when the profile
	// assumes no role.
	Roles []string
	// Mode is how the credentials are being asked for.
	Mode Mode
	// Time is when the request is made; the caller passes its clock's now.
	Time time.Time
}

// Decision is the outcome of evaluating a Request.
type Decision struct {
	// Effect is what the matched rule says; EffectDeny when no rule matched.
	Effect Effect
	// Allowed is true for an allow rule, and for a require_server rule in
	// server mode.
	Allowed bool
	// Rule is the matched rule's name; "" when no rule matched.
	Rule string
	// RuleIndex is the matched rule's position; -1 when no rule matched.
	RuleIndex int
	// Reason explains the decision: the rule's reason, a default-deny
	// message, or how to satisfy a require_server rule.
	Reason string
	// MaxDuration caps the lifetime of issued credentials; 0 means no cap.
	MaxDuration time.Duration
	// WindowEnd is when the current occurrence of the matched rule's time
	// window closes: issued credentials must not outlive it. It is zero
	// when the rule has no time window, when no rule matched, and when the
	// window never closes (all seven whole days).
	WindowEnd time.Time
	// UTCOffset is the offset from UTC, in seconds east, of the zone a
	// time window was read in: the matched rule's window, else the first
	// window that did not hold on the way to the decision (the rules
	// before it that matched in all but the time). HasUTCOffset is false
	// when the decision read no window. The decision log records it, so
	// that a forged zone would show.
	UTCOffset    int
	HasUTCOffset bool
	// Misses is filled only by Explain: for each rule before the matched
	// one (every rule when none matched), why it did not match.
	Misses []Miss
}

// Miss says why one rule did not match a request.
type Miss struct {
	// Rule is the rule's name.
	Rule string
	// Index is the rule's position.
	Index int
	// Why lists the conditions that failed, separated by "; ".
	Why string
}

// ReasonNoMatch is the Reason of a Decision when no rule matched.
const ReasonNoMatch = "no rule matched (default deny)"

// reasonNeedsServer is the Reason of a require_server rule outside server
// mode (followed by the rule's own reason, if any).
const reasonNeedsServer = "this profile requires server mode: use `sentinel exec --server`"
