package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"golang.org/x/term"

	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/request"
)

type reviewCommand struct {
	action  request.Action
	ID      string
	Comment string
	Yes     bool
}

// configureReviewCommands adds `sentinel approve` and `sentinel deny`.
func configureReviewCommands(app *kingpin.Application, g *Globals) {
	for _, a := range []struct {
		action request.Action
		help   string
	}{
		{request.ActionApprove, "Approve a pending request (approvers of its profile only, never the requester)."},
		{request.ActionDeny, "Deny a pending request (approvers of its profile only)."},
	} {
		c := &reviewCommand{action: a.action}
		cmd := app.Command(string(a.action), a.help)
		cmd.Arg("id", requestIDHelp).Required().StringVar(&c.ID)
		cmd.Flag("comment", "A comment recorded with your decision.").Short('c').StringVar(&c.Comment)
		cmd.Flag("yes", "Do not ask for confirmation on a terminal.").Short('y').BoolVar(&c.Yes)
		cmd.Action(g.action(c.run))
	}
}

// errNotConfirmed is the answer "no" to the confirmation.
var errNotConfirmed = errors.New("nothing done: not confirmed")

func (c *reviewCommand) run(ctx context.Context, g *Globals) error {
	return g.onRequest(ctx, c.ID, func(ops Operations, id string) error { return c.decide(ctx, g, ops, id) })
}

// decide shows request id, asks for confirmation on a terminal, and
// records the review.
func (c *reviewCommand) decide(ctx context.Context, g *Globals, ops Operations, id string) error {
	// Show what is being decided before deciding it: an approver who
	// typed the wrong prefix sees whose request it is.
	current, err := ops.GetRequest(ctx, id)
	if err != nil {
		return err
	}
	writeReviewSummary(g.Stdout, c.action, current, time.Now())
	fmt.Fprintf(g.Stdout, "  Decision now:  %s\n", requesterDecisionLine(ctx, ops, current))
	if !c.Yes && interactive() {
		ok, err := confirm(os.Stdin, g.Stderr, fmt.Sprintf("%s request %s? [y/N] ", verb(c.action), id))
		if err != nil {
			return err
		}
		if !ok {
			return &ExitError{Code: 1, Err: errNotConfirmed}
		}
	}
	r, err := ops.Review(ctx, id, c.action, c.Comment)
	if err != nil {
		return notApprovable(err)
	}
	switch r.Status {
	case request.StatusApproved:
		fmt.Fprintf(g.Stdout, "Request %s approved: %s may use %s until %s.\n", r.ID, field.Display(r.Requester), field.Display(r.Profile), timeOrDash(r.WindowEnd()))
	case request.StatusDenied:
		fmt.Fprintf(g.Stdout, "Request %s denied.\n", r.ID)
	default:
		fmt.Fprintf(g.Stdout, "Approval recorded: %d of %d required for request %s.\n", r.Approvals(), r.Required, r.ID)
	}
	return nil
}

func verb(a request.Action) string {
	if a == request.ActionApprove {
		return "Approve"
	}
	return "Deny"
}

// writeReviewSummary says what an approve or deny is about to decide.
func writeReviewSummary(w io.Writer, action request.Action, r *request.Request, now time.Time) {
	v := viewRequest(r, now)
	fmt.Fprintf(w, "%s request %s:\n", verb(action), field.Display(v.ID))
	fmt.Fprintf(w, "  Requester:     %s (%s)\n", field.Display(v.Requester), field.Display(v.RequesterARN))
	fmt.Fprintf(w, "  Account:       %s\n", field.Display(accountOf(v.RequesterARN)))
	fmt.Fprintf(w, "  Profile:       %s\n", field.Display(v.Profile))
	fmt.Fprintf(w, "  Role:          %s\n", field.Display(orDash(r.RoleARN)))
	fmt.Fprintf(w, "  Duration:      %s\n", r.Duration)
	fmt.Fprintf(w, "  Justification: %s\n", field.Display(v.Justification))
	fmt.Fprintf(w, "  Status:        %s (%d of %d approvals)\n", field.Display(statusLabel(v)), v.Approvals, v.Required)
}

// interactive reports whether both stdin and stderr are terminals: only
// then is a person there to answer a question.
func interactive() bool {
	return term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stderr.Fd()))
}

// confirm asks question and reads one line: yes or y means yes.
func confirm(in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprint(out, question)
	line, err := bufio.NewReader(io.LimitReader(in, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
