package policy

import (
	"fmt"
	"strings"
	"time"
)

// Evaluate decides r: the first rule whose conditions all hold, else deny.
// It neither parses nor allocates, so it is cheap enough for every
// credential request and every refresh in server mode. A nil policy denies.
//
// Rules are looked up by profile (see ruleIndex): only the rules that could
// match the request's profile are tried, in file order, so the decision is
// the one a scan of every rule would reach.
func (p *Policy) Evaluate(r Request) Decision {
	if p == nil || p.otherProfile(r.Profile) {
		return noMatch()
	}
	var lists [maxMerge][]int32
	if p.index == nil {
		return p.evaluateAll(&r)
	}
	n, ok := p.index.candidates(r.Profile, &lists)
	if !ok {
		return p.evaluateAll(&r)
	}
	var skipped zoneRead
	var d Decision
	found := false
	merged(&lists, n, func(i int) bool {
		d, found = p.try(i, &r, &skipped)
		return found
	})
	if found {
		return d
	}
	return skipped.fill(noMatch())
}

// evaluateAll decides r by trying every rule in order: what Evaluate does
// without an index, and what the index must agree with.
func (p *Policy) evaluateAll(r *Request) Decision {
	var skipped zoneRead
	for i := range p.Rules {
		if d, ok := p.try(i, r, &skipped); ok {
			return d
		}
	}
	return skipped.fill(noMatch())
}

// try returns the decision of rule i when it matches r.
func (p *Policy) try(i int, r *Request, skipped *zoneRead) (Decision, bool) {
	rule := &p.Rules[i]
	if !rule.matchesBesidesTime(r) {
		return Decision{}, false
	}
	if w := rule.Conditions.Time; w != nil && !w.Contains(r.Time) {
		skipped.note(w, r.Time)
		return Decision{}, false
	}
	return skipped.fill(rule.decide(p.ruleNum(i), r)), true
}

// zoneRead remembers the UTC offset of the first time window a decision
// read and that did not hold, for Decision.UTCOffset.
type zoneRead struct {
	offset int
	ok     bool
}

func (z *zoneRead) note(w *TimeWindow, t time.Time) {
	if !z.ok {
		z.offset, z.ok = w.utcOffset(t), true
	}
}

// fill gives d the offset of the first window skipped when its own rule
// read none.
func (z *zoneRead) fill(d Decision) Decision {
	if !d.HasUTCOffset && z.ok {
		d.UTCOffset, d.HasUTCOffset = z.offset, true
	}
	return d
}

// Explain decides r exactly as Evaluate does and also fills
// Decision.Misses: for each rule before the one that matched (every rule
// when none did), which conditions failed.
func (p *Policy) Explain(r Request) Decision {
	var misses []Miss
	var skipped zoneRead
	if p != nil && !p.otherProfile(r.Profile) {
		for i := range p.Rules {
			rule := &p.Rules[i]
			if why := rule.why(&r); len(why) > 0 {
				misses = append(misses, Miss{Rule: rule.Name, Index: p.ruleNum(i), Why: strings.Join(why, "; ")})
				if w := rule.Conditions.Time; w != nil && rule.matchesBesidesTime(&r) {
					skipped.note(w, r.Time)
				}
				continue
			}
			d := skipped.fill(rule.decide(p.ruleNum(i), &r))
			d.Misses = misses
			return d
		}
	}
	d := skipped.fill(noMatch())
	d.Misses = misses
	return d
}

func noMatch() Decision {
	return Decision{Effect: EffectDeny, RuleIndex: -1, Reason: ReasonNoMatch}
}

// matchesBesidesTime reports whether every condition of the rule but its
// time window holds for r. The window is checked last, by the caller, so
// that the decision knows which windows it read.
func (rule *Rule) matchesBesidesTime(r *Request) bool {
	return rule.compiled &&
		rule.profiles.match(r.Profile) &&
		rule.users.match(r.ARN) &&
		rule.roles.match(r.Roles) &&
		rule.modes.match(r.Mode)
}

// why lists the conditions of the rule that do not hold for r; it is empty
// exactly when matches is true.
func (rule *Rule) why(r *Request) []string {
	if !rule.compiled {
		return []string{"rule was not loaded from a policy file"}
	}
	var why []string
	if !rule.profiles.match(r.Profile) {
		why = append(why, fmt.Sprintf("profile %q not in %v", r.Profile, rule.Conditions.Profiles))
	}
	if !rule.users.match(r.ARN) {
		who := fmt.Sprintf("%q", r.User)
		if r.ARN != "" {
			who += fmt.Sprintf(" (%s)", r.ARN)
		}
		why = append(why, fmt.Sprintf("user %s not in %v%s", who, rule.Conditions.Users, rule.users.hint(r.ARN)))
	}
	if !rule.roles.match(r.Roles) {
		why = append(why, rule.roles.why(r.Roles, rule.Conditions.Roles))
	}
	if !rule.modes.match(r.Mode) {
		why = append(why, fmt.Sprintf("mode %q not in %v", r.Mode, rule.Conditions.Modes))
	}
	if w := rule.Conditions.Time; w != nil && !w.Contains(r.Time) {
		why = append(why, fmt.Sprintf("time %s outside %s", w.describeTime(r.Time), w))
	}
	return why
}

// decide builds the decision of the rule at index i for the request r it
// matched.
func (rule *Rule) decide(i int, r *Request) Decision {
	mode := r.Mode
	d := Decision{
		Effect:      rule.Effect,
		Rule:        rule.Name,
		RuleIndex:   i,
		Reason:      rule.Reason,
		MaxDuration: rule.MaxDuration,
	}
	if w := rule.Conditions.Time; w != nil {
		d.WindowEnd = w.OccurrenceEnd(r.Time)
		d.UTCOffset, d.HasUTCOffset = w.utcOffset(r.Time), true
	}
	switch rule.Effect {
	case EffectAllow:
		d.Allowed = true
	case EffectRequireServer:
		if mode == ModeServer {
			d.Allowed = true
		} else {
			d.Reason = rule.serverReason
		}
	}
	return d
}
