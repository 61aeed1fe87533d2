package policy

import (
	"fmt"
	"slices"
)

// Warnings lists what is valid but probably not meant: a policy without a
// profiles: section (names are then not bound to roles), an empty one
// (every profile is refused), and exact profile names that rules,
// approvals or break-glass rules mention but that are not pinned (with a
// profiles: section, those can never be used). Each Issue has the line it
// is about; Field is "" for the document as a whole.
func (p *Policy) Warnings() []Issue {
	if p == nil {
		return nil
	}
	if !p.hasPins {
		return []Issue{{Line: 1, Message: "no profiles: section: profile names are not bound to roles, so a person's AWS config decides which role a profile name assumes"}}
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
	slices.SortStableFunc(out, func(a, b Issue) int { return a.Line - b.Line })
	return out
}
