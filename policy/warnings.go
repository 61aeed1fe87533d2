package policy

import (
	"fmt"
	"slices"
	"strings"
)

// PlaceholderApprover is the approver `sentinel policy init` writes for
// the person to replace. It is a valid bare name, so the starter policy
// loads, but Warnings flags every approval rule that still holds it.
const PlaceholderApprover = "REPLACE-ME"

// Warnings lists what is valid but probably not meant: a policy without a
// profiles: section (names are then not bound to roles), an empty one
// (every profile is refused), and exact profile names that rules,
// approvals or break-glass rules mention but that are not pinned (with a
// profiles: section, those can never be used), a require_approval rule for
// profiles no approval rule covers (nobody could approve), a deny rule for
// profiles no break-glass rule covers for anyone (nothing can lift it), and
// approvers still set to PlaceholderApprover. Each Issue has the line it
// is about; Field is "" for the document as a whole.
func (p *Policy) Warnings() []Issue {
	if p == nil {
		return nil
	}
	if !p.hasPins {
		return append([]Issue{{Line: 1, Message: "no profiles: section: profile names are not bound to roles, so a person's AWS config decides which role a profile name assumes"}}, p.uncoveredWarnings()...)
	}
	if len(p.Pins) == 0 {
		return []Issue{{Line: 1, Field: "profiles", Message: "empty profiles: section: every profile is refused"}}
	}
	var out []Issue
	unpinned := func(line int, field string, profiles []string) {
		for _, name := range profiles {
			if isGlob(name) {
				continue
			}
			if _, ok := p.Pins[name]; !ok {
				out = append(out, Issue{Line: line, Field: field, Message: fmt.Sprintf("profile %q is not in profiles:, so this entry never applies", name)})
			}
		}
	}
	for i, r := range p.Rules {
		unpinned(r.Line, index("rules", i)+".conditions.profiles", r.Conditions.Profiles)
	}
	for i, a := range p.Approvals {
		unpinned(a.Line, index("approvals", i)+".profiles", a.Profiles)
	}
	for i, b := range p.Breakglass {
		unpinned(b.Line, index("breakglass", i)+".profiles", b.Profiles)
	}
	out = append(out, p.uncoveredWarnings()...)
	for i, a := range p.Approvals {
		if slices.Contains(a.Approvers, PlaceholderApprover) {
			out = append(out, Issue{Line: a.Line, Field: index("approvals", i) + ".approvers",
				Message: fmt.Sprintf("approver %s is a placeholder: put the people who may approve here", PlaceholderApprover)})
		}
	}
	slices.SortStableFunc(out, func(a, b Issue) int { return a.Line - b.Line })
	return out
}

// uncoveredWarnings flags require_approval rules whose profiles no
// approval rule covers, and deny rules whose profiles no break-glass rule
// covers for anyone. A rule's profiles are the pinned names it matches
// (every pinned name when it names none); a glob that matches no pinned
// name says nothing about a concrete profile and is left alone.
func (p *Policy) uncoveredWarnings() []Issue {
	var out []Issue
	for i := range p.Rules {
		r := &p.Rules[i]
		var missing []string
		switch r.Effect {
		case EffectRequireApproval:
			for _, name := range p.ruleProfiles(r) {
				if _, ok := p.ApprovalRuleFor(name); !ok {
					missing = append(missing, name)
				}
			}
			if len(missing) > 0 {
				out = append(out, Issue{Line: r.Line, Field: index("rules", i),
					Message: fmt.Sprintf("require_approval rule %q: no approval rule covers %s, so nobody can approve a request", r.Name, strings.Join(missing, ", "))})
			}
		case EffectDeny:
			for _, name := range p.ruleProfiles(r) {
				if !p.breakglassCovers(name) {
					missing = append(missing, name)
				}
			}
			if len(missing) > 0 {
				out = append(out, Issue{Line: r.Line, Field: index("rules", i),
					Message: fmt.Sprintf("deny rule %q: no break-glass rule covers %s for anyone, so nothing can lift this deny", r.Name, strings.Join(missing, ", "))})
			}
		}
	}
	return out
}

// ruleProfiles lists, sorted, the concrete profile names rule r can match:
// the pinned names it matches, or its exact names when the policy pins
// nothing.
func (p *Policy) ruleProfiles(r *Rule) []string {
	var names []string
	if !p.hasPins {
		for _, name := range r.Conditions.Profiles {
			if !isGlob(name) {
				names = append(names, name)
			}
		}
	} else {
		for name := range p.Pins {
			if r.profiles.match(name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// breakglassCovers reports whether any break-glass rule, for any user,
// names profile.
func (p *Policy) breakglassCovers(profile string) bool {
	for i := range p.Breakglass {
		if p.Breakglass[i].profiles.match(profile) {
			return true
		}
	}
	return false
}
