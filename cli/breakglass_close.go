package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

type breakglassCloseCommand struct {
	ID     string
	Reason string
	Output string
	InAWS  bool
}

func configureBreakglassCloseCommand(app *kingpin.Application, g *Globals) {
	c := &breakglassCloseCommand{}
	cmd := app.Command("breakglass-close", "End a break-glass event early (its invoker or an approver of its profile).")
	cmd.Arg("id", "Event ID.").Required().StringVar(&c.ID)
	cmd.Flag("reason", "What was done, or why it is closed.").Required().StringVar(&c.Reason)
	outputFlag(cmd, &c.Output)
	cmd.Flag("in-aws", inAWSFlagHelp).BoolVar(&c.InAWS)
	cmd.Action(g.action(c.run))
}

func (c *breakglassCloseCommand) run(ctx context.Context, g *Globals) error {
	ops, err := g.operationsInAWS(c.InAWS)
	if err != nil {
		return err
	}
	e, err := ops.CloseBreakglass(ctx, c.ID, c.Reason)
	if err != nil {
		return inAWSError(err)
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, viewBreakglass(e, time.Now()))
	}
	fmt.Fprintf(g.Stdout, "Break-glass %s on %s closed.\n", e.ID, e.Profile)
	return nil
}
