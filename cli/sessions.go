package cli

import (
	"context"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/session"
)

type sessionsListCommand struct {
	Status  string
	User    string
	Profile string
	Output  string
}

// configureSessionsCommand registers `sentinel sessions` and its
// subcommands; each subcommand lives in a sessions_*.go file of its own.
func configureSessionsCommand(app *kingpin.Application, g *Globals) {
	cmd := app.Command("sessions", "List, show and revoke server-mode sessions; block a user.")
	configureSessionsListCommand(cmd, g)
	configureSessionsShowCommand(cmd, g)
	configureSessionsRevokeCommand(cmd, g)
	configureSessionsUnblockCommand(cmd, g)
}

func configureSessionsListCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &sessionsListCommand{}
	cmd := parent.Command("list", "List sessions, newest first (default: your own).").Default()
	cmd.Flag("status", "Only sessions with this status now.").EnumVar(&c.Status, "active", "revoked", "expired")
	cmd.Flag("user", "Only sessions of this user (a name, or an ARN matched ignoring case).").StringVar(&c.User)
	cmd.Flag("profile", "Only sessions for this profile.").StringVar(&c.Profile)
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *sessionsListCommand) run(ctx context.Context, g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	q := session.Query{Profile: c.Profile, Status: session.Status(c.Status)}
	if strings.HasPrefix(c.User, "arn:") {
		q.UserARN = c.User
	} else {
		q.User = c.User
	}
	sessions, err := ops.ListSessions(ctx, q)
	if err != nil {
		return sessionsError(err, checkSessionIDHint)
	}
	now := time.Now()
	if c.Output == "json" {
		views := make([]sessionView, 0, len(sessions))
		for _, s := range sessions {
			views = append(views, viewSession(s, now))
		}
		return writeJSON(g.Stdout, views)
	}
	return writeSessionTable(g.Stdout, sessions, now)
}
