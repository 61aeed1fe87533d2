package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/config"
)

// Globals are the flags every command shares, and what is loaded from them
// on first use.
type Globals struct {
	ConfigFile string
	PolicyFile string
	LogFile    string
	Debug      bool
	// IdentityProfile overrides identity_profile from the config: whose
	// base credentials identify the person for commands that name no
	// profile. The identity itself always comes from STS.
	IdentityProfile string
	// KeyringBackend pins one keyring backend (file, secret-service,
	// keychain, pass, ...).
	KeyringBackend string
	// Prompt is the MFA prompt driver (--prompt, $SENTINEL_PROMPT).
	Prompt string

	// NoColor is set when the environment asks for no colour (NO_COLOR,
	// TERM=dumb), read once at start.
	NoColor bool

	// Stdout and Stderr are where commands write; tests may replace them.
	Stdout io.Writer
	Stderr io.Writer

	config *config.Config
}

// Config loads the sentinel configuration file once.
func (g *Globals) Config() (*config.Config, error) {
	if g.config != nil {
		return g.config, nil
	}
	path := g.ConfigFile
	if path == "" {
		path = config.DefaultPath()
	}
	c, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	g.config = c
	return c, nil
}

// Debugf writes a debug line to stderr when --debug is set. Callers must
// never pass a secret.
func (g *Globals) Debugf(format string, args ...any) {
	if g.Debug {
		fmt.Fprintf(g.Stderr, "sentinel: debug: "+format+"\n", args...)
	}
}

// action runs a command with the one context every command gets: it is
// cancelled when SIGINT or SIGTERM arrives, so that a command waiting on
// the network, an approval or a log stops cleanly. The first signal also
// gives the signals back their default handling, so a second one ends a
// command that is blocked where no context reaches (a terminal prompt).
// Work that must finish after a cancellation (ending a session, stopping
// a server) runs under context.WithoutCancel.
func (g *Globals) action(run func(context.Context, *Globals) error) kingpin.Action {
	return func(*kingpin.ParseContext) error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		go func() {
			<-ctx.Done()
			stop()
		}()
		err := run(ctx, g)
		if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return &ExitError{Code: exitInterrupted, Err: errInterrupted}
		}
		return err
	}
}

// exitInterrupted is the exit code of a command cancelled by a signal, as
// a shell reports a process that SIGINT ended (128 + 2).
const exitInterrupted = 130

// errInterrupted is what a cancelled command says.
var errInterrupted = errors.New("interrupted")

// Configure registers the global flags and every command on app. Commands
// write to stdout and stderr (tests pass buffers).
func Configure(app *kingpin.Application, stdout, stderr io.Writer) *Globals {
	g := &Globals{Stdout: stdout, Stderr: stderr, NoColor: colourDisabled(os.Getenv)}
	// Help and the version are what was asked for: stdout. Errors stay
	// on stderr.
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	app.Flag("config", "Sentinel config file (default $SENTINEL_CONFIG, else $XDG_CONFIG_HOME/sentinel/config.yaml).").
		PlaceHolder("FILE").StringVar(&g.ConfigFile)
	app.Flag("policy", "Policy file (default $SENTINEL_POLICY, else policy: in the config, else $XDG_CONFIG_HOME/sentinel/policy.yaml).").
		PlaceHolder("FILE").StringVar(&g.PolicyFile)
	app.Flag("log-file", "Decision log (default log: in the config, else $XDG_STATE_HOME/sentinel/decisions.jsonl).").
		PlaceHolder("FILE").StringVar(&g.LogFile)
	app.Flag("debug", "Print debug lines to stderr (never secrets).").BoolVar(&g.Debug)
	app.Flag("backend", "Keyring backend: file, secret-service, keychain, pass, kwallet, keyctl, wincred, winhello (default: the system's).").
		Envar("SENTINEL_BACKEND").StringVar(&g.KeyringBackend)
	app.Flag("prompt", "MFA prompt: terminal, zenity, kdialog, osascript or ykman (default $AWS_VAULT_PROMPT, else prompt: in the config, else the terminal, or ykman or a dialog without one).").
		Envar("SENTINEL_PROMPT").StringVar(&g.Prompt)
	app.Flag("identity-profile", "Profile whose base credentials identify you for approve, deny, listings and close (default identity_profile in the config, else default).").
		PlaceHolder("PROFILE").StringVar(&g.IdentityProfile)

	configureVersionCommand(app, g)
	configurePolicyCommands(app, g)
	configureExecCommand(app, g)
	configureCredentialsCommand(app, g)
	configureExportCommand(app, g)
	configureLoginCommand(app, g)
	configureRotateCommand(app, g)
	configureAddCommand(app, g)
	configureListCommand(app, g)
	configureRemoveCommand(app, g)
	configureClearCommand(app, g)
	configureRequestCommand(app, g)
	configureRequestsCommand(app, g)
	configureReviewCommands(app, g)
	configureBreakglassCommand(app, g)
	configureBreakglassListCommand(app, g)
	configureBreakglassShowCommand(app, g)
	configureBreakglassCloseCommand(app, g)
	configureSessionsCommand(app, g)
	configureWhoamiCommand(app, g)
	configureInitCommand(app, g)
	configureLogCommands(app, g)
	configureSSOCommand(app, g)
	configureServeCommand(app, g)
	configureDoctorCommand(app, g)
	configureCompletionCommand(app, g)
	// Last: they walk every command configured above, through one model
	// of the tree (building it is a fair part of start-up).
	model := app.Model()
	configureHelp(app, g, model)
	addCompletionHints(app, g, model)
	return g
}
