package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
)

// An approval lifts require_approval and nothing else. The words for that
// rule live here: the request, approve and deny commands use them.

// requesterDecisionLine says what the policy decides for the requester of
// r now, for the summary shown before approve and deny: from the local
// broker, or from the team service (GET /v1/requests/{id}/decision), which
// decides where the policy lives. Either refuses an approval that could not
// be used whatever the line said.
func requesterDecisionLine(ctx context.Context, ops Operations, r *request.Request) string {
	d, usable, err := ops.RequesterDecision(ctx, r)
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	if usable {
		return fmt.Sprintf("require_approval by rule %s: an approval can be used", field.Display(d.Rule))
	}
	return decisionWords(r.Profile, r.Requester, d) + "; approving it will be refused"
}

// decisionWords says a decision no approval can lift, naming its rule:
// "prod is denied for mallory by rule contractors-never-prod; an approval
// cannot lift a deny".
func decisionWords(profile, user string, d policy.Decision) string {
	profile, user, rule := field.Display(profile), field.Display(user), field.Display(d.Rule)
	switch {
	case d.Effect == policy.EffectDeny && d.Rule == "":
		return fmt.Sprintf("%s is denied for %s: no rule matches; an approval cannot lift a deny", profile, user)
	case d.Effect == policy.EffectDeny:
		return fmt.Sprintf("%s is denied for %s by rule %s; an approval cannot lift a deny", profile, user, rule)
	case d.Effect == policy.EffectRequireServer:
		return fmt.Sprintf("%s needs server mode for %s by rule %s; an approval cannot lift require_server", profile, user, rule)
	case d.Effect == policy.EffectRequireApproval:
		return fmt.Sprintf("%s requires approval for %s by rule %s", profile, user, rule)
	}
	return fmt.Sprintf("%s is allowed for %s by rule %s; no approval is needed", profile, user, rule)
}

// notApprovable words a refusal of the broker's NotApprovableError (a
// request not filed, an approval not given); other errors pass unchanged.
func notApprovable(err error) error {
	var ne *broker.NotApprovableError
	if !errors.As(err, &ne) {
		return err
	}
	msg := decisionWords(ne.Profile, ne.User, ne.Decision)
	if ne.RequestID != "" {
		msg = fmt.Sprintf("request %s could not be used, so it is not approved: %s", ne.RequestID, msg)
	}
	return &ExitError{Code: 1, Err: errors.New(msg)}
}
