package cli

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/request"
)

type requestsCommand struct {
	Status    string
	Profile   string
	Requester string
	Output    string
	ID        string
}

func configureRequestsCommand(app *kingpin.Application, g *Globals) {
	c := &requestsCommand{}
	cmd := app.Command("requests", "List, show and cancel approval requests.")

	list := cmd.Command("list", "List requests, newest first (default: your own).").Default()
	list.Flag("status", "Only requests with this status.").EnumVar(&c.Status, "pending", "approved", "denied", "cancelled", "expired")
	list.Flag("profile", "Only requests for this profile.").StringVar(&c.Profile)
	list.Flag("requester", "Only requests by this user.").StringVar(&c.Requester)
	outputFlag(list, &c.Output)
	list.Action(func(*kingpin.ParseContext) error { return c.list(g) })

	show := cmd.Command("show", "Show one request.")
	show.Arg("id", "Request ID.").Required().StringVar(&c.ID)
	outputFlag(show, &c.Output)
	show.Action(func(*kingpin.ParseContext) error { return c.show(g) })

	cancel := cmd.Command("cancel", "Cancel your own pending request.")
	cancel.Arg("id", "Request ID.").Required().StringVar(&c.ID)
	cancel.Action(func(*kingpin.ParseContext) error { return c.cancel(g) })
}

func (c *requestsCommand) list(g *Globals) error {
	b, actor, closeBroker, err := g.actorBroker("")
	if err != nil {
		return err
	}
	defer closeBroker()
	q := request.Query{Profile: c.Profile, Requester: c.Requester, Status: request.Status(c.Status)}
	reqs, err := listRequests(b, actor, q)
	if err != nil {
		return err
	}
	now := time.Now()
	if c.Status != "" {
		reqs = filterRequests(reqs, request.Status(c.Status), now)
	}
	if c.Output == "json" {
		views := make([]requestView, 0, len(reqs))
		for _, r := range reqs {
			views = append(views, viewRequest(r, now))
		}
		return writeJSON(g.Stdout, views)
	}
	return writeRequestTable(g.Stdout, reqs, now)
}

// listRequests lists the requests q selects. Expired requests are stored
// as pending until someone touches them, and as expired from then on, so
// asking for expired ones reads both and merges them, newest first.
func listRequests(b *broker.Broker, actor *broker.Actor, q request.Query) ([]*request.Request, error) {
	ctx := context.Background()
	if q.Status != request.StatusExpired {
		return b.ListRequests(ctx, actor, q)
	}
	q.Status = request.StatusPending
	lapsed, err := b.ListRequests(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	q.Status = request.StatusExpired
	recorded, err := b.ListRequests(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	reqs := append(lapsed, recorded...)
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].CreatedAt.After(reqs[j].CreatedAt) })
	return reqs, nil
}

// filterRequests keeps the requests whose effective status is s.
func filterRequests(reqs []*request.Request, s request.Status, now time.Time) []*request.Request {
	out := reqs[:0]
	for _, r := range reqs {
		if r.EffectiveStatus(now) == s {
			out = append(out, r)
		}
	}
	return out
}

func (c *requestsCommand) show(g *Globals) error {
	b, actor, closeBroker, err := g.actorBroker("")
	if err != nil {
		return err
	}
	defer closeBroker()
	r, err := b.GetRequest(context.Background(), actor, c.ID)
	if err != nil {
		return err
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, viewRequest(r, time.Now()))
	}
	writeRequestDetail(g.Stdout, r, time.Now())
	return nil
}

func (c *requestsCommand) cancel(g *Globals) error {
	b, actor, closeBroker, err := g.actorBroker("")
	if err != nil {
		return err
	}
	defer closeBroker()
	r, err := b.CancelRequest(context.Background(), actor, c.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "Request %s cancelled.\n", r.ID)
	return nil
}
