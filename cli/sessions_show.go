package cli

import (
	"context"

	"github.com/alecthomas/kingpin/v2"
	"github.com/sentinel-cli/sentinel/session"
)

// sessionsShowCommand is the generic show, followed in text by the AWS
// denies that name the session (revocation in AWS).
type sessionsShowCommand struct {
	recordShowCommand[*session.Session, session.Query, sessionView]
}

func configureSessionsShowCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &sessionsShowCommand{recordShowCommand[*session.Session, session.Query, sessionView]{kind: sessionRecords}}
	cmd := parent.Command("show", "Show one session, and when its AWS deny was written, on which roles, until when.")
	c.configure(cmd)
	cmd.Action(g.action(c.run))
}

func (c *sessionsShowCommand) run(ctx context.Context, g *Globals) error {
	if err := c.recordShowCommand.run(ctx, g); err != nil || c.output == "json" {
		return err
	}
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	denies, err := ops.SessionAWSDenies(ctx, c.id)
	if err != nil {
		return err
	}
	writeAWSDenies(g.Stdout, denies)
	return nil
}
