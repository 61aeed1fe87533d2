package broker

import (
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/vault"
)

// Records in the approval store are written by clients: anyone who can
// write the embedded file or the DynamoDB table can write a record that
// says "approved". So a record is evidence, not authority: before it lifts
// a denial it is checked again, here, against the policy in force now, and
// the access it grants is capped by that policy. The functions in this file
// are pure, so that every rule is tested on its own.

// recordSkew is how far in the future a decision or an opening may lie and
// still count: the clocks of colleagues' machines differ a little. It is
// also the most a forged future time can add to a window.
const recordSkew = time.Minute

// autoApproveSkew is how far apart the creation and the decision of an
// auto-approval may lie. Both are taken from one clock reading when
// sentinel auto-approves, so a record whose access starts later than it
// was created was not auto-approved by sentinel.
const autoApproveSkew = time.Second

// approvalWindow re-checks an approved request for caller's access to
// profile against pol, and returns when the access it grants ends under
// the current policy. A request that does not count returns a reason
// instead, for the debug output.
func approvalWindow(pol *policy.Policy, r *request.Request, caller vault.Identity, profile string, now time.Time) (time.Time, error) {
	if r.Status != request.StatusApproved {
		return time.Time{}, fmt.Errorf("status is %s", r.Status)
	}
	if r.Profile != profile || !person.Same(r.RequesterARN, caller.ARN) {
		return time.Time{}, fmt.Errorf("it is not the caller's request for profile %s", profile)
	}
	rule, ok := pol.ApprovalRuleFor(profile)
	if !ok {
		return time.Time{}, fmt.Errorf("no approval rule covers profile %s any more", profile)
	}
	if r.Duration <= 0 || r.DecidedAt.IsZero() {
		return time.Time{}, fmt.Errorf("its decision time or duration is impossible")
	}
	if r.DecidedAt.After(now.Add(recordSkew)) {
		return time.Time{}, fmt.Errorf("it was decided in the future (%s)", r.DecidedAt.UTC().Format(time.RFC3339))
	}
	if r.AutoApproved {
		if err := checkAutoApproval(rule, r, caller); err != nil {
			return time.Time{}, err
		}
	} else if err := checkReviews(rule, r); err != nil {
		return time.Time{}, err
	}
	end := r.DecidedAt.Add(min(r.Duration, rule.MaxDuration))
	if !now.Before(end) {
		return time.Time{}, fmt.Errorf("its window under rule %s ended at %s", rule.Name, end.UTC().Format(time.RFC3339))
	}
	return end, nil
}

// checkAutoApproval checks that the current auto_approve block still
// covers an auto-approved request: its users and max_duration as they are
// now, its time window as of the request's creation.
func checkAutoApproval(rule *policy.ApprovalRule, r *request.Request, caller vault.Identity) error {
	if len(r.Reviews) > 0 {
		return fmt.Errorf("it says auto-approved but carries reviews")
	}
	if d := r.DecidedAt.Sub(r.CreatedAt); d > autoApproveSkew {
		return fmt.Errorf("it says auto-approved but was decided %s after it was created", d)
	}
	if !rule.AutoApproves(caller.Name, caller.ARN, r.CreatedAt, r.Duration) {
		return fmt.Errorf("rule %s no longer auto-approves it", rule.Name)
	}
	return nil
}

// checkReviews checks that a request's reviews make it approved under the
// current rule: only approvals, each by a current approver matched by the
// review's ARN, none by the requester, and enough distinct approvers.
// Whether two ARNs are one person is person.Same's answer, and distinct
// approvers are distinct person keys.
func checkReviews(rule *policy.ApprovalRule, r *request.Request) error {
	approvers := map[string]bool{}
	for _, rv := range r.Reviews {
		if rv.Action != request.ActionApprove {
			return fmt.Errorf("it carries a %s review", rv.Action)
		}
		// The review's name is taken from its ARN, so that a record cannot
		// pair a real approver's name with someone else's ARN.
		id, err := vault.ParseIdentity(rv.ARN, "", "")
		if err != nil || !strings.EqualFold(id.Name, rv.User) {
			return fmt.Errorf("review by %q has no ARN that names them", rv.User)
		}
		if person.Same(rv.ARN, r.RequesterARN) {
			return fmt.Errorf("it was approved by its own requester")
		}
		if !rule.IsApprover(id.Name, rv.ARN) {
			return fmt.Errorf("%s is not an approver under rule %s", rv.ARN, rule.Name)
		}
		// Distinct approvers are distinct people: one person under two
		// session names of an approver role counts once.
		approvers[person.KeyOf(rv.ARN)] = true
	}
	if len(approvers) < rule.Required {
		return fmt.Errorf("%d distinct approvers, rule %s requires %d", len(approvers), rule.Name, rule.Required)
	}
	return nil
}

// breakglassWindow re-checks an active break-glass event of caller's on
// profile against pol, and returns when the access it grants ends under
// the current break-glass rule.
func breakglassWindow(pol *policy.Policy, e *breakglass.Event, caller vault.Identity, profile string, now time.Time) (time.Time, error) {
	if !e.ActiveAt(now) {
		return time.Time{}, fmt.Errorf("it is not active")
	}
	if e.Profile != profile || !person.Same(e.InvokerARN, caller.ARN) {
		return time.Time{}, fmt.Errorf("it is not the caller's event on profile %s", profile)
	}
	rule, ok := pol.BreakglassRuleFor(profile, e.Invoker, e.InvokerARN)
	if !ok {
		return time.Time{}, fmt.Errorf("no break-glass rule lets %s break the glass on %s any more", e.InvokerARN, profile)
	}
	if !rule.AllowsReason(string(e.ReasonCode)) {
		return time.Time{}, fmt.Errorf("reason code %q is no longer allowed by rule %s", e.ReasonCode, rule.Name)
	}
	if e.OpenedAt.IsZero() || e.OpenedAt.After(now.Add(recordSkew)) || e.ExpiresAt.Before(e.OpenedAt) {
		return time.Time{}, fmt.Errorf("its opening time is impossible")
	}
	end := e.ExpiresAt
	if capped := e.OpenedAt.Add(rule.MaxDuration); capped.Before(end) {
		end = capped
	}
	if !now.Before(end) {
		return time.Time{}, fmt.Errorf("its window under rule %s ended at %s", rule.Name, end.UTC().Format(time.RFC3339))
	}
	return end, nil
}
