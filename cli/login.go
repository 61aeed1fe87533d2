package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// maxConsoleSession is the longest console session the federation
// endpoint grants from role credentials.
const maxConsoleSession = 12 * time.Hour

type loginCommand struct {
	issueFlags
	Stdout bool
	Path   string
}

func configureLoginCommand(app *kingpin.Application, g *Globals) {
	c := &loginCommand{}
	cmd := app.Command("login", "Open the AWS console signed in to a profile, if the policy allows it; the console session ends with the grant.")
	c.register(cmd)
	cmd.Flag("stdout", "Print the sign-in URL instead of opening a browser.").Short('s').BoolVar(&c.Stdout)
	cmd.Flag("path", "Console page to land on, such as /s3/home (default the console home).").StringVar(&c.Path)
	cmd.Arg("profile", "Profile from ~/.aws/config or the keyring (default $AWS_PROFILE, else default).").StringVar(&c.Profile)
	cmd.Action(g.action(c.run))
}

func (c *loginCommand) run(ctx context.Context, g *Globals) error {
	// Read once, at start, like the SDK's other AWS_ENDPOINT_URL_* settings.
	fed := vault.Federation{Endpoint: os.Getenv("AWS_ENDPOINT_URL_SIGNIN")}
	if c.Profile == "" {
		c.Profile = cmp.Or(os.Getenv("AWS_PROFILE"), "default")
	}
	grant, err := g.issueFor(ctx, &c.issueFlags, policy.ModeCLI, broker.UseConsole)
	if err != nil {
		return err
	}
	destination, err := vault.ConsoleDestination(grant.Region, c.Path)
	if err != nil {
		return err
	}
	// Role sessions (an IAM Identity Center profile's credentials are one)
	// carry the cap to the console explicitly; a federation
	// token's console session lasts exactly as long as the token, which
	// the broker already capped.
	var sessionDuration time.Duration
	if grant.RoleARN != "" || isRoleSession(grant.Caller.ARN) {
		sessionDuration = consoleSession(grant.Credentials.Expires, time.Now())
	}
	token, err := fed.SigninToken(ctx, grant.Region, grant.Credentials, sessionDuration)
	if err != nil {
		if errors.Is(err, vault.ErrSignin) {
			return withHint(err, "check AWS_ENDPOINT_URL_SIGNIN, or retry with --debug")
		}
		return err
	}
	loginURL := fed.LoginURL(grant.Region, token, destination, "sentinel")
	g.Debugf("console sign-in for profile %s until %s", grant.Profile, grant.Credentials.Expires.UTC().Format(time.RFC3339))
	if c.Stdout {
		_, err := fmt.Fprintln(g.Stdout, loginURL)
		return err
	}
	if err := openBrowser(loginURL); err != nil {
		fmt.Fprintf(g.Stderr, "sentinel: could not open a browser (%v); open this URL yourself:\n", err)
		_, err := fmt.Fprintln(g.Stdout, loginURL)
		return err
	}
	return nil
}

// consoleSession is the console session that ends when the credentials
// do, in whole seconds, within what the federation endpoint accepts.
func consoleSession(expires, now time.Time) time.Duration {
	return min(expires.Sub(now).Truncate(time.Second), maxConsoleSession)
}

// isRoleSession reports whether arn is an assumed role's session, as the
// caller of an IAM Identity Center profile used directly is.
func isRoleSession(arn string) bool {
	return strings.HasPrefix(arn, "arn:") && strings.Contains(arn, ":assumed-role/")
}
