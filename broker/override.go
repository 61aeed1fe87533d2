package broker

import (
	"context"
	"fmt"
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

// findOverride looks, for a deny or require_approval decision, for an
// approved request whose window is open, then for an active break-glass
// event. require_server is never lifted. Both must still be covered by a
// rule of the current policy, so removing a rule takes effect at once. A
// store error is returned so the caller fails closed.
func (b *Broker) findOverride(ctx context.Context, chain *vault.Chain, caller vault.Identity, profile string, dec policy.Decision, now time.Time) (*override, error) {
	if dec.Effect == policy.EffectRequireServer || b.OpenStores == nil {
		return nil, nil
	}
	_, approvable := b.Policy.ApprovalRuleFor(profile)
	_, breakable := b.Policy.BreakglassRuleFor(profile, caller.Name, caller.ARN)
	if !approvable && !breakable {
		return nil, nil
	}
	stores, err := b.OpenStores(ctx, func() (vault.Credentials, error) { return b.baseKeys(chain.Base.Name) })
	if err != nil {
		return nil, fmt.Errorf("the approval store could not be reached: %w", err)
	}
	defer stores.Close()

	if approvable {
		reqs, err := stores.Requests().List(ctx, request.Query{Requester: caller.Name, Profile: profile, Status: request.StatusApproved})
		if err != nil {
			return nil, fmt.Errorf("the approval store could not be reached: %w", err)
		}
		for _, r := range reqs {
			if r.RequesterARN == caller.ARN && r.Profile == profile && r.ActiveAt(now) {
				return &override{basis: ApprovalBasis(r.ID), end: r.WindowEnd(), approvalID: r.ID}, nil
			}
		}
	}
	if breakable {
		events, err := stores.Breakglass().List(ctx, breakglass.Query{Invoker: caller.Name, Profile: profile, Status: breakglass.StatusActive})
		if err != nil {
			return nil, fmt.Errorf("the break-glass store could not be reached: %w", err)
		}
		for _, e := range events {
			if e.InvokerARN == caller.ARN && e.Profile == profile && e.ActiveAt(now) {
				return &override{basis: BreakglassBasis(e.ID), end: e.ExpiresAt, breakglassID: e.ID}, nil
			}
		}
	}
	return nil, nil
}
