package cli

import (
	"errors"
	"fmt"

	"github.com/sentinel-cli/sentinel/broker"
)

// brokerHint is the advice for the broker's typed errors: what the person
// can run next. The broker says what is true; the words live here.
func brokerHint(err error) string {
	var denied *broker.DeniedError
	var conflict *broker.ConflictError
	var notFound *broker.NotFoundError
	var closing *broker.WindowClosingError
	var revoked *broker.RevokedError
	switch {
	case errors.As(err, &denied):
		return denialHint(denied)
	case errors.As(err, &closing):
		if closing.NextOpen.IsZero() {
			return "the rule allows no further access; ask an approver if the work cannot wait"
		}
		return "ask again after " + closing.NextOpen.Local().Format("Mon 15:04 MST") + ", when the window opens"
	case errors.As(err, &revoked):
		if revoked.Blocked {
			return "an approver can lift the block: sentinel sessions unblock ARN"
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
		return fmt.Sprintf("ask for approval: sentinel request %s --justification \"why you need it\"", e.Profile)
	case broker.RouteNoApprover:
		return "no approval rule in the policy covers this profile, so nobody can approve it"
	case broker.RouteBreakglass:
		return fmt.Sprintf("in an emergency: sentinel breakglass %s --reason-code incident --justification \"what is happening\"", e.Profile)
	}
	return ""
}
