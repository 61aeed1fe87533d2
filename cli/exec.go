package cli

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
)

type execCommand struct {
	issueFlags
	serverFlags
	requestFlags
	ForceNested   bool
	NoAWSVaultEnv bool
	Command       []string
}

func configureExecCommand(app *kingpin.Application, g *Globals) {
	c := &execCommand{}
	cmd := app.Command("exec", "Run a command with short-lived credentials for a profile, if the policy allows it.")
	c.register(cmd)
	c.registerServer(cmd)
	c.registerRequest(cmd)
	cmd.Flag("force-nested", "Run even inside another sentinel exec (or aws-vault exec).").BoolVar(&c.ForceNested)
	cmd.Flag("no-aws-vault-env", "Do not set AWS_VAULT=<profile> in the command's environment.").BoolVar(&c.NoAWSVaultEnv)
	cmd.Arg("profile", "Profile from ~/.aws/config or the keyring (default $AWS_PROFILE, else default).").StringVar(&c.Profile)
	cmd.Arg("cmd", "Command and arguments to run, after -- (default $SHELL).").StringsVar(&c.Command)
	cmd.Action(g.action(c.run))
}

func (c *execCommand) run(ctx context.Context, g *Globals) error {
	if c.Server {
		// First of all: the credential server runs as long as its command,
		// which must find no secret in it (exec_server_secrets.go). This
		// may restart the process, so nothing may happen before it.
		if err := shedServerSecrets(); err != nil {
			return err
		}
	}
	if p := os.Getenv("SENTINEL_PROFILE"); p != "" && !c.ForceNested {
		return withHint(fmt.Errorf("already inside sentinel exec for profile %s", p),
			"exit that shell first, or pass --force-nested")
	}
	if p := os.Getenv("AWS_VAULT"); p != "" && !c.ForceNested {
		return withHint(fmt.Errorf("already inside aws-vault exec for profile %s", p),
			"exit that shell first, or pass --force-nested")
	}
	c.Profile, c.Command = defaultProfile(c.Profile, c.Command, os.Args, os.Getenv("AWS_PROFILE"))
	args := c.Command
	if len(args) == 0 {
		shell := cmp.Or(os.Getenv("SHELL"), "/bin/sh")
		args = []string{shell}
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		return fmt.Errorf("find command %s: %w", args[0], err)
	}
	if c.Justification != "" {
		if err := c.awaitApproval(ctx, g, &c.issueFlags); err != nil {
			return err
		}
	}
	if c.Server {
		return c.runServer(ctx, g, path, args)
	}
	grant, err := g.issue(ctx, &c.issueFlags, policy.ModeCLI)
	if err != nil {
		return err
	}
	g.Debugf("exec %s with credentials expiring %s (source identity %s)", path, grant.Credentials.Expires.UTC().Format(time.RFC3339), grant.SourceIdentity)
	env := childEnv(os.Environ(), grant, environment().Passphrase)
	if !c.NoAWSVaultEnv {
		// Tools and shell prompts written for aws-vault look for it.
		env = append(env, "AWS_VAULT="+grant.Profile)
	}
	return runCommand(path, args, env)
}

// defaultProfile is the profile exec acts on, as the AWS CLI chooses it:
// the one named, else $AWS_PROFILE, else default. In `sentinel exec -- cmd`
// the parser takes cmd for the profile; argv (the process's arguments)
// tells that case apart from a profile given before the --.
func defaultProfile(profile string, command, argv []string, awsProfile string) (string, []string) {
	fallback := cmp.Or(awsProfile, "default")
	if profile == "" {
		return fallback, command
	}
	dash := -1
	for i, a := range argv {
		if a == "--" {
			dash = i
			break
		}
	}
	if dash < 0 || dash+1 >= len(argv) || argv[dash+1] != profile {
		return profile, command
	}
	for _, a := range argv[:dash] {
		if a == profile {
			return profile, command
		}
	}
	return fallback, append([]string{profile}, command...)
}

