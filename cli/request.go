package cli

import (
	"context"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/broker"
)

type requestCommand struct {
	Profile       string
	Justification string
	Duration      time.Duration
	Output        string
	Force         bool
	wait          waitFlags
}

func configureRequestCommand(app *kingpin.Application, g *Globals) {
	c := &requestCommand{}
	cmd := app.Command("request", "Ask for access to a profile whose policy requires approval.")
	cmd.Arg("profile", "Profile to ask access to.").Required().StringVar(&c.Profile)
	cmd.Flag("justification", "Why you need access (10-1000 characters).").Short('j').Required().StringVar(&c.Justification)
	cmd.Flag("duration", "How long access should last once approved (15m up to the approval rule's max_duration; default 1h).").
		Short('d').DurationVar(&c.Duration)
	cmd.Flag("force", "File the request even if you already have a pending one for this profile.").BoolVar(&c.Force)
	cmd.Flag("wait", "Wait until the request is approved (exit 0), denied, cancelled or expired (exit 2), or --timeout passes (exit 3).").
		BoolVar(&c.wait.Wait)
	c.wait.configure(cmd)
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *requestCommand) run(ctx context.Context, g *Globals) error {
	if err := c.wait.check(); err != nil {
		return err
	}
	ops, err := g.operations(c.Profile)
	if err != nil {
		return err
	}
	r, err := ops.CreateRequest(ctx, broker.RequestInput{Profile: c.Profile, Justification: c.Justification, Duration: c.Duration, Force: c.Force})
	if err != nil {
		return notApprovable(err)
	}
	if c.wait.Wait {
		if c.Output != "json" {
			printFiled(g, r)
		}
		final, err := g.waitForRequest(ctx, ops, r, c.wait)
		if final != nil && c.Output == "json" {
			if werr := writeJSON(g.Stdout, viewRequest(final, time.Now())); werr != nil {
				return werr
			}
		}
		if err != nil {
			return err
		}
		if c.Output != "json" {
			printApproved(g, final)
		}
		return nil
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, viewRequest(r, time.Now()))
	}
	printFiled(g, r)
	return nil
}
