package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/policy"
)

type whoamiCommand struct {
	Profile string
	Output  string
}

// whoamiView is the JSON of `sentinel whoami`, the same fields as the team
// API's GET /v1/whoami.
type whoamiView struct {
	ARN     string `json:"arn"`
	Account string `json:"account"`
	User    string `json:"user"`
	// Policy is how the local policy sees the caller; absent in team mode
	// (the service's policy decides) and when no policy loads.
	Policy *whoamiPolicyView `json:"policy,omitempty"`
}

// whoamiPolicyView is the policy part of `sentinel whoami --output json`.
type whoamiPolicyView struct {
	Path string `json:"path"`
	// Name is the name bare entries of the policy match for the caller;
	// "" when they match none (NameNote says why).
	Name     string `json:"name"`
	NameNote string `json:"name_note,omitempty"`
	// Rules are the rules whose users condition matches the caller (or
	// that have none): the rules that could apply, by profile, roles,
	// mode and time.
	Rules      []whoamiRuleView `json:"rules"`
	Approves   []string         `json:"approves"`
	Breakglass []string         `json:"breakglass"`
}

// whoamiRuleView is one rule that could apply to the caller.
type whoamiRuleView struct {
	Index    int      `json:"index"`
	Name     string   `json:"name"`
	Effect   string   `json:"effect"`
	Profiles []string `json:"profiles"`
}

func configureWhoamiCommand(app *kingpin.Application, g *Globals) {
	c := &whoamiCommand{}
	cmd := app.Command("whoami", "Show who you are to sentinel: the identity STS gives the keys of the identity profile (through the team service when one is configured).")
	cmd.Flag("profile", "Profile whose base keys identify you (default --identity-profile, else identity_profile in the config, else default).").StringVar(&c.Profile)
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *whoamiCommand) run(ctx context.Context, g *Globals) error {
	ops, err := g.operationsWithKeys(c.Profile)
	if err != nil {
		return err
	}
	id, err := ops.Whoami(ctx)
	if err != nil {
		return err
	}
	view := whoamiView{ARN: id.ARN, Account: id.Account, User: id.Name}
	p, policyErr := ops.Policy()
	if p != nil {
		view.Policy = whoamiPolicy(p, id.ARN)
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, view)
	}
	fmt.Fprintf(g.Stdout, "User:    %s\nARN:     %s\nAccount: %s\n", field.Display(id.Name), field.Display(id.ARN), field.Display(id.Account))
	switch {
	case policyErr != nil:
		fmt.Fprintf(g.Stdout, "Policy:  not loaded: %s\n", oneLine(policyErr.Error()))
	case p == nil:
		fmt.Fprintln(g.Stdout, "Policy:  the team service's (ask it with sentinel requests, exec...)")
	default:
		writeWhoamiPolicy(g, view.Policy)
	}
	return nil
}

// whoamiPolicy says how the policy p sees the caller with ARN arn.
func whoamiPolicy(p *policy.Policy, arn string) *whoamiPolicyView {
	cv := p.Caller(arn)
	v := &whoamiPolicyView{Path: p.Path, Name: cv.Name, NameNote: cv.NameNote, Rules: []whoamiRuleView{}, Approves: []string{}, Breakglass: []string{}}
	for _, i := range cv.Rules {
		r := p.Rules[i]
		profiles := r.Conditions.Profiles
		if profiles == nil {
			profiles = []string{}
		}
		v.Rules = append(v.Rules, whoamiRuleView{Index: i, Name: r.Name, Effect: string(r.Effect), Profiles: profiles})
	}
	for _, i := range cv.Approves {
		v.Approves = append(v.Approves, p.Approvals[i].Name)
	}
	for _, i := range cv.Breakglass {
		v.Breakglass = append(v.Breakglass, p.Breakglass[i].Name)
	}
	return v
}

func writeWhoamiPolicy(g *Globals, v *whoamiPolicyView) {
	fmt.Fprintf(g.Stdout, "Policy:  %s\n", v.Path)
	if v.Name != "" {
		fmt.Fprintf(g.Stdout, "Name:    %s (what bare names in the policy match)\n", v.Name)
	} else {
		fmt.Fprintf(g.Stdout, "Name:    none: %s\n", v.NameNote)
	}
	if len(v.Rules) == 0 {
		fmt.Fprintln(g.Stdout, "\nNo rule names you: every request of yours is denied.")
	} else {
		fmt.Fprintln(g.Stdout, "\nRules that could apply to you (by profile, roles, mode and time), in order:")
		t := newTable(g.Stdout)
		fmt.Fprintln(t, "  #\tRULE\tEFFECT\tPROFILES")
		for _, r := range v.Rules {
			profiles := "any"
			if len(r.Profiles) > 0 {
				profiles = strings.Join(r.Profiles, ", ")
			}
			fmt.Fprintf(t, "  %d\t%s\t%s\t%s\n", r.Index, r.Name, r.Effect, profiles)
		}
		_ = t.Flush()
	}
	if len(v.Approves) > 0 {
		fmt.Fprintf(g.Stdout, "\nYou approve requests under: %s\n", strings.Join(v.Approves, ", "))
	}
	if len(v.Breakglass) > 0 {
		fmt.Fprintf(g.Stdout, "You may break the glass under: %s\n", strings.Join(v.Breakglass, ", "))
	}
}