// removedEnv are the variables a child must not inherit: they would shadow
// or contradict the credentials sentinel sets.
var removedEnv = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_FILE", "AWS_DEFAULT_PROFILE", "AWS_PROFILE", "AWS_SDK_LOAD_CONFIG",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION", "SENTINEL_PROFILE", "AWS_VAULT",
}

// keyringEnv are the keyring settings and secrets of sentinel and of
// aws-vault: a child that needs none of them must not be able to open the
// keyring with them.
var keyringEnv = []string{
	"SENTINEL_FILE_PASSPHRASE", "SENTINEL_BACKEND", "SENTINEL_FILE_DIR",
	"SENTINEL_PASS_PASSWORD_STORE_DIR", "SENTINEL_PASS_CMD", "SENTINEL_PASS_PREFIX",
	"SENTINEL_KEYCHAIN_NAME", "SENTINEL_SECRET_SERVICE_COLLECTION_NAME",
	"SENTINEL_KWALLET_FOLDER", "SENTINEL_KEYCTL_SCOPE", "SENTINEL_PROMPT",
	"AWS_VAULT_FILE_PASSPHRASE", "AWS_VAULT_BACKEND", "AWS_VAULT_FILE_DIR",
	"AWS_VAULT_PASS_PASSWORD_STORE_DIR", "AWS_VAULT_PASS_CMD", "AWS_VAULT_PASS_PREFIX",
	"AWS_VAULT_KEYCHAIN_NAME", "AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME",
	"AWS_VAULT_KWALLET_FOLDER", "AWS_VAULT_KEYCTL_SCOPE", "AWS_VAULT_PROMPT",
}

// secretName reports whether a variable name says it holds a keyring
// secret of sentinel or aws-vault (SENTINEL_*PASSPHRASE*, AWS_VAULT_*PASS*
// and the like), whatever else it is called.
func secretName(name string) bool {
	upper := strings.ToUpper(name)
	if !strings.HasPrefix(upper, "SENTINEL_") && !strings.HasPrefix(upper, "AWS_VAULT_") {
		return false
	}
	for _, word := range []string{"PASS", "SECRET", "TOKEN", "KEY"} {
		if strings.Contains(upper, word) {
			return true
		}
	}
	return false
}

// childEnv is the environment of the command sentinel exec runs, as
// aws-vault users expect it: the credentials of the grant, and nothing of
// the keyring. passphrase is the keyring passphrase in use (empty when it
// was typed on the terminal); a variable holding it under any name is
// dropped as well.
func childEnv(parent []string, g *broker.Grant, passphrase string) []string {
	env := inheritedEnv(parent, removedEnv, passphrase)
	env = append(env,
		"AWS_ACCESS_KEY_ID="+g.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+g.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN="+g.Credentials.SessionToken,
		"AWS_CREDENTIAL_EXPIRATION="+g.Credentials.Expires.UTC().Format(time.RFC3339),
		"SENTINEL_PROFILE="+g.Profile,
	)
	if g.Region != "" {
		env = append(env, "AWS_REGION="+g.Region, "AWS_DEFAULT_REGION="+g.Region)
	}
	return env
}

// inheritedEnv is what a child keeps of sentinel's environment: everything
// but the variables in removed, the keyring's settings and secrets, and any
// variable holding the keyring passphrase in use under another name.
func inheritedEnv(parent, removed []string, passphrase string) []string {
	env := make([]string, 0, len(parent)+8)
	for _, kv := range parent {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case slices.Contains(removed, name), slices.Contains(keyringEnv, strings.ToUpper(name)), secretName(name):
			continue
		case passphrase != "" && (value == passphrase || len(passphrase) >= 8 && strings.Contains(value, passphrase)):
			continue
		}
		env = append(env, kv)
	}
	return env
}
