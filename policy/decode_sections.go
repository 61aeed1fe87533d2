package policy

import (
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decodeOptionalSection decodes a section that may be left empty
// ("approvals:" with nothing after it) as a list of items.
func decodeOptionalSection[T any](d *decoder, n *yaml.Node, field, what string, one func(*yaml.Node, string, *uniqueNames) T) []T {
	if isNull(n) {
		return nil
	}
	items, ok := d.sequence(n, field, what)
	if !ok {
		return nil
	}
	return decodeItems(d, items, field, one)
}

// isNull reports an empty section ("approvals:" with nothing after it).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// approvals decodes the approvals: section; an empty one is fine.
func (d *decoder) approvals(n *yaml.Node, field string) []ApprovalRule {
	return decodeOptionalSection(d, n, field, "approval rules", d.approval)
}

func (d *decoder) approval(n *yaml.Node, field string, names *uniqueNames) ApprovalRule {
	a := ApprovalRule{
		Line:        n.Line,
		Required:    1,
		MaxDuration: DefaultApprovalMaxDuration,
		RequestTTL:  DefaultRequestTTL,
	}
	var hasName, hasProfiles, hasApprovers, approversOK, requiredOK bool
	var autoNode, requiredNode *yaml.Node
	requiredOK = true
	ok := d.mapping(n, field, []key{
		{"name", func(f string, v *yaml.Node) {
			hasName = true
			a.Name, _ = d.name(v, f)
			names.check(d, v, f, "approval rule", a.Name)
		}},
		{"profiles", func(f string, v *yaml.Node) {
			hasProfiles = true
			a.Profiles, a.profiles = d.profiles(v, f, "want the profiles this rule covers")
		}},
		{"approvers", func(f string, v *yaml.Node) {
			hasApprovers = true
			a.Approvers, a.approvers, approversOK = d.principals(v, f, "want at least one approver")
		}},
		{"required", func(f string, v *yaml.Node) {
			requiredNode = v
			a.Required, requiredOK = d.integer(v, f)
			if requiredOK && a.Required < 1 {
				d.addf(v, f, "must be at least 1, got %d", a.Required)
				requiredOK = false
			}
		}},
		{"max_duration", func(f string, v *yaml.Node) {
			if dur, ok := d.duration(v, f, minDuration, maxGrantDuration); ok {
				a.MaxDuration = dur
			}
		}},
		{"request_ttl", func(f string, v *yaml.Node) {
			if dur, ok := d.duration(v, f, minRequestTTL, maxRequestTTL); ok {
				a.RequestTTL = dur
			}
		}},
		// Decoded after the loop: its cap depends on max_duration, which
		// may come later in the mapping.
		{"auto_approve", func(_ string, v *yaml.Node) { autoNode = v }},
	})
	if !ok {
		return a
	}
	if !hasName {
		d.addf(n, join(field, "name"), "missing (every approval rule needs a name)")
	}
	if !hasProfiles {
		d.addf(n, join(field, "profiles"), "missing (want the profiles this rule covers)")
	}
	if !hasApprovers {
		d.addf(n, join(field, "approvers"), "missing (want at least one approver)")
	}
	if approversOK && requiredOK && a.Required > len(a.Approvers) {
		at := n
		if requiredNode != nil {
			at = requiredNode
		}
		d.addf(at, join(field, "required"), "%d approvals required but only %s listed", a.Required, plural(len(a.Approvers), "approver"))
	}
	if autoNode != nil {
		a.AutoApprove = d.autoApprove(autoNode, join(field, "auto_approve"), a.MaxDuration)
	}
	return a
}

// autoApprove decodes an auto_approve: block; its max_duration may not
// exceed the approval rule's, ruleMax.
func (d *decoder) autoApprove(n *yaml.Node, field string, ruleMax time.Duration) *AutoApprove {
	aa := &AutoApprove{MaxDuration: ruleMax}
	var hasUsers, hasTime bool
	ok := d.mapping(n, field, []key{
		{"users", func(f string, v *yaml.Node) {
			hasUsers = true
			aa.Users, aa.users, _ = d.principals(v, f, "leave users out to auto-approve any requester in the time window")
		}},
		{"time", func(f string, v *yaml.Node) { hasTime = true; aa.Time = d.window(v, f) }},
		{"max_duration", func(f string, v *yaml.Node) {
			dur, ok := d.duration(v, f, minDuration, maxGrantDuration)
			if !ok {
				return
			}
			if dur > ruleMax {
				d.addf(v, f, "%s is more than the approval rule's max_duration %s", FormatDuration(dur), FormatDuration(ruleMax))
				return
			}
			aa.MaxDuration = dur
		}},
	})
	// Auto-approval for anyone at any time would be an allow rule in
	// disguise; say so rather than accept it.
	if ok && !hasUsers && !hasTime {
		d.addf(n, field, "give users, time or both (to allow everyone always, write an allow rule)")
	}
	return aa
}

// breakglasses decodes the breakglass: section; an empty one is fine.
func (d *decoder) breakglasses(n *yaml.Node, field string) []BreakglassRule {
	return decodeOptionalSection(d, n, field, "break-glass rules", d.breakglass)
}

func (d *decoder) breakglass(n *yaml.Node, field string, names *uniqueNames) BreakglassRule {
	b := BreakglassRule{
		Line:        n.Line,
		ReasonCodes: slices.Clone(reasonCodes),
		MaxDuration: DefaultBreakglassMaxDuration,
	}
	var hasName, hasProfiles, hasUsers bool
	ok := d.mapping(n, field, []key{
		{"name", func(f string, v *yaml.Node) {
			hasName = true
			b.Name, _ = d.name(v, f)
			names.check(d, v, f, "break-glass rule", b.Name)
		}},
		{"profiles", func(f string, v *yaml.Node) {
			hasProfiles = true
			b.Profiles, b.profiles = d.profiles(v, f, "want the profiles this rule covers")
		}},
		{"users", func(f string, v *yaml.Node) {
			hasUsers = true
			b.Users, b.users, _ = d.principals(v, f, "want the users who may break the glass")
		}},
		{"reason_codes", func(f string, v *yaml.Node) {
			list, _ := d.strList(v, f, "leave reason_codes out to allow all five")
			b.ReasonCodes = nil
			for i, code := range list {
				if !slices.Contains(reasonCodes, code) {
					d.addf(itemNode(v, i), f, "unknown reason code %q (want %s)", code, strings.Join(reasonCodes, ", "))
					continue
				}
				b.ReasonCodes = append(b.ReasonCodes, code)
			}
		}},
		{"max_duration", func(f string, v *yaml.Node) {
			if dur, ok := d.duration(v, f, minDuration, maxGrantDuration); ok {
				b.MaxDuration = dur
			}
		}},
		{"cooldown", func(f string, v *yaml.Node) { b.Cooldown, _ = d.duration(v, f, 0, maxCooldown) }},
		{"max_per_day", func(f string, v *yaml.Node) {
			b.MaxPerDay, _ = d.integer(v, f)
			if b.MaxPerDay < 0 {
				d.addf(v, f, "must be 0 (no limit) or more, got %d", b.MaxPerDay)
			}
		}},
	})
	if !ok {
		return b
	}
	if !hasName {
		d.addf(n, join(field, "name"), "missing (every break-glass rule needs a name)")
	}
	if !hasProfiles {
		d.addf(n, join(field, "profiles"), "missing (want the profiles this rule covers)")
	}
	if !hasUsers {
		d.addf(n, join(field, "users"), "missing (want the users who may break the glass)")
	}
	return b
}
