package broker

import (
	"context"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/vault"
)

// override is an approval or break-glass event that lifts a denial.
type override struct {
	basis        string
	end          time.Time
	approvalID   string
	breakglassID string
}

// findOverride looks, for a deny or require_approval decision, for what may
// lift it: an approved request lifts only require_approval; an explicit
// deny or the default deny yields only to an active break-glass event
// whose rule names the caller and profile (break-glass lifts
// require_approval too); require_server yields to nothing outside server
// mode. It finds the caller's approved requests and active break-glass
// events on profile (under any ARN of the caller's person, see
// foundByName), and
// re-checks each against the current policy (see recheck.go): a record's
// status alone never lifts a denial, and removing or tightening a rule
// takes effect at once. Of those that still count it returns the one whose
// window ends last, so that a grant with less than STS's 15 minutes left
// is never chosen over a longer one; on a tie an approval is preferred.
// require_server is never lifted. A store error is returned so the caller
// fails closed.
func (b *Broker) findOverride(ctx context.Context, chain *vault.Chain, caller vault.Identity, profile string, dec policy.Decision, now time.Time) (*override, error) {
	if dec.Effect == policy.EffectRequireServer || b.OpenStores == nil {
		return nil, nil
	}
	_, approvable := b.Policy.ApprovalRuleFor(profile)
	approvable = approvable && dec.Effect == policy.EffectRequireApproval
	_, breakable := b.Policy.BreakglassRuleFor(profile, caller.Name, caller.ARN)
	if !approvable && !breakable {
		return nil, nil
	}
	stores, err := b.OpenStores(ctx, b.signerFor(chain))
	if err != nil {
		return nil, unavailable("approval", err)
	}
	defer stores.Close()

	role := lastRoleARN(chain)
	var best *override
	consider := func(o *override) {
		if best == nil || o.end.After(best.end) {
			best = o
		}
	}
	if approvable {
		q := request.Query{Profile: profile, Status: request.StatusApproved}
		if foundByName(caller.ARN) {
			q.Requester = caller.Name
		}
		reqs, err := stores.Requests().List(ctx, q.Record(now))
		if err != nil {
			return nil, unavailable("approval", err)
		}
		for _, r := range reqs {
			if !b.recordRoleMatches(r.RoleARN, role) {
				b.debugf("approval %s not used: it was granted for role %q, this profile reaches %q", r.ID, r.RoleARN, role)
				continue
			}
			end, err := approvalWindow(b.Policy, r, caller, profile, now)
			if err != nil {
				b.debugf("approval %s not used: %v", r.ID, err)
				continue
			}
			consider(&override{basis: ApprovalBasis(r.ID), end: end, approvalID: r.ID})
		}
	}
	if breakable {
		q := breakglass.Query{Profile: profile, Status: breakglass.StatusActive}
		if foundByName(caller.ARN) {
			q.Invoker = caller.Name
		}
		events, err := stores.Breakglass().List(ctx, q.Record(now))
		if err != nil {
			return nil, unavailable("break-glass", err)
		}
		for _, e := range events {
			if !b.recordRoleMatches(e.RoleARN, role) {
				b.debugf("break-glass %s not used: it was opened for role %q, this profile reaches %q", e.ID, e.RoleARN, role)
				continue
			}
			end, err := breakglassWindow(b.Policy, e, caller, profile, now)
			if err != nil {
				b.debugf("break-glass %s not used: %v", e.ID, err)
				continue
			}
			consider(&override{basis: BreakglassBasis(e.ID), end: end, breakglassID: e.ID})
		}
	}
	return best, nil
}
