package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/request"
)

type requestsRevokeCommand struct {
	ID     string
	Reason string
	Output string
	InAWS  bool
}

func configureRequestsRevokeCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &requestsRevokeCommand{}
	cmd := parent.Command("revoke", "Withdraw an approved request before its window ends (its requester or an approver of its profile); it then lifts nothing.")
	cmd.Arg("id", requestIDHelp).Required().StringVar(&c.ID)
	cmd.Flag("reason", "Why (it is logged and stored with the request).").Required().StringVar(&c.Reason)
	outputFlag(cmd, &c.Output)
	cmd.Flag("in-aws", inAWSFlagHelp).BoolVar(&c.InAWS)
	cmd.Action(g.action(c.run))
}

func (c *requestsRevokeCommand) run(ctx context.Context, g *Globals) error {
	return g.onRequestInAWS(ctx, c.ID, c.InAWS, func(ops Operations, id string) error {
		r, err := ops.RevokeRequest(ctx, id, c.Reason)
		if errors.Is(err, request.ErrTransition) {
			return withHint(err, "only an approved request whose window is still open can be revoked; see sentinel requests show "+id)
		}
		if err != nil {
			return inAWSError(err)
		}
		if c.Output == "json" {
			return writeJSON(g.Stdout, viewRequest(r, time.Now()))
		}
		fmt.Fprintf(g.Stdout, "Request %s of %s for %s revoked: it lifts nothing from now on.\n", r.ID, r.Requester, r.Profile)
		return nil
	})
}
