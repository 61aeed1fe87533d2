package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/record"
)

// brokerHint is the advice for the broker's typed errors: what the person
// can run next. The broker says what is true; the words live here.
func brokerHint(err error) string {
	var denied *broker.DeniedError
	var conflict *broker.ConflictError
	var notFound *record.NotFoundError
	var closing *broker.WindowClosingError
	var revoked *broker.RevokedError
	var dup *broker.DuplicateRequestError
	var ambiguous *broker.AmbiguousIDError
	switch {
	case errors.As(err, &denied):
		return denialHint(denied)
	case errors.As(err, &dup):
		return fmt.Sprintf("see it: sentinel requests show %s; or cancel it: sentinel requests cancel %s; or file another anyway with --force", dup.Existing.ID, dup.Existing.ID)
	case errors.As(err, &ambiguous):
		return "give more digits of the ID"
	case errors.As(err, &closing):
		if closing.NextOpen.IsZero() {
			return "the rule allows no further access; ask an approver if the work cannot wait"
		}
		return "ask again after " + closing.NextOpen.Local().Format("Mon 15:04 MST") + ", when the window opens"
	case errors.As(err, &revoked):
		if revoked.Blocked {
			return "another approver can lift the block: sentinel sessions unblock ARN"
		}
		return "see who revoked it and why: sentinel sessions show " + revoked.SessionID
	case errors.As(err, &conflict):
		if conflict.Kind == "request" {
			return "someone changed it at the same moment: look again with `sentinel requests show " + conflict.ID + "`"
		}
		return "someone changed it at the same moment: look again with `sentinel breakglass-show " + conflict.ID + "`"
	case errors.As(err, &notFound):
		switch notFound.Kind {
		case "request":
			return "check the ID: `sentinel requests --status pending` lists pending requests"
		case "session":
			return "check the ID: `sentinel sessions` lists your sessions"
		}
		return "check the ID: `sentinel breakglass-list --status active` lists active events"
	case errors.Is(err, broker.ErrUnavailable):
		return "check the store settings in the sentinel config and that the store can be reached; nothing is issued without it"
	}
	return ""
}

// denialHint says how to get past a denial, as far as the policy allows.
func denialHint(e *broker.DeniedError) string {
	switch e.Route {
	case broker.RouteServer:
		return fmt.Sprintf("run it through the credential server: sentinel exec --server %s -- COMMAND", e.Profile)
	case broker.RouteRequest:
		if p := e.Pending; p != nil {
			return fmt.Sprintf("your request %s for %s, filed %s ago, is still pending (%d of %d approvals) and can be approved by %s; see it: sentinel requests show %s",
				p.ID, e.Profile, time.Since(p.CreatedAt).Round(time.Second), p.Approvals, p.Required, approverList(p.Approvers), p.ID)
		}
		return fmt.Sprintf("ask for approval: sentinel request %s --justification \"why you need it\" --wait", e.Profile)
	case broker.RouteNoApprover:
		return "no approval rule in the policy covers this profile, so nobody can approve it"
	case broker.RouteBreakglass:
		return fmt.Sprintf("in an emergency: sentinel breakglass %s --reason-code incident --justification \"what is happening\"", e.Profile)
	}
	return ""
}

// approverList names the approvers of a rule for a hint.
func approverList(approvers []string) string {
	if len(approvers) == 0 {
		return "nobody"
	}
	const shown = 5
	names := make([]string, 0, shown)
	for i, a := range approvers {
		if i == shown {
			names = append(names, fmt.Sprintf("and %d more", len(approvers)-shown))
			break
		}
		names = append(names, field.Display(a))
	}
	return strings.Join(names, ", ")
}
