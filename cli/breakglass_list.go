package cli

import (
	"context"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/breakglass"
)

type breakglassListCommand struct {
	Status  string
	Profile string
	Invoker string
	Output  string
}

func configureBreakglassListCommand(app *kingpin.Application, g *Globals) {
	c := &breakglassListCommand{}
	cmd := app.Command("breakglass-list", "List break-glass events, newest first (default: your own).")
	cmd.Flag("status", "Only events with this status.").EnumVar(&c.Status, "active", "closed", "expired")
	cmd.Flag("profile", "Only events for this profile.").StringVar(&c.Profile)
	cmd.Flag("invoker", "Only events opened by this user.").StringVar(&c.Invoker)
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *breakglassListCommand) run(ctx context.Context, g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	q := breakglass.Query{Profile: c.Profile, Invoker: c.Invoker, Status: breakglass.Status(c.Status)}
	events, err := ops.ListBreakglass(ctx, q)
	if err != nil {
		return err
	}
	now := time.Now()
	if c.Output == "json" {
		views := make([]breakglassView, 0, len(events))
		for _, e := range events {
			views = append(views, viewBreakglass(e, now))
		}
		return writeJSON(g.Stdout, views)
	}
	return writeBreakglassTable(g.Stdout, events, now)
}
