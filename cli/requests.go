package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/request"
)

type requestsCommand struct {
	Status     string
	Profile    string
	Requester  string
	Output     string
	ID         string
	Reviewable bool
}

func configureRequestsCommand(app *kingpin.Application, g *Globals) {
	c := &requestsCommand{}
	cmd := app.Command("requests", "List, show, cancel and revoke approval requests.")

	list := cmd.Command("list", "List requests, newest first (default: your own).").Default()
	list.Flag("status", "Only requests with this status.").EnumVar(&c.Status, "pending", "approved", "denied", "cancelled", "expired", "revoked")
	list.Flag("profile", "Only requests for this profile.").StringVar(&c.Profile)
	list.Flag("requester", "Only requests by this user.").StringVar(&c.Requester)
	list.Flag("reviewable", "Only the pending requests you may approve under the current policy.").BoolVar(&c.Reviewable)
	outputFlag(list, &c.Output)
	list.Action(g.action(c.list))

	show := cmd.Command("show", "Show one request.")
	show.Arg("id", "Request ID, or a unique prefix of at least 6 of its digits.").Required().StringVar(&c.ID)
	outputFlag(show, &c.Output)
	show.Action(g.action(c.show))

	cancel := cmd.Command("cancel", "Cancel your own pending request.")
	cancel.Arg("id", "Request ID, or a unique prefix of at least 6 of its digits.").Required().StringVar(&c.ID)
	cancel.Action(g.action(c.cancel))

	configureRequestsRevokeCommand(cmd, g)
}

func (c *requestsCommand) list(ctx context.Context, g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	var reqs []*request.Request
	if c.Reviewable {
		if c.Profile != "" || c.Requester != "" || (c.Status != "" && c.Status != string(request.StatusPending)) {
			return fmt.Errorf("--reviewable lists pending requests you may approve; it takes no --profile, --requester or other --status")
		}
		reqs, err = ops.ListReviewable(ctx)
	} else {
		q := request.Query{Profile: c.Profile, Requester: c.Requester, Status: request.Status(c.Status)}
		reqs, err = ops.ListRequests(ctx, q)
	}
	if err != nil {
		return err
	}
	now := time.Now()
	if c.Output == "json" {
		views := make([]requestView, 0, len(reqs))
		for _, r := range reqs {
			views = append(views, viewRequest(r, now))
		}
		return writeJSON(g.Stdout, views)
	}
	return writeRequestTable(g.Stdout, reqs, now)
}

func (c *requestsCommand) show(ctx context.Context, g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	id, err := ops.ResolveRequestID(ctx, c.ID)
	if err != nil {
		return err
	}
	r, err := ops.GetRequest(ctx, id)
	if err != nil {
		return err
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, viewRequest(r, time.Now()))
	}
	writeRequestDetail(g.Stdout, r, time.Now())
	return nil
}

func (c *requestsCommand) cancel(ctx context.Context, g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	id, err := ops.ResolveRequestID(ctx, c.ID)
	if err != nil {
		return err
	}
	r, err := ops.CancelRequest(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "Request %s cancelled.\n", r.ID)
	return nil
}
