package policy

// CallerView is how the policy sees one caller, for `sentinel whoami`:
// the name its bare entries match, and the entries that name the caller.
type CallerView struct {
	// Name is the name bare entries (users, approvers) match for this
	// caller; "" when bare names never match it (see NameNote).
	Name string
	// NameNote says why Name is empty: the principal is of a kind whose
	// name anyone can choose, or its account is not in accounts:.
	NameNote string
	// Rules are the indexes of the rules whose users condition matches
	// the caller (rules without one included): the rules that could apply
	// to the caller, depending on profile, roles, mode and time.
	Rules []int
	// Approves are the indexes of the approval rules naming the caller
	// as an approver.
	Approves []int
	// Breakglass are the indexes of the break-glass rules the caller may
	// use.
	Breakglass []int
}

// Caller returns how the policy sees the principal with ARN arn.
func (p *Policy) Caller(arn string) CallerView {
	var v CallerView
	if p == nil {
		return v
	}
	account, name, ok := boundName(arn)
	switch {
	case !ok:
		v.NameNote = "bare names match only IAM users and IAM Identity Center sessions; the policy must list this principal by ARN"
	case !containsString(p.Accounts, account):
		v.NameNote = "account " + account + " is not in the policy's accounts:, so bare names do not match it"
	default:
		v.Name = name
	}
	for i := range p.Rules {
		if p.Rules[i].compiled && p.Rules[i].users.match(arn) {
			v.Rules = append(v.Rules, i)
		}
	}
	for i := range p.Approvals {
		if p.Approvals[i].approvers.match(arn) {
			v.Approves = append(v.Approves, i)
		}
	}
	for i := range p.Breakglass {
		if p.Breakglass[i].users.match(arn) {
			v.Breakglass = append(v.Breakglass, i)
		}
	}
	return v
}
