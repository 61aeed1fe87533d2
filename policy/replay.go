package policy

// Recorded is one decision made earlier (a decision entry of the log),
// as Replay re-evaluates it.
type Recorded struct {
	// Ref is the caller's reference to the record (the log's request
	// ID), passed through untouched.
	Ref string
	// Request is the request as it was made. Its Roles may be empty when
	// the record does not say which role was assumed (Replay then uses
	// the profile's pinned role in the new policy, as policy check does).
	Request Request
	// Account is the caller's account, for the pin check.
	Account string
	// Effect is what the policy said then (the rule's effect, before any
	// approval or break-glass).
	Effect Effect
	// Rule is the rule that decided then; "" for none.
	Rule string
}

// Change is a recorded decision the new policy decides differently.
type Change struct {
	// Old is the decision as recorded.
	Old Recorded
	// New is the new policy's decision.
	New Decision
	// PinError is set when the new policy's profiles: section refuses the
	// chain; New.Effect is then deny and New.Rule empty.
	PinError error
}

// Replay re-evaluates recorded decisions under p and returns, in order,
// every one whose effect or rule would change. The rule is compared by
// name, so renaming a rule shows up as a change; when the new policy's
// pin refuses the chain only the effect is compared.
func (p *Policy) Replay(records []Recorded) []Change {
	var out []Change
	for _, rec := range records {
		req := rec.Request
		if len(req.Roles) == 0 {
			if pin, ok := p.Pin(req.Profile); ok && pin.RoleARN != "" {
				req.Roles = []string{pin.RoleARN}
			}
		}
		d := p.Evaluate(req)
		var pinErr error
		if p.HasPins() {
			if pinErr = p.CheckChain(req.Profile, req.Roles, rec.Account); pinErr != nil {
				d = Decision{Effect: EffectDeny, RuleIndex: -1, Reason: pinErr.Error()}
			}
		}
		// A pin refusal names no rule, and a recorded one may name the
		// rule evaluated before the pin refused: compare effects only.
		changed := d.Effect != rec.Effect || (pinErr == nil && d.Rule != rec.Rule)
		if changed {
			out = append(out, Change{Old: rec, New: d, PinError: pinErr})
		}
	}
	return out
}
