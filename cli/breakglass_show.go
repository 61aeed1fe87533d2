package cli

import (
	"context"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

type breakglassShowCommand struct {
	ID     string
	Output string
}

func configureBreakglassShowCommand(app *kingpin.Application, g *Globals) {
	c := &breakglassShowCommand{}
	cmd := app.Command("breakglass-show", "Show one break-glass event.")
	cmd.Arg("id", "Event ID.").Required().StringVar(&c.ID)
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *breakglassShowCommand) run(ctx context.Context, g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	e, err := ops.GetBreakglass(ctx, c.ID)
	if err != nil {
		return err
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, viewBreakglass(e, time.Now()))
	}
	writeBreakglassDetail(g.Stdout, e, time.Now())
	return nil
}
