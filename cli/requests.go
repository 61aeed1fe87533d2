package cli

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/request"
)

// requestsListCommand is `requests list`: the listing every kind shares,
// plus --reviewable.
type requestsListCommand struct {
	recordListCommand[*request.Request, request.Query, requestView]
	Reviewable bool
}

type requestsCommand struct {
	ID string
}

func configureRequestsCommand(app *kingpin.Application, g *Globals) {
	cmd := app.Command("requests", "List, show, cancel and revoke approval requests.")

	l := &requestsListCommand{recordListCommand: recordListCommand[*request.Request, request.Query, requestView]{kind: requestRecords}}
	list := cmd.Command("list", "List requests, newest first (default: your own).").Default()
	l.configure(list, func(cmd *kingpin.CmdClause) {
		cmd.Flag("reviewable", "Only the pending requests you may approve under the current policy.").BoolVar(&l.Reviewable)
	})
	list.Action(g.action(l.run))

	s := &recordShowCommand[*request.Request, request.Query, requestView]{kind: requestRecords}
	show := cmd.Command("show", "Show one request.")
	s.configure(show)
	show.Action(g.action(s.run))

	c := &requestsCommand{}
	cancel := cmd.Command("cancel", "Cancel your own pending request.")
	cancel.Arg("id", requestIDHelp).Required().StringVar(&c.ID)
	cancel.Action(g.action(c.cancel))

	configureRequestsRevokeCommand(cmd, g)
}

func (c *requestsListCommand) run(ctx context.Context, g *Globals) error {
	if !c.Reviewable {
		return c.recordListCommand.run(ctx, g)
	}
	q := c.query()
	if q.Profile != "" || q.Requester != "" || (q.Status != "" && q.Status != request.StatusPending) {
		return fmt.Errorf("--reviewable lists pending requests you may approve; it takes no --profile, --requester or other --status")
	}
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	reqs, err := ops.ListReviewable(ctx)
	if err != nil {
		return err
	}
	return c.kind.writeList(g.Stdout, reqs, c.output)
}

func (c *requestsCommand) cancel(ctx context.Context, g *Globals) error {
	return g.onRequest(ctx, c.ID, func(ops Operations, id string) error {
		r, err := ops.CancelRequest(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.Stdout, "Request %s cancelled.\n", r.ID)
		return nil
	})
}
