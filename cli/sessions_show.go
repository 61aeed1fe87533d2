package cli

import (
	"github.com/alecthomas/kingpin/v2"
	"github.com/sentinel-cli/sentinel/session"
)

func configureSessionsShowCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &recordShowCommand[*session.Session, session.Query, sessionView]{kind: sessionRecords}
	cmd := parent.Command("show", "Show one session.")
	c.configure(cmd)
	cmd.Action(g.action(c.run))
}
