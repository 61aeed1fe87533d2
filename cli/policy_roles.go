package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/deploy"
)

// `sentinel policy roles`: what the policy's catalogue asks of AWS, so
// that CI derives the deployment from the policy instead of a person
// copying ARNs. The service role assumes only the first hop of each
// chain; every later role trusts only the hop before it.
func configurePolicyRolesCommand(parent *kingpin.CmdClause, g *Globals) {
	var file, serviceRole, output string
	var trust bool
	cmd := parent.Command("roles", "Print the roles the team service assumes first (the template's CatalogRoleArns, comma-separated); with --trust, the trust policy every role of every chain needs.")
	cmd.Arg("file", "Policy file (default: the resolved policy path).").StringVar(&file)
	cmd.Flag("trust", "Print, as JSON, each role's previous hop, next hops and trust policy.").BoolVar(&trust)
	cmd.Flag("service-role", "ARN of the service's role (the template's ServiceRoleArn output); needed with --trust.").PlaceHolder("ARN").StringVar(&serviceRole)
	outputFlag(cmd, &output)
	cmd.Action(func(*kingpin.ParseContext) error {
		return runPolicyRoles(g, file, serviceRole, trust, output)
	})
}

func runPolicyRoles(g *Globals, file, serviceRole string, trust bool, output string) error {
	if trust && serviceRole == "" {
		return withHint(errors.New("policy roles --trust: no service role"), "give --service-role ARN (the ServiceRoleArn output of the stack)")
	}
	p, err := g.loadPolicyFile(file)
	if err != nil {
		return err
	}
	path := p.Path
	if serviceRole == "" {
		// The first hops do not depend on it; any role ARN will do.
		serviceRole = "arn:aws:iam::000000000000:role/sentinel-service"
	}
	roles, err := deploy.Trust(p, serviceRole)
	if errors.Is(err, deploy.ErrNoCatalogue) {
		return withHint(fmt.Errorf("policy roles: %s: %w", path, err), "the team service vends only profiles pinned with role_arn under profiles:")
	}
	if err != nil {
		return fmt.Errorf("policy roles: %w", err)
	}
	switch {
	case trust:
		return writeJSON(g.Stdout, roles)
	case output == "json":
		return writeJSON(g.Stdout, map[string][]string{"first_hops": roles.FirstHops})
	}
	for _, arn := range roles.FirstHops {
		if strings.Contains(arn, ",") {
			return fmt.Errorf("policy roles: %s has a comma, which a CommaDelimitedList parameter cannot carry: use --output json", arn)
		}
	}
	fmt.Fprintln(g.Stdout, strings.Join(roles.FirstHops, ","))
	return nil
}
