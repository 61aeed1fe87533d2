package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/policy"
)

// policyTestOptions are the flags of `sentinel policy test`.
type policyTestOptions struct {
	File    string
	Output  string
	Verbose bool
}

func configurePolicyTestCommand(parent *kingpin.CmdClause, g *Globals) {
	var o policyTestOptions
	cmd := parent.Command("test", "Run the tests: cases of a policy file and explain every failure. "+
		"Exit status: 0 when all pass; 1 when one fails, the file is invalid or has no tests.")
	cmd.Arg("file", "Policy file (default: the resolved policy path).").StringVar(&o.File)
	cmd.Flag("verbose", "Also list the cases that pass.").Short('v').BoolVar(&o.Verbose)
	outputFlag(cmd, &o.Output)
	cmd.Action(func(*kingpin.ParseContext) error {
		return runPolicyTest(g, o, time.Now())
	})
}

// policyTestView is one case in `policy test --output json`.
type policyTestView struct {
	Name       string           `json:"name"`
	Line       int              `json:"line"`
	Passed     bool             `json:"passed"`
	Failures   []string         `json:"failures"`
	User       string           `json:"user"`
	ARN        string           `json:"arn"`
	Profile    string           `json:"profile"`
	Mode       string           `json:"mode"`
	Time       string           `json:"time"`
	WantEffect string           `json:"want_effect"`
	WantRule   string           `json:"want_rule,omitempty"`
	Effect     string           `json:"effect"`
	Rule       string           `json:"rule"`
	PinError   string           `json:"pin_error,omitempty"`
	Misses     []policyMissView `json:"misses"`
}

// runPolicyTest runs the cases; now is the time of cases that give none.
func runPolicyTest(g *Globals, o policyTestOptions, now time.Time) error {
	p, err := g.loadPolicyFile(o.File)
	if err != nil {
		return err
	}
	path := p.Path
	if len(p.Tests()) == 0 {
		return withHint(fmt.Errorf("%s has no tests: section", path),
			"add cases under tests: (each names a user, a profile and the expected effect; `sentinel policy init` writes examples)")
	}
	results := p.RunTests(now)
	failed := 0
	for _, r := range results {
		if !r.Passed() {
			failed++
		}
	}
	if o.Output == "json" {
		views := make([]policyTestView, 0, len(results))
		for _, r := range results {
			views = append(views, newPolicyTestView(r))
		}
		if err := writeJSON(g.Stdout, views); err != nil {
			return err
		}
	} else {
		writePolicyTest(g, path, results, o.Verbose)
		fmt.Fprintf(g.Stdout, "%s: %d passed, %d failed\n", path, len(results)-failed, failed)
	}
	if failed > 0 {
		return &ExitError{Code: 1, Silent: true}
	}
	return nil
}

func newPolicyTestView(r policy.TestResult) policyTestView {
	v := policyTestView{
		Name: r.Case.Name, Line: r.Case.Line, Passed: r.Passed(), Failures: r.Failures,
		User: r.Request.User, ARN: r.Request.ARN, Profile: r.Request.Profile, Mode: string(r.Request.Mode),
		Time: r.Request.Time.Format(time.RFC3339), WantEffect: string(r.Case.Effect), WantRule: r.Case.Rule,
		Effect: string(r.Decision.Effect), Rule: r.Decision.Rule, Misses: make([]policyMissView, 0, len(r.Decision.Misses)),
	}
	if v.Failures == nil {
		v.Failures = []string{}
	}
	if r.PinError != nil {
		v.PinError = r.PinError.Error()
		v.Effect, v.Rule = string(policy.EffectDeny), ""
	}
	for _, m := range r.Decision.Misses {
		v.Misses = append(v.Misses, policyMissView{Rule: m.Rule, Index: m.Index, Why: m.Why})
	}
	return v
}

// writePolicyTest prints each failure as file:line: name: what differs,
// followed by the explanation of the decision: the rules tried before it
// and why each did not match.
func writePolicyTest(g *Globals, path string, results []policy.TestResult, verbose bool) {
	col := g.colours()
	for _, r := range results {
		if r.Passed() {
			if verbose {
				fmt.Fprintf(g.Stdout, "%s %s:%d: %s\n", col.green("PASS"), path, r.Case.Line, r.Case.Name)
			}
			continue
		}
		fmt.Fprintf(g.Stdout, "%s %s:%d: %s: %s\n", col.red("FAIL"), path, r.Case.Line, r.Case.Name, strings.Join(r.Failures, "; "))
		req := r.Request
		fmt.Fprintf(g.Stdout, "     request: %s (%s) asks for %s in %s mode at %s", req.User, req.ARN, req.Profile, req.Mode, req.Time.Format(time.RFC3339))
		if len(req.Roles) > 0 {
			fmt.Fprintf(g.Stdout, " via %s", strings.Join(req.Roles, " -> "))
		}
		fmt.Fprintln(g.Stdout)
		if r.PinError != nil {
			fmt.Fprintf(g.Stdout, "     pin: refused: %v\n", r.PinError)
		}
		d := r.Decision
		if d.RuleIndex >= 0 {
			fmt.Fprintf(g.Stdout, "     decided by rule %q (index %d): %s\n", d.Rule, d.RuleIndex, d.Effect)
		} else {
			fmt.Fprintf(g.Stdout, "     %s\n", policy.ReasonNoMatch)
		}
		for _, m := range d.Misses {
			fmt.Fprintf(g.Stdout, "     rule %q (index %d) did not match: %s\n", m.Rule, m.Index, m.Why)
		}
	}
}
