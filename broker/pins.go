package broker

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// chainRoles lists the role ARNs a chain assumes, base to target: what the
// policy's pins and roles: conditions are checked against.
func chainRoles(chain *vault.Chain) []string {
	roles := make([]string, len(chain.Roles))
	for i, r := range chain.Roles {
		roles[i] = r.RoleARN
	}
	return roles
}

// boundRole is the role a profile's approvals and break-glass events are
// bound to: the pinned role when the policy pins the profile (the person's
// own config cannot choose it), else the role the person's config resolves
// the profile to, else "".
func (b *Broker) boundRole(profile string) string {
	if pin, ok := b.Policy.Pin(profile); ok {
		return pin.RoleARN
	}
	if b.Profiles == nil || b.Keys == nil {
		return ""
	}
	chain, err := vault.ResolveChain(b.Profiles, profile, b.Keys.Has)
	if err != nil {
		return ""
	}
	return lastRoleARN(chain)
}

// recordRoleMatches says whether an approval or break-glass record bound
// to recorded may be spent on a chain ending in role. With pins every
// record must name the pinned role; without them a record from before
// roles were recorded still counts for its profile name, as it always did.
func (b *Broker) recordRoleMatches(recorded, role string) bool {
	if recorded == "" {
		return !b.Policy.HasPins()
	}
	return strings.EqualFold(recorded, role)
}

// ErrOutsideWindow is matched by a refusal because the rule that allows
// the request is about to close its time window.
var ErrOutsideWindow = errors.New("the rule's time window is closing")

// WindowClosingError says that less than STS's 15-minute minimum is left
// in the time window of the allowing rule: when it closes and when it
// next opens.
type WindowClosingError struct {
	Rule     string
	Closes   time.Time
	NextOpen time.Time // zero if it never opens again
}

func (e *WindowClosingError) Error() string {
	next := "it does not open again"
	if !e.NextOpen.IsZero() {
		next = "it next opens at " + e.NextOpen.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("rule %s allows access only until %s, less than the 15m minimum STS accepts; %s",
		e.Rule, e.Closes.UTC().Format(time.RFC3339), next)
}

// Is makes errors.Is match ErrOutsideWindow and ErrDenied.
func (e *WindowClosingError) Is(target error) bool {
	return target == ErrOutsideWindow || target == ErrDenied
}

// ruleWindowEnd returns when an allow must end because its rule's time
// window closes (zero when the rule has no window), or a
// *WindowClosingError when less than the STS minimum is left.
func (b *Broker) ruleWindowEnd(dec policy.Decision, now time.Time) (time.Time, error) {
	if dec.WindowEnd.IsZero() {
		return time.Time{}, nil
	}
	if dec.WindowEnd.Sub(now) < minSTSDuration {
		return time.Time{}, &WindowClosingError{Rule: dec.Rule, Closes: dec.WindowEnd, NextOpen: b.Policy.NextWindowOpen(dec.RuleIndex, dec.WindowEnd)}
	}
	return dec.WindowEnd, nil
}
