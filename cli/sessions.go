package cli

import (
	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/session"
)

// configureSessionsCommand registers `sentinel sessions` and its
// subcommands; each subcommand lives in a sessions_*.go file of its own.
func configureSessionsCommand(app *kingpin.Application, g *Globals) {
	cmd := app.Command("sessions", "List, show and revoke server-mode sessions; block a user.")
	configureSessionsListCommand(cmd, g)
	configureSessionsShowCommand(cmd, g)
	configureSessionsRevokeCommand(cmd, g)
	configureSessionsUnblockCommand(cmd, g)
	configureSessionsSyncAWSCommand(cmd, g)
}

func configureSessionsListCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &recordListCommand[*session.Session, session.Query, sessionView]{kind: sessionRecords}
	cmd := parent.Command("list", "List sessions, newest first (default: your own).").Default()
	c.configure(cmd, nil)
	cmd.Action(g.action(c.run))
}
