package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/internal/safefile"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

type policyInitCommand struct {
	Write bool
}

func configurePolicyInitCommand(parent *kingpin.CmdClause, g *Globals) {
	c := &policyInitCommand{}
	cmd := parent.Command("init", "Print a starter policy made from ~/.aws/config: every role profile pinned, approval for the ones named like production, and tests. Read it through before you use it.")
	cmd.Flag("write", "Write it to the policy path (--policy, $SENTINEL_POLICY, policy: in the config, else the default) instead of printing it; an existing file is never overwritten.").BoolVar(&c.Write)
	cmd.Action(g.action(c.run))
}

func (c *policyInitCommand) run(ctx context.Context, g *Globals) error {
	profiles, err := vault.LoadConfigFile("")
	if err != nil {
		return err
	}
	in, skipped := starterProfiles(profiles)
	// accounts: and the tests' user come from who STS says the person is,
	// established by the broker as for every other command.
	b, err := g.identityBroker()
	if err != nil {
		return err
	}
	a, err := b.Identify(ctx, g.identityProfile(""))
	if err != nil {
		return err
	}
	in.Account, in.CallerARN = a.Identity.Account, a.Identity.ARN
	starter, err := policy.NewStarter(in)
	if errors.Is(err, policy.ErrNoRoleProfiles) {
		return withHint(fmt.Errorf("no profile in %s assumes a role: a starter policy has nothing to pin", profiles.Path()),
			"add role profiles (role_arn and source_profile) to ~/.aws/config first")
	}
	if err != nil {
		return err
	}
	for _, name := range append(skipped, starter.Skipped...) {
		g.warnf("profile %q left out: %s", name, skippedWhy(name))
	}
	if !c.Write {
		_, err := g.Stdout.Write(starter.YAML)
		return err
	}
	path, err := g.policyFileFor("")
	if err != nil {
		return err
	}
	if err := writeNewFile(path, starter.YAML); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "wrote %s: %d profile(s) pinned; read it through, then run sentinel policy validate and sentinel policy test\n", path, len(in.Profiles)-len(starter.Skipped))
	return nil
}

// starterProfiles are the profiles of the AWS config a starter policy
// pins: each that assumes a role (with the roles its chain assumes before
// it), and each IAM Identity Center profile used directly. Profiles whose
// chain does not resolve are returned apart, by name.
func starterProfiles(profiles *vault.ConfigFile) (policy.StarterInput, []string) {
	var in policy.StarterInput
	var skipped []string
	for _, name := range profiles.ProfileNames() {
		p, _ := profiles.Profile(name)
		if p.RoleARN == "" && (p.SSOAccountID == "" || p.SSORoleName == "") {
			continue
		}
		if p.RoleARN == "" {
			in.Profiles = append(in.Profiles, policy.StarterProfile{Name: name, SSOAccount: p.SSOAccountID, SSORoleName: p.SSORoleName})
			continue
		}
		chain, err := vault.ResolveChain(profiles, name, nil)
		if err != nil || len(chain.Roles) == 0 {
			skipped = append(skipped, name)
			continue
		}
		sp := policy.StarterProfile{Name: name, RoleARN: p.RoleARN}
		for _, r := range chain.Roles[:len(chain.Roles)-1] {
			sp.Via = append(sp.Via, r.RoleARN)
		}
		in.Profiles = append(in.Profiles, sp)
	}
	return in, skipped
}

// skippedWhy says why a profile was left out of the starter policy.
func skippedWhy(name string) string {
	if strings.ContainsAny(name, "*?[]\\") {
		return "a pinned profile name cannot hold glob characters"
	}
	return "its source_profile chain does not resolve (see sentinel exec " + name + ")"
}

// writeNewFile writes data to a new file at path, 0600, creating its
// directory 0700; an existing file (or a symbolic link) is left alone
// and refused.
func writeNewFile(path string, data []byte) error {
	if err := safefile.MkdirAll(filepath.Dir(path)); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	f, err := safefile.Open(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return withHint(fmt.Errorf("%s already exists: not overwritten", path),
			"print the starter policy with `sentinel policy init` and merge what you want by hand")
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
