package cli

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"
)

type sessionsUnblockCommand struct {
	UserARN string
}

func configureSessionsUnblockCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &sessionsUnblockCommand{}
	cmd := parent.Command("unblock", "Lift the block of a user before it ends (an approver).")
	cmd.Arg("arn", "The blocked user's ARN.").Required().StringVar(&c.UserARN)
	cmd.Action(func(*kingpin.ParseContext) error { return c.run(g) })
}

func (c *sessionsUnblockCommand) run(g *Globals) error {
	team, err := g.teamMode()
	if err != nil {
		return err
	}
	unblock := func() error {
		b, actor, closeBroker, err := g.actorBroker("")
		if err != nil {
			return err
		}
		defer closeBroker()
		return b.UnblockUser(context.Background(), actor, c.UserARN)
	}
	if team {
		unblock = func() error {
			tc, err := g.teamClient("")
			if err != nil {
				return err
			}
			return tc.UnblockUser(context.Background(), c.UserARN)
		}
	}
	if err := unblock(); err != nil {
		return sessionsError(err, "there is nothing to lift: the block has ended, was lifted, or was never put on this ARN")
	}
	fmt.Fprintf(g.Stdout, "Unblocked %s: they may start sessions again. Sessions revoked earlier stay revoked.\n", c.UserARN)
	return nil
}
