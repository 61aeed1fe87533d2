package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"golang.org/x/term"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/request"
)

// Exit codes of a wait for approval.
const (
	// ExitNotApproved: the request was denied, cancelled or expired.
	ExitNotApproved = 2
	// ExitWaitTimeout: --timeout passed while the request was pending.
	ExitWaitTimeout = 3
)

// DefaultPollInterval is how often a wait reads the request again.
const DefaultPollInterval = 2 * time.Second

// waitFlags are the flags of a command that waits for an approval.
type waitFlags struct {
	Wait     bool
	Timeout  time.Duration
	Interval time.Duration
}

func (w *waitFlags) configure(cmd *kingpin.CmdClause) {
	cmd.Flag("timeout", "How long to wait for a decision.").Default("30m").DurationVar(&w.Timeout)
	cmd.Flag("poll-interval", "How often to look at the request while waiting.").Hidden().Default(DefaultPollInterval.String()).DurationVar(&w.Interval)
}

func (w *waitFlags) check() error {
	if w.Timeout <= 0 {
		return fmt.Errorf("--timeout %s: give a positive duration, such as 30m", w.Timeout)
	}
	if w.Interval < 10*time.Millisecond {
		return fmt.Errorf("--poll-interval %s is too short", w.Interval)
	}
	return nil
}

// printFiled says what was filed and who acts next.
func printFiled(g *Globals, r *request.Request) {
	if r.AutoApproved {
		fmt.Fprintf(g.Stdout, "%s\nRequest %s for %s was auto-approved by the policy: access until %s.\n", r.ID, r.ID, field.Display(r.Profile), timeOrDash(r.WindowEnd()))
		return
	}
	fmt.Fprintf(g.Stdout, "%s\nRequest %s for %s is pending: %d approval(s) needed before %s.\nAn approver runs: sentinel approve %s\n",
		r.ID, r.ID, field.Display(r.Profile), r.Required, timeOrDash(r.ExpiresAt), r.ID)
}

// printApproved says that a waited-for request was approved.
func printApproved(g *Globals, r *request.Request) {
	if r.AutoApproved {
		return // printFiled said so already
	}
	fmt.Fprintf(g.Stdout, "Request %s approved%s: access to %s until %s.\n", r.ID, byReviewers(r, request.ActionApprove), field.Display(r.Profile), timeOrDash(r.WindowEnd()))
}

// waitForRequest reads request r again every w.Interval until it is no
// longer pending or w.Timeout passes. It returns the request once approved;
// a denial, cancellation or expiry is an *ExitError with ExitNotApproved,
// the timeout one with ExitWaitTimeout (the request stays pending). A
// store or service that does not answer is tried again until the timeout.
func (g *Globals) waitForRequest(ctx context.Context, ops Operations, r *request.Request, w waitFlags) (*request.Request, error) {
	deadline := time.Now().Add(w.Timeout)
	sp := newSpinner(g.Stderr, fmt.Sprintf("waiting for a decision on request %s", r.ID), w.Timeout)
	defer sp.stop()
	for {
		switch r.EffectiveStatus(time.Now()) {
		case request.StatusApproved:
			sp.stop()
			return r, nil
		case request.StatusDenied:
			sp.stop()
			return r, &ExitError{Code: ExitNotApproved, Err: fmt.Errorf("request %s was denied%s%s", r.ID, byReviewers(r, request.ActionDeny), denyComment(r))}
		case request.StatusCancelled:
			sp.stop()
			return r, &ExitError{Code: ExitNotApproved, Err: fmt.Errorf("request %s was cancelled", r.ID)}
		case request.StatusExpired:
			sp.stop()
			return r, &ExitError{Code: ExitNotApproved, Err: fmt.Errorf("request %s expired at %s without enough approvals", r.ID, timeOrDash(r.ExpiresAt)),
				Hint: "ask again: sentinel request " + r.Profile + " --justification \"...\" --wait"}
		}
		left := time.Until(deadline)
		if left <= 0 {
			sp.stop()
			return r, &ExitError{Code: ExitWaitTimeout, Err: fmt.Errorf("gave up waiting after %s: request %s is still pending", w.Timeout, r.ID),
				Hint: "see it with `sentinel requests show " + r.ID + "`, or cancel it with `sentinel requests cancel " + r.ID + "`"}
		}
		select {
		case <-ctx.Done():
			sp.stop()
			return r, ctx.Err()
		case <-time.After(min(w.Interval, left)):
		}
		got, err := ops.GetRequest(ctx, r.ID)
		switch {
		case err == nil:
			r = got
		case errors.Is(err, broker.ErrUnavailable):
			g.Debugf("request %s: %v; trying again", r.ID, err)
		default:
			sp.stop()
			return nil, err
		}
	}
}

// byReviewers names who took action on r (" by bob, carol").
func byReviewers(r *request.Request, action request.Action) string {
	s := ""
	for _, rv := range r.Reviews {
		if rv.Action != action {
			continue
		}
		if s == "" {
			s = " by " + field.Display(rv.User)
		} else {
			s += ", " + field.Display(rv.User)
		}
	}
	return s
}

func denyComment(r *request.Request) string {
	for _, rv := range r.Reviews {
		if rv.Action == request.ActionDeny && rv.Comment != "" {
			return ": " + field.Display(rv.Comment)
		}
	}
	return ""
}

// spinner shows that a wait goes on: an animated line on a terminal, one
// plain line otherwise (a log or a pipe gets no carriage returns).
type spinner struct {
	done    chan struct{}
	stopped chan struct{}
	tty     bool
	w       io.Writer
}

func newSpinner(w io.Writer, what string, timeout time.Duration) *spinner {
	s := &spinner{done: make(chan struct{}), stopped: make(chan struct{}), w: w}
	f, ok := w.(*os.File)
	s.tty = ok && term.IsTerminal(int(f.Fd()))
	if !s.tty {
		fmt.Fprintf(w, "sentinel: %s (up to %s)...\n", what, timeout)
		close(s.stopped)
		return s
	}
	start := time.Now()
	go func() {
		defer close(s.stopped)
		frames := `|/-\`
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(w, "\r%c %s (%s)\x1b[K", frames[i%len(frames)], what, time.Since(start).Round(time.Second))
			select {
			case <-s.done:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the animation; it may be called more than once.
func (s *spinner) stop() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	<-s.stopped
}
