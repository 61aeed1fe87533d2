package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

type sessionsRevokeCommand struct {
	ID     string
	User   string
	Reason string
	For    time.Duration
	Output string
	InAWS  bool
}

// sessionsBlockView is `sessions revoke --user --output json`.
type sessionsBlockView struct {
	UserARN string        `json:"user_arn"`
	Until   *time.Time    `json:"until,omitempty"`
	Revoked []sessionView `json:"revoked"`
}

func configureSessionsRevokeCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &sessionsRevokeCommand{}
	cmd := parent.Command("revoke", "Revoke a session (its own user or an approver of its profile), or with --user block a user and revoke all their sessions (an approver).")
	cmd.Arg("id", "Session ID.").StringVar(&c.ID)
	cmd.Flag("user", "Block this user (ARN) and revoke every active session of theirs, instead of one session.").StringVar(&c.User)
	cmd.Flag("reason", "Why (it is logged and stored with the session).").Required().StringVar(&c.Reason)
	cmd.Flag("for", "With --user: how long the block lasts (e.g. 24h); 0 or left out: until `sentinel sessions unblock`.").DurationVar(&c.For)
	outputFlag(cmd, &c.Output)
	cmd.Flag("in-aws", inAWSFlagHelp).BoolVar(&c.InAWS)
	cmd.Action(g.action(c.run))
}

func (c *sessionsRevokeCommand) run(ctx context.Context, g *Globals) error {
	switch {
	case c.ID != "" && c.User != "":
		return withHint(errors.New("give a session ID or --user, not both"), "revoke one session: sentinel sessions revoke ID --reason TEXT")
	case c.ID == "" && c.User == "":
		return withHint(errors.New("no session ID and no --user given"), "sentinel sessions revoke ID --reason TEXT, or sentinel sessions revoke --user ARN --reason TEXT")
	case c.ID != "" && c.For != 0:
		return withHint(errors.New("--for applies to a block of a user, not to one session"), "sentinel sessions revoke --user ARN --reason TEXT --for 24h")
	case c.For < 0:
		return withHint(fmt.Errorf("--for %s is negative", c.For), "give how long the block lasts, e.g. --for 24h")
	}
	ops, err := g.operationsInAWS(c.InAWS)
	if err != nil {
		return err
	}
	if c.ID != "" {
		s, err := ops.RevokeSession(ctx, c.ID, c.Reason)
		if err != nil {
			return inAWSError(sessionsError(err, checkSessionIDHint))
		}
		if c.Output == "json" {
			return writeJSON(g.Stdout, viewSession(s, time.Now()))
		}
		fmt.Fprintf(g.Stdout, "Session %s of %s on %s revoked: it gets no more credentials.\n", s.ID, s.UserARN, s.Profile)
		return nil
	}
	res, err := ops.BlockUser(ctx, c.User, c.Reason, c.For)
	if res != nil && c.Output == "json" {
		v := sessionsBlockView{UserARN: res.Block.UserARN, Revoked: make([]sessionView, 0, len(res.Revoked))}
		if !res.Block.Until.IsZero() {
			u := res.Block.Until.UTC()
			v.Until = &u
		}
		for _, s := range res.Revoked {
			v.Revoked = append(v.Revoked, viewSession(s, time.Now()))
		}
		if werr := writeJSON(g.Stdout, v); werr != nil && err == nil {
			err = werr
		}
	} else if res != nil {
		until := "until an approver lifts it with `sentinel sessions unblock`"
		if !res.Block.Until.IsZero() {
			until = "until " + timeOrDash(res.Block.Until)
		}
		fmt.Fprintf(g.Stdout, "Blocked %s %s.\n", res.Block.UserARN, until)
		ids := make([]string, 0, len(res.Revoked))
		for _, s := range res.Revoked {
			ids = append(ids, s.ID)
		}
		if len(ids) == 0 {
			fmt.Fprintln(g.Stdout, "No active session to revoke.")
		} else {
			fmt.Fprintf(g.Stdout, "Revoked %d active session(s): %s\n", len(ids), strings.Join(ids, " "))
		}
	}
	if err != nil {
		return inAWSError(sessionsError(err, checkSessionIDHint))
	}
	return nil
}
