package cli

import (
	"context"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

type sessionsShowCommand struct {
	ID     string
	Output string
}

func configureSessionsShowCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &sessionsShowCommand{}
	cmd := parent.Command("show", "Show one session.")
	cmd.Arg("id", "Session ID.").Required().StringVar(&c.ID)
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *sessionsShowCommand) run(ctx context.Context, g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	s, err := ops.GetSession(ctx, c.ID)
	if err != nil {
		return sessionsError(err, checkSessionIDHint)
	}
	now := time.Now()
	if c.Output == "json" {
		return writeJSON(g.Stdout, viewSession(s, now))
	}
	writeSessionDetail(g.Stdout, s, now)
	return nil
}
