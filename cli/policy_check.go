package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// policyCheckOptions are the flags of `sentinel policy check`.
type policyCheckOptions struct {
	Profile string
	User    string
	Mode    string
	At      string
	Output  string
}

func configurePolicyCheckCommand(parent *kingpin.CmdClause, g *Globals) {
	var o policyCheckOptions
	cmd := parent.Command("check", "Show what the policy decides for a user, profile, mode and time, and why earlier rules did not match. "+
		"Exit status: 0 allowed; 2 not allowed (denied, needs an approval, or needs server mode); 1 on errors.")
	cmd.Flag("profile", "AWS profile asked for.").Required().StringVar(&o.Profile)
	cmd.Flag("user", "Who asks: a short name (IAM user or role session name) or a full ARN.").Required().StringVar(&o.User)
	cmd.Flag("mode", "How credentials are asked for: cli, credential_process or server.").Default(string(policy.ModeCLI)).
		EnumVar(&o.Mode, string(policy.ModeCLI), string(policy.ModeCredentialProcess), string(policy.ModeServer))
	cmd.Flag("at", "When the request is made, RFC 3339 (default: now).").PlaceHolder("TIME").StringVar(&o.At)
	outputFlag(cmd, &o.Output)
	cmd.Action(func(*kingpin.ParseContext) error {
		return runPolicyCheck(g, o, time.Now())
	})
}

// runPolicyCheck explains the decision for the request the flags describe;
// now is the time used when --at is not given.
func runPolicyCheck(g *Globals, o policyCheckOptions, now time.Time) error {
	req, err := checkRequest(o, now)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	path, err := g.policyFileFor("")
	if err != nil {
		return err
	}
	p, err := g.loadPolicyFile(path)
	if err != nil {
		return err
	}

	d := p.Explain(req)
	if o.Output == "json" {
		if err := writeJSON(g.Stdout, newPolicyCheckView(d, p)); err != nil {
			return err
		}
	} else if err := writePolicyCheck(g, req, d, p); err != nil {
		return err
	}
	if !d.Allowed {
		return &ExitError{Code: 2, Silent: true}
	}
	return nil
}

// checkRequest builds the policy request from the flags. A --user that is
// an ARN gives both the ARN and the short name derived from it, as the
// caller identity would at request time.
func checkRequest(o policyCheckOptions, now time.Time) (policy.Request, error) {
	mode, err := policy.ParseMode(o.Mode)
	if err != nil {
		return policy.Request{}, fmt.Errorf("--mode: %w", err)
	}
	req := policy.Request{User: o.User, Profile: o.Profile, Mode: mode, Time: now}
	if strings.HasPrefix(o.User, "arn:") {
		id, err := vault.ParseIdentity(o.User, "", "")
		if err != nil {
			return policy.Request{}, fmt.Errorf("--user: %w", err)
		}
		req.User, req.ARN = id.Name, id.ARN
	}
	if o.At != "" {
		at, err := time.Parse(time.RFC3339, o.At)
		if err != nil {
			return policy.Request{}, fmt.Errorf("--at %q: want RFC 3339 like 2025-06-02T09:30:00+02:00", o.At)
		}
		req.Time = at
	}
	return req, nil
}

// policyCheckView is the JSON document of `policy check --output json`;
// its keys are a stable interface for scripts.
type policyCheckView struct {
	Effect             string           `json:"effect"`
	Allowed            bool             `json:"allowed"`
	Rule               string           `json:"rule"`
	RuleIndex          int              `json:"rule_index"`
	Reason             string           `json:"reason"`
	MaxDurationSeconds int64            `json:"max_duration_seconds"`
	Misses             []policyMissView `json:"misses"`
	PolicySHA256       string           `json:"policy_sha256"`
}

// policyMissView is one rule that did not match, in policyCheckView.
type policyMissView struct {
	Rule  string `json:"rule"`
	Index int    `json:"index"`
	Why   string `json:"why"`
}

func newPolicyCheckView(d policy.Decision, p *policy.Policy) policyCheckView {
	v := policyCheckView{
		Effect:             string(d.Effect),
		Allowed:            d.Allowed,
		Rule:               d.Rule,
		RuleIndex:          d.RuleIndex,
		Reason:             d.Reason,
		MaxDurationSeconds: int64(d.MaxDuration / time.Second),
		// An empty list rather than null, so scripts can always iterate.
		Misses:       make([]policyMissView, 0, len(d.Misses)),
		PolicySHA256: p.SHA256,
	}
	for _, m := range d.Misses {
		v.Misses = append(v.Misses, policyMissView{Rule: m.Rule, Index: m.Index, Why: m.Why})
	}
	return v
}

// writePolicyCheck prints the decision as an aligned table, then the rules
// that were tried before it.
func writePolicyCheck(g *Globals, req policy.Request, d policy.Decision, p *policy.Policy) error {
	who := req.User
	if req.ARN != "" {
		who += " (" + req.ARN + ")"
	}
	allowed := "no"
	if d.Allowed {
		allowed = "yes"
	}
	rule := "none"
	if d.RuleIndex >= 0 {
		rule = fmt.Sprintf("%s (index %d)", d.Rule, d.RuleIndex)
	}
	reason := d.Reason
	if reason == "" {
		reason = "-"
	}
	t := newTable(g.Stdout)
	fmt.Fprintf(t, "request\t%s asks for %s in %s mode at %s\n", who, req.Profile, req.Mode, req.Time.Format(time.RFC3339))
	fmt.Fprintf(t, "effect\t%s\n", d.Effect)
	fmt.Fprintf(t, "allowed\t%s\n", allowed)
	fmt.Fprintf(t, "rule\t%s\n", rule)
	fmt.Fprintf(t, "reason\t%s\n", reason)
	fmt.Fprintf(t, "max duration\t%s\n", policy.FormatDuration(d.MaxDuration))
	fmt.Fprintf(t, "policy\t%s (sha256 %s…)\n", p.Path, p.SHA256[:8])
	if err := t.Flush(); err != nil {
		return err
	}
	if len(d.Misses) == 0 {
		return nil
	}
	heading := "\nrules that did not match first:"
	if d.RuleIndex < 0 {
		heading = "\nrules that did not match:"
	}
	fmt.Fprintln(g.Stdout, heading)
	t = newTable(g.Stdout)
	for _, m := range d.Misses {
		fmt.Fprintf(t, "  %d\t%s\t%s\n", m.Index, m.Rule, m.Why)
	}
	return t.Flush()
}
