package cli

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
)

// policyReplayOptions are the flags of `sentinel policy replay`.
type policyReplayOptions struct {
	File   string
	Since  string
	Logs   []string
	Output string
}

func configurePolicyReplayCommand(parent *kingpin.CmdClause, g *Globals) {
	var o policyReplayOptions
	cmd := parent.Command("replay", "Re-evaluate the logged decisions against a proposed policy and list every one it would decide differently. "+
		"Exit status: 0 when none changes; 2 when some would; 1 on errors.")
	cmd.Arg("file", "The proposed policy file.").Required().StringVar(&o.File)
	cmd.Flag("since", "How far back to replay: a duration like 7d, 36h or 90m.").Default("7d").StringVar(&o.Since)
	cmd.Flag("log", "Decision log to read; repeat for several files, such as rotated ones (default: the resolved decision log).").PlaceHolder("FILE").StringsVar(&o.Logs)
	outputFlag(cmd, &o.Output)
	cmd.Action(func(*kingpin.ParseContext) error {
		return runPolicyReplay(g, o, time.Now())
	})
}

// replaySince parses --since: a Go duration, or a whole number of days
// followed by d ("7d").
func replaySince(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 && n <= 3650 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("--since %q: want a positive duration like 7d, 36h or 90m", s)
}

// policyReplayView is one changed decision in `policy replay --output json`.
type policyReplayView struct {
	Time         time.Time `json:"time"`
	RequestID    string    `json:"request_id"`
	User         string    `json:"user"`
	PrincipalARN string    `json:"principal_arn"`
	Account      string    `json:"account"`
	Profile      string    `json:"profile"`
	Mode         string    `json:"mode"`
	Roles        []string  `json:"roles"`
	OldEffect    string    `json:"old_effect"`
	OldRule      string    `json:"old_rule"`
	NewEffect    string    `json:"new_effect"`
	NewRule      string    `json:"new_rule"`
	NewReason    string    `json:"new_reason"`
	PinError     string    `json:"pin_error,omitempty"`
}

func runPolicyReplay(g *Globals, o policyReplayOptions, now time.Time) error {
	since, err := replaySince(o.Since)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	p, err := g.loadPolicyFile(o.File)
	if err != nil {
		return err
	}
	logs := o.Logs
	if len(logs) == 0 {
		cfg, err := g.Config()
		if err != nil {
			return err
		}
		logs = []string{cfg.LogPath(g.LogFile)}
	}
	from := now.Add(-since)
	var records []policy.Recorded
	for _, path := range logs {
		recs, skipped, err := readDecisions(path, from)
		if err != nil {
			return err
		}
		if skipped > 0 {
			fmt.Fprintf(g.Stderr, "sentinel: warning: %s: skipped %d line(s) that are not log entries (check the file with sentinel log verify)\n", path, skipped)
		}
		records = append(records, recs...)
	}
	changes := p.Replay(records)
	if o.Output == "json" {
		views := make([]policyReplayView, 0, len(changes))
		for _, c := range changes {
			views = append(views, newReplayView(c))
		}
		if err := writeJSON(g.Stdout, views); err != nil {
			return err
		}
	} else if err := writeReplayTable(g, changes, len(records), since, now); err != nil {
		return err
	}
	if len(changes) > 0 {
		return &ExitError{Code: 2, Silent: true}
	}
	return nil
}

// maxLogLine bounds one line of the log as replay reads it; the logger
// writes far shorter ones.
const maxLogLine = 1 << 20

// readDecisions reads the decision entries at or after from in the log at
// path. Lines that are not JSON entries are counted, not fatal: replay is
// an analysis, and `sentinel log verify` is the check of the file. The
// chain is not verified here.
func readDecisions(path string, from time.Time) ([]policy.Recorded, int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, withHint(fmt.Errorf("decision log %s: no such file", path), "name the log with --log FILE")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("open decision log: %w", err)
	}
	defer f.Close()
	var out []policy.Recorded
	skipped := 0
	br := bufio.NewReaderSize(f, maxLogLine)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Longer than any entry: skip the rest of it.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			skipped++
			continue
		}
		if len(strings.TrimSpace(string(line))) > 0 {
			if rec, ok, bad := decisionRecord(line, from); bad {
				skipped++
			} else if ok {
				out = append(out, rec)
			}
		}
		if errors.Is(err, io.EOF) {
			return out, skipped, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("read decision log %s: %w", path, err)
		}
	}
}

// decisionRecord turns one log line into a record: ok when it is a
// decision at or after from, bad when it is not an entry at all.
func decisionRecord(line []byte, from time.Time) (rec policy.Recorded, ok, bad bool) {
	var e logging.Entry
	if err := json.Unmarshal(line, &e); err != nil || e.Time.IsZero() {
		return rec, false, true
	}
	if e.Event != logging.EventDecision || e.Time.Before(from) {
		return rec, false, false
	}
	mode := cmp.Or(policy.Mode(e.Mode), policy.ModeCLI)
	effect := policy.Effect(e.PolicyEffect)
	effect = cmp.Or(effect, policy.Effect(e.Effect))
	req := policy.Request{User: e.User, ARN: e.PrincipalARN, Profile: e.Profile, Mode: mode, Time: e.Time}
	// The log records the role the credentials came from (on an allow):
	// the chain's last role. Replay takes it as the chain; without it,
	// Replay uses the new policy's pinned role.
	if e.RoleARN != "" {
		req.Roles = []string{e.RoleARN}
	}
	return policy.Recorded{Ref: e.RequestID, Request: req, Account: e.Account, Effect: effect, Rule: e.Rule}, true, false
}

func newReplayView(c policy.Change) policyReplayView {
	req := c.Old.Request
	v := policyReplayView{
		Time: req.Time.UTC(), RequestID: c.Old.Ref, User: req.User, PrincipalARN: req.ARN, Account: c.Old.Account,
		Profile: req.Profile, Mode: string(req.Mode), Roles: req.Roles,
		OldEffect: string(c.Old.Effect), OldRule: c.Old.Rule,
		NewEffect: string(c.New.Effect), NewRule: c.New.Rule, NewReason: c.New.Reason,
	}
	if v.Roles == nil {
		v.Roles = []string{}
	}
	if c.PinError != nil {
		v.PinError = c.PinError.Error()
	}
	return v
}

// effectRule renders an effect and the rule behind it for the table.
func effectRule(e policy.Effect, rule string) string {
	rule = cmp.Or(rule, "no rule")
	return string(e) + " (" + rule + ")"
}

func writeReplayTable(g *Globals, changes []policy.Change, total int, since time.Duration, now time.Time) error {
	fmt.Fprintf(g.Stdout, "%d of %d decisions in the last %s would change\n", len(changes), total, humanDuration(since))
	if len(changes) == 0 {
		return nil
	}
	t := newTable(g.Stdout)
	fmt.Fprintln(t, "WHEN\tAGO\tWHO\tPROFILE\tMODE\tOLD\tNEW")
	for _, c := range changes {
		req := c.Old.Request
		newer := effectRule(c.New.Effect, c.New.Rule)
		if c.PinError != nil {
			newer = "deny (profile pin)"
		}
		// Log fields are evidence written by clients: shown safely.
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", req.Time.Local().Format("2006-01-02 15:04"), relativeTime(req.Time, now),
			field.Display(req.User), field.Display(req.Profile), field.Display(string(req.Mode)),
			field.Display(effectRule(c.Old.Effect, c.Old.Rule)), field.Display(newer))
	}
	return t.Flush()
}
