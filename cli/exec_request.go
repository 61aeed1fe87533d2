package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/broker"
)

// requestFlags let `exec` ask for approval first: --request files the
// request, waits for the decision and then runs the command.
type requestFlags struct {
	Justification string
	wait          waitFlags
}

func (f *requestFlags) registerRequest(cmd *kingpin.CmdClause) {
	cmd.Flag("request", "Ask for approval first, with this justification; wait for it, then run the command.").
		PlaceHolder("JUSTIFICATION").StringVar(&f.Justification)
	cmd.Flag("request-timeout", "With --request: how long to wait for a decision (exit 3 when it passes).").
		Default("30m").DurationVar(&f.wait.Timeout)
	cmd.Flag("poll-interval", "How often to look at the request while waiting.").Hidden().
		Default(DefaultPollInterval.String()).DurationVar(&f.wait.Interval)
}

// awaitApproval files a request for profile and waits until it is
// approved. A pending request of the person's own for the profile is
// waited for instead of filing a duplicate. Everything goes to stderr:
// stdout belongs to the command.
func (f *requestFlags) awaitApproval(ctx context.Context, g *Globals, f2 *issueFlags) error {
	if err := f.wait.check(); err != nil {
		return err
	}
	ops, err := g.operations(f2.Profile)
	if err != nil {
		return err
	}
	r, err := ops.CreateRequest(ctx, broker.RequestInput{Profile: f2.Profile, Justification: f.Justification, Duration: f2.Duration})
	var dup *broker.DuplicateRequestError
	switch {
	case errors.As(err, &dup):
		r = dup.Existing
		fmt.Fprintf(g.Stderr, "sentinel: request %s for %s is already pending: waiting for it\n", r.ID, r.Profile)
	case err != nil:
		return notApprovable(err)
	case r.AutoApproved:
		fmt.Fprintf(g.Stderr, "sentinel: request %s for %s was auto-approved by the policy\n", r.ID, r.Profile)
		return nil
	default:
		fmt.Fprintf(g.Stderr, "sentinel: request %s for %s is pending; an approver runs: sentinel approve %s\n", r.ID, r.Profile, r.ID)
	}
	if _, err := g.waitForRequest(ctx, ops, r, f.wait); err != nil {
		return err
	}
	fmt.Fprintf(g.Stderr, "sentinel: request %s approved\n", r.ID)
	return nil
}
