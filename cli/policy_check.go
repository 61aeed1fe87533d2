package cli

import (
	"cmp"
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
	Account string
	Roles   []string
	Mode    string
	At      string
	Output  string
}

func configurePolicyCheckCommand(parent *kingpin.CmdClause, g *Globals) {
	var o policyCheckOptions
	cmd := parent.Command("check", "Show what the policy decides for a user, profile, mode and time, and why earlier rules did not match. "+
		"Exit status: 0 allowed; 2 not allowed (denied, needs an approval, or needs server mode); 1 on errors.")
	cmd.Flag("profile", "AWS profile asked for.").Required().StringVar(&o.Profile)
	cmd.Flag("user", "Who asks: a full ARN, or a bare IAM user name (taken as that user in --account).").Required().StringVar(&o.User)
	cmd.Flag("account", "Account of a bare --user (default: the first of the policy's accounts:).").PlaceHolder("ID").StringVar(&o.Account)
	cmd.Flag("role", "A role ARN the profile's chain assumes, base to target; repeat for a chain (default: the profile's pinned role).").PlaceHolder("ARN").StringsVar(&o.Roles)
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
	p, err := g.loadPolicyFile("")
	if err != nil {
		return err
	}
	req, account, err := checkRequest(o, p, now)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}

	d := p.Explain(req)
	// The broker refuses a chain that does not match its pin before it
	// asks the rules, so the check says so too.
	pinErr := p.CheckChain(req.Profile, req.Roles, account)
	next := time.Time{}
	if !d.WindowEnd.IsZero() {
		next = p.NextWindowOpen(d.RuleIndex, d.WindowEnd)
	}
	if o.Output == "json" {
		if err := writeJSON(g.Stdout, newPolicyCheckView(d, p, pinErr)); err != nil {
			return err
		}
	} else if err := writePolicyCheck(g, req, d, p, pinErr, next); err != nil {
		return err
	}
	if !d.Allowed || pinErr != nil {
		return &ExitError{Code: 2, Silent: true}
	}
	return nil
}

// checkRequest builds the policy request from the flags, and returns the
// account of the caller for the pin check. A --user that is an ARN gives
// the ARN and the short name derived from it, as the caller identity would
// at request time; a bare --user is taken as the IAM user of that name in
// --account, or in the policy's first account. Without --role, a pinned
// profile's chain is its pinned role.
func checkRequest(o policyCheckOptions, p *policy.Policy, now time.Time) (policy.Request, string, error) {
	mode, err := policy.ParseMode(o.Mode)
	if err != nil {
		return policy.Request{}, "", fmt.Errorf("--mode: %w", err)
	}
	req := policy.Request{User: o.User, Profile: o.Profile, Mode: mode, Time: now}
	account := o.Account
	if account == "" && !strings.HasPrefix(o.User, "arn:") && len(p.Accounts) > 0 {
		account = p.Accounts[0]
	}
	arn := o.User
	if !strings.HasPrefix(o.User, "arn:") && account != "" {
		arn = "arn:aws:iam::" + account + ":user/" + o.User
	}
	if strings.HasPrefix(arn, "arn:") {
		id, err := vault.ParseIdentity(arn, "", "")
		if err != nil {
			return policy.Request{}, "", fmt.Errorf("--user: %w", err)
		}
		if o.Account != "" && id.Account != o.Account {
			return policy.Request{}, "", fmt.Errorf("--account %s differs from the account of --user %s", o.Account, o.User)
		}
		req.User, req.ARN, account = id.Name, id.ARN, id.Account
	}
	req.Roles = o.Roles
	if len(req.Roles) == 0 {
		if pin, ok := p.Pin(o.Profile); ok && pin.RoleARN != "" {
			req.Roles = []string{pin.RoleARN}
		}
	}
	if o.At != "" {
		at, err := time.Parse(time.RFC3339, o.At)
		if err != nil {
			return policy.Request{}, "", fmt.Errorf("--at %q: want RFC 3339 like 2025-06-02T09:30:00+02:00", o.At)
		}
		req.Time = at
	}
	return req, account, nil
}

// policyCheckView is the JSON document of `policy check --output json`;
// its keys are a stable interface for scripts.
type policyCheckView struct {
	Effect             string `json:"effect"`
	Allowed            bool   `json:"allowed"`
	Rule               string `json:"rule"`
	RuleIndex          int    `json:"rule_index"`
	Reason             string `json:"reason"`
	MaxDurationSeconds int64  `json:"max_duration_seconds"`
	// WindowEnd is when the matched rule's time window closes (RFC 3339),
	// "" when it has none.
	WindowEnd string `json:"window_end"`
	// PinError says how the profile's chain differs from its pin; "" when
	// it matches or the policy pins no profiles.
	PinError     string           `json:"pin_error"`
	Misses       []policyMissView `json:"misses"`
	PolicySHA256 string           `json:"policy_sha256"`
}

// policyMissView is one rule that did not match, in policyCheckView.
type policyMissView struct {
	Rule  string `json:"rule"`
	Index int    `json:"index"`
	Why   string `json:"why"`
}

func newPolicyCheckView(d policy.Decision, p *policy.Policy, pinErr error) policyCheckView {
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
	if !d.WindowEnd.IsZero() {
		v.WindowEnd = d.WindowEnd.Format(time.RFC3339)
	}
	if pinErr != nil {
		v.Allowed = false
		v.PinError = pinErr.Error()
	}
	for _, m := range d.Misses {
		v.Misses = append(v.Misses, policyMissView{Rule: m.Rule, Index: m.Index, Why: m.Why})
	}
	return v
}

// writePolicyCheck prints the decision as an aligned table, then the rules
// that were tried before it.
func writePolicyCheck(g *Globals, req policy.Request, d policy.Decision, p *policy.Policy, pinErr error, next time.Time) error {
	who := req.User
	if req.ARN != "" {
		who += " (" + req.ARN + ")"
	}
	allowed := "no"
	if d.Allowed && pinErr == nil {
		allowed = "yes"
	}
	rule := "none"
	if d.RuleIndex >= 0 {
		rule = fmt.Sprintf("%s (index %d)", d.Rule, d.RuleIndex)
	}
	reason := cmp.Or(d.Reason, "-")
	t := newTable(g.Stdout)
	fmt.Fprintf(t, "request\t%s asks for %s in %s mode at %s\n", who, req.Profile, req.Mode, req.Time.Format(time.RFC3339))
	if len(req.Roles) > 0 {
		fmt.Fprintf(t, "roles\t%s\n", strings.Join(req.Roles, " -> "))
	}
	if pinErr != nil {
		fmt.Fprintf(t, "pin\trefused: %v\n", pinErr)
	} else if p.HasPins() {
		fmt.Fprintf(t, "pin\tok\n")
	}
	fmt.Fprintf(t, "effect\t%s\n", d.Effect)
	fmt.Fprintf(t, "allowed\t%s\n", allowed)
	fmt.Fprintf(t, "rule\t%s\n", rule)
	fmt.Fprintf(t, "reason\t%s\n", reason)
	fmt.Fprintf(t, "max duration\t%s\n", policy.FormatDuration(d.MaxDuration))
	if !d.WindowEnd.IsZero() {
		line := d.WindowEnd.Format(time.RFC3339)
		if !next.IsZero() {
			line += " (next opens " + next.Format(time.RFC3339) + ")"
		}
		fmt.Fprintf(t, "window ends\t%s\n", line)
	}
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
