package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"golang.org/x/term"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/vault"
)

type ssoLoginCommand struct {
	Profile   string
	Session   string
	NoBrowser bool
}

func configureSSOCommand(app *kingpin.Application, g *Globals) {
	c := &ssoLoginCommand{}
	sso := app.Command("sso", "IAM Identity Center (SSO) sign-in.")
	cmd := sso.Command("login", "Sign in to IAM Identity Center with the device flow; the token is shared with the AWS CLI.")
	cmd.Flag("sso-session", "The [sso-session NAME] to sign in to (instead of a profile).").PlaceHolder("NAME").StringVar(&c.Session)
	cmd.Flag("no-browser", "Print the sign-in page and code; do not open a browser.").BoolVar(&c.NoBrowser)
	cmd.Arg("profile", "An IAM Identity Center profile: sign in to its session, then get its role credentials.").StringVar(&c.Profile)
	cmd.Action(g.action(c.run))
}

// ssoStart is what IAM Identity Center needs of the environment, read once
// at start.
type ssoStart struct {
	opts     vault.SSOOptions
	err      error
	cacheDir string
}

var ssoEnvironment = sync.OnceValue(func() ssoStart {
	s := ssoStart{}
	s.opts, s.err = vault.SSOOptionsFromEnv(os.Getenv)
	if s.err == nil {
		s.opts.Timeout = environment().STS.Timeout
	}
	home, err := os.UserHomeDir()
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("find the SSO token cache: %w", err)
	}
	s.cacheDir = vault.DefaultSSOCacheDir(home)
	return s
})

// ssoEngine builds the IAM Identity Center engine the broker uses. It
// signs in by itself when a token is missing or expired only when there is
// a terminal to show the page and code on; without one the broker fails
// with *vault.SSOLoginRequiredError.
func (g *Globals) ssoEngine() (*vault.SSO, error) {
	env := ssoEnvironment()
	if env.err != nil {
		return nil, env.err
	}
	s := &vault.SSO{Options: env.opts, Tokens: vault.SSOTokenCache{Dir: env.cacheDir}, ClientName: "sentinel"}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		tty.Close()
		s.SignIn = func(a vault.DeviceAuthorization) error {
			out, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer out.Close()
			showSignIn(out, a, true)
			return nil
		}
	}
	return s, nil
}

func (c *ssoLoginCommand) run(ctx context.Context, g *Globals) error {
	if (c.Profile == "") == (c.Session == "") {
		return withHint(errors.New("name a profile or an sso-session, not both or neither"), "use: sentinel sso login PROFILE, or sentinel sso login --sso-session NAME")
	}
	profiles, err := vault.LoadConfigFile("")
	if err != nil {
		return err
	}
	var sess vault.SSOSessionConfig
	if c.Session != "" {
		s, ok, err := profiles.SSOSession(c.Session)
		switch {
		case err != nil:
			return err
		case !ok:
			return withHint(fmt.Errorf("no [sso-session %s] in %s", c.Session, profiles.Path()), "add one with sso_start_url and sso_region")
		}
		sess = s
	} else {
		chain, err := vault.ResolveChain(profiles, c.Profile, nil)
		if err != nil {
			return err
		}
		if chain.SSO == nil {
			return withHint(fmt.Errorf("profile %s does not use IAM Identity Center", c.Profile), "give it sso_session (and an [sso-session NAME] section), sso_account_id and sso_role_name")
		}
		sess = chain.SSO.Session
	}
	engine, err := g.ssoEngine()
	if err != nil {
		return err
	}
	browser := !c.NoBrowser && term.IsTerminal(int(os.Stderr.Fd()))
	tok, err := engine.Login(ctx, sess, func(a vault.DeviceAuthorization) error {
		showSignIn(g.Stderr, a, browser)
		return nil
	})
	if err != nil {
		return fmt.Errorf("sign in to %s: %w", sess.Label(), err)
	}
	fmt.Fprintf(g.Stdout, "Signed in to %s until %s.\n", terminalSafe(sess.Label()), tok.ExpiresAt.Local().Format(time.RFC3339))
	if c.Profile == "" {
		return nil
	}
	b, err := g.identityBroker()
	if err != nil {
		return err
	}
	actor, err := b.Identify(ctx, c.Profile)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "Profile %s: %s in account %s.\n", c.Profile, terminalSafe(actor.Identity.Name), actor.Identity.Account)
	return nil
}

// showSignIn tells the person where to sign in and which code to expect,
// and opens the page in a browser when asked to.
func showSignIn(w io.Writer, a vault.DeviceAuthorization, browser bool) {
	page := cmp.Or(a.VerificationURIComplete, a.VerificationURI)
	page, code := terminalSafe(page), terminalSafe(a.UserCode)
	fmt.Fprintf(w, "Sign in to IAM Identity Center: open %s\nand check that it shows the code %s (it expires at %s).\n",
		page, code, a.ExpiresAt.Local().Format(time.Kitchen))
	if browser && openBrowser(page) == nil {
		fmt.Fprintln(w, "A browser was opened for it.")
	}
}

// terminalSafe drops the characters that could move the cursor, hide text
// or reorder it on a terminal: what the network sends is shown as text.
func terminalSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if field.Unsafe(r) {
			return -1
		}
		return r
	}, s)
}

// ssoHint is the advice for an IAM Identity Center profile without a
// usable token, or used directly where it cannot be capped or stamped.
func ssoHint(err error) string {
	if errors.Is(err, broker.ErrSSOUncappable) {
		return "assume a role from it instead: a profile with source_profile set to it and role_arn is stamped and capped"
	}
	var need *vault.SSOLoginRequiredError
	if !errors.As(err, &need) {
		return ""
	}
	if need.Profile != "" {
		return "sign in: sentinel sso login " + need.Profile
	}
	return "sign in: sentinel sso login --sso-session " + need.Session
}
