package cli

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/request"
)

type reviewCommand struct {
	action  request.Action
	ID      string
	Comment string
}

// configureReviewCommands adds `sentinel approve` and `sentinel deny`.
func configureReviewCommands(app *kingpin.Application, g *Globals) {
	for _, a := range []struct {
		action request.Action
		help   string
	}{
		{request.ActionApprove, "Approve a pending request (approvers of its profile only, never the requester)."},
		{request.ActionDeny, "Deny a pending request (approvers of its profile only)."},
	} {
		c := &reviewCommand{action: a.action}
		cmd := app.Command(string(a.action), a.help)
		cmd.Arg("id", "Request ID.").Required().StringVar(&c.ID)
		cmd.Flag("comment", "A comment recorded with your decision.").Short('c').StringVar(&c.Comment)
		cmd.Action(func(*kingpin.ParseContext) error { return c.run(g) })
	}
}

func (c *reviewCommand) run(g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	r, err := ops.Review(context.Background(), c.ID, c.action, c.Comment)
	if err != nil {
		return err
	}
	switch r.Status {
	case request.StatusApproved:
		fmt.Fprintf(g.Stdout, "Request %s approved: %s may use %s until %s.\n", r.ID, r.Requester, r.Profile, timeOrDash(r.WindowEnd()))
	case request.StatusDenied:
		fmt.Fprintf(g.Stdout, "Request %s denied.\n", r.ID)
	default:
		approvals := 0
		for _, rv := range r.Reviews {
			if rv.Action == request.ActionApprove {
				approvals++
			}
		}
		fmt.Fprintf(g.Stdout, "Approval recorded: %d of %d required for request %s.\n", approvals, r.Required, r.ID)
	}
	return nil
}
