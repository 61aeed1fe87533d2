package cli

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/policy"
)

// configurePolicyCommands adds `sentinel policy` and its subcommands.
func configurePolicyCommands(app *kingpin.Application, g *Globals) {
	cmd := app.Command("policy", "Write a starter policy, validate the policy file, ask what it decides, run its tests and replay the log against a proposed one.")
	configurePolicyInitCommand(cmd, g)
	configurePolicyValidateCommand(cmd, g)
	configurePolicyCheckCommand(cmd, g)
	configurePolicyTestCommand(cmd, g)
	configurePolicyReplayCommand(cmd, g)
	configurePolicyRolesCommand(cmd, g)
}

// policyFileFor returns file, or the resolved policy path when file is "".
func (g *Globals) policyFileFor(file string) (string, error) {
	if file != "" {
		return file, nil
	}
	cfg, err := g.Config()
	if err != nil {
		return "", err
	}
	return cfg.PolicyPath(g.PolicyFile), nil
}

// loadPolicyFile loads the policy in file (the resolved policy when file
// is "") for the policy commands; its Path is where it was read. An
// invalid file has every issue printed on stderr, one per line, and yields
// a silent exit status 1, so that an editor or CI can jump to each line.
func (g *Globals) loadPolicyFile(file string) (*policy.Policy, error) {
	path, err := g.policyFileFor(file)
	if err != nil {
		return nil, err
	}
	g.Debugf("loading policy %s", path)
	p, err := readPolicy(path)
	var le *policy.LoadError
	switch {
	case err == nil:
		return p, nil
	case errors.As(err, &le):
		for _, line := range le.Lines() {
			fmt.Fprintln(g.Stderr, line)
		}
		return nil, &ExitError{Code: 1, Err: err, Silent: true}
	case errors.Is(err, fs.ErrNotExist):
		return nil, withHint(fmt.Errorf("policy %s: no such file", path),
			"pass the file, set --policy or $SENTINEL_POLICY, or write one: `sentinel policy init --write` makes a starter from ~/.aws/config")
	}
	return nil, &ExitError{Code: 1, Err: err}
}
