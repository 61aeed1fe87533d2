package cli

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"
	"github.com/sentinel-cli/sentinel/internal/field"
)

type sessionsSyncAWSCommand struct {
	Output string
}

func configureSessionsSyncAWSCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &sessionsSyncAWSCommand{}
	cmd := parent.Command("sync-aws", "Write every role's SentinelRevocations policy again from the revocation list, after pruning what has expired (an approver); repairs a failed revocation in AWS.")
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *sessionsSyncAWSCommand) run(ctx context.Context, g *Globals) error {
	cfg, err := g.Config()
	if err != nil {
		return err
	}
	ops, err := g.operationsInAWS(!cfg.Server.Configured())
	if err != nil {
		return err
	}
	rs, err := ops.SyncAWS(ctx)
	if c.Output == "json" && err == nil {
		return writeJSON(g.Stdout, rs)
	}
	for _, r := range rs {
		switch {
		case r.Error != "":
			fmt.Fprintf(g.Stdout, "%s: FAILED: %s\n", field.Display(r.Role), field.Display(r.Error))
		case r.Deleted:
			fmt.Fprintf(g.Stdout, "%s: no revocation left; policy deleted\n", field.Display(r.Role))
		case r.NoRole:
			fmt.Fprintf(g.Stdout, "%s: IAM has no such role; nothing to deny\n", field.Display(r.Role))
		case r.Fallback:
			fmt.Fprintf(g.Stdout, "%s: written (sha256 %s); FALLBACK: every session of the role issued before %s is denied\n", field.Display(r.Role), field.Display(r.PolicySHA256), r.IssuedBefore.Format("2006-01-02T15:04:05Z07:00"))
		default:
			fmt.Fprintf(g.Stdout, "%s: written (sha256 %s)\n", field.Display(r.Role), field.Display(r.PolicySHA256))
		}
	}
	if err != nil {
		return inAWSError(err)
	}
	if len(rs) == 0 {
		fmt.Fprintln(g.Stdout, "The revocation list names no role: nothing to write.")
	}
	return nil
}
