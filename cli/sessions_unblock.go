package cli

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"
)

type sessionsUnblockCommand struct {
	UserARN string
	InAWS   bool
}

func configureSessionsUnblockCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &sessionsUnblockCommand{}
	cmd := parent.Command("unblock", "Lift the block of a user before it ends (an approver).")
	cmd.Arg("arn", "The blocked user's ARN.").Required().StringVar(&c.UserARN)
	cmd.Flag("in-aws", inAWSFlagHelp).BoolVar(&c.InAWS)
	cmd.Action(g.action(c.run))
}

func (c *sessionsUnblockCommand) run(ctx context.Context, g *Globals) error {
	ops, err := g.operationsInAWS(c.InAWS)
	if err != nil {
		return err
	}
	if err := ops.UnblockUser(ctx, c.UserARN); err != nil {
		return inAWSError(sessionsError(err, "there is nothing to lift: the block has ended, was lifted, or was never put on this ARN"))
	}
	fmt.Fprintf(g.Stdout, "Unblocked %s: they may start sessions again. Sessions revoked earlier stay revoked.\n", c.UserARN)
	return nil
}
