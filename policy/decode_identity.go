package policy

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sentinel-cli/sentinel/person"
)

// bareName is where a list first used a bare name, so that a policy without
// an accounts: list can be told which line needs one.
type bareName struct {
	node  *yaml.Node
	field string
	name  string
}

// accounts decodes the top-level accounts: list of 12-digit account IDs.
func (d *decoder) accounts(n *yaml.Node, field string) []string {
	list, _ := d.strList(n, field, "leave accounts out, and write users and approvers as ARNs, if no bare names are used")
	var out []string
	seen := map[string]bool{}
	for i, a := range list {
		switch {
		case !person.IsAccountID(a):
			d.addf(itemNode(n, i), field, "bad account ID %q (want 12 digits, quoted)", a)
		case seen[a]:
			d.addf(itemNode(n, i), field, "duplicate account %s", a)
		default:
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// principals decodes a list of bare names, ARNs and ARN globs, remembering
// the first bare name for the accounts: check.
func (d *decoder) principals(n *yaml.Node, field, emptyHint string) ([]string, principalSet, bool) {
	list, ok := d.strList(n, field, emptyHint)
	if !ok {
		return list, principalSet{given: true}, false
	}
	recorded := false
	for i, e := range list {
		if strings.HasPrefix(e, "arn:") {
			if err := checkGlob(e); err != nil {
				d.addf(itemNode(n, i), field, "bad ARN pattern %q: %v", e, err)
				ok = false
			}
			continue
		}
		if strings.ContainsAny(e, ":/*?") {
			d.addf(itemNode(n, i), field, "%q is neither a bare name nor an ARN (a bare name has no : / * or ?; ARNs start with arn:)", e)
			ok = false
			continue
		}
		if !recorded {
			d.bare = append(d.bare, bareName{node: itemNode(n, i), field: field, name: e})
			recorded = true
		}
	}
	if !ok {
		return list, principalSet{given: true}, false
	}
	return list, newPrincipalSet(list), true
}

// bindNames checks that bare names come with an accounts: list, and gives
// every principal set the list.
func (d *decoder) bindNames(p *Policy) {
	if len(p.Accounts) == 0 {
		for _, b := range d.bare {
			d.addf(b.node, b.field, `bare name %q needs the accounts it may come from: add accounts: ["<12-digit account ID>"] at the top of the policy, or write the full ARN`, b.name)
		}
		return
	}
	for i := range p.Rules {
		p.Rules[i].users.accounts = p.Accounts
	}
	for i := range p.Approvals {
		a := &p.Approvals[i]
		a.approvers.accounts = p.Accounts
		if a.AutoApprove != nil {
			a.AutoApprove.users.accounts = p.Accounts
		}
	}
	for i := range p.Breakglass {
		p.Breakglass[i].users.accounts = p.Accounts
	}
}
