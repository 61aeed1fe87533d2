package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/broker"
)

type breakglassCommand struct {
	Profile       string
	ReasonCode    string
	Justification string
	Duration      time.Duration
	Output        string
}

func configureBreakglassCommand(app *kingpin.Application, g *Globals) {
	c := &breakglassCommand{}
	cmd := app.Command("breakglass", "Open time-boxed emergency access to a profile, with a written reason.")
	cmd.Arg("profile", "Profile to open.").Required().StringVar(&c.Profile)
	cmd.Flag("reason-code", "Why: incident, maintenance, security, recovery or other.").Required().
		EnumVar(&c.ReasonCode, "incident", "maintenance", "security", "recovery", "other")
	cmd.Flag("justification", "What is happening (20-2000 characters).").Short('j').Required().StringVar(&c.Justification)
	cmd.Flag("duration", "How long access lasts (15m up to the rule's max_duration; default 1h).").Short('d').DurationVar(&c.Duration)
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *breakglassCommand) run(ctx context.Context, g *Globals) error {
	ops, err := g.operations(c.Profile)
	if err != nil {
		return err
	}
	e, err := ops.OpenBreakglass(ctx, broker.BreakglassInput{
		Profile: c.Profile, ReasonCode: c.ReasonCode, Justification: c.Justification, Duration: c.Duration,
	})
	if err != nil {
		return err
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, viewBreakglass(e, time.Now()))
	}
	fmt.Fprintf(g.Stdout, "%s\nBreak-glass %s opened on %s until %s. Every use is logged.\nClose it when done: sentinel breakglass-close %s --reason \"what was done\"\n",
		e.ID, e.ID, e.Profile, timeOrDash(e.ExpiresAt), e.ID)
	return nil
}
