package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/broker"
)

type requestCommand struct {
	Profile       string
	Justification string
	Duration      time.Duration
	Output        string
}

func configureRequestCommand(app *kingpin.Application, g *Globals) {
	c := &requestCommand{}
	cmd := app.Command("request", "Ask for access to a profile whose policy requires approval.")
	cmd.Arg("profile", "Profile to ask access to.").Required().StringVar(&c.Profile)
	cmd.Flag("justification", "Why you need access (10-1000 characters).").Short('j').Required().StringVar(&c.Justification)
	cmd.Flag("duration", "How long access should last once approved (15m up to the approval rule's max_duration; default 1h).").
		Short('d').DurationVar(&c.Duration)
	outputFlag(cmd, &c.Output)
	cmd.Action(func(*kingpin.ParseContext) error { return c.run(g) })
}

func (c *requestCommand) run(g *Globals) error {
	ops, err := g.operations(c.Profile)
	if err != nil {
		return err
	}
	r, err := ops.CreateRequest(context.Background(), broker.RequestInput{Profile: c.Profile, Justification: c.Justification, Duration: c.Duration})
	if err != nil {
		return err
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, viewRequest(r, time.Now()))
	}
	if r.AutoApproved {
		fmt.Fprintf(g.Stdout, "%s\nRequest %s for %s was auto-approved by the policy: access until %s.\n", r.ID, r.ID, r.Profile, timeOrDash(r.WindowEnd()))
		return nil
	}
	fmt.Fprintf(g.Stdout, "%s\nRequest %s for %s is pending: %d approval(s) needed before %s.\nAn approver runs: sentinel approve %s\n",
		r.ID, r.ID, r.Profile, r.Required, timeOrDash(r.ExpiresAt), r.ID)
	return nil
}
