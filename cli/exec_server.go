package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"gopkg.in/ini.v1"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/server"
	"github.com/sentinel-cli/sentinel/vault"
)

// serverFlags are the flags of `sentinel exec --server`.
type serverFlags struct {
	Server         bool
	ServerDuration time.Duration
}

// serverStopTimeout is how long requests in flight may take to finish once
// the command has exited.
const serverStopTimeout = 5 * time.Second

func (f *serverFlags) registerServer(cmd *kingpin.CmdClause) {
	cmd.Flag("server", "Serve credentials to the command from a local credential server (the container-credentials protocol), deciding again on every refresh.").
		BoolVar(&f.Server)
	// aws-vault users know the container server by this name.
	cmd.Flag("ecs-server", "Same as --server.").BoolVar(&f.Server)
	cmd.Flag("server-duration", "With --server: lifetime of each set of credentials the server hands out, capped by the policy.").
		Default("1h").DurationVar(&f.ServerDuration)
}

// runServer runs the command with a credential server instead of keys in
// its environment: every credential fetch of the command's SDK is a new
// decision in server mode. path and args are the command, already looked
// up.
func (c *execCommand) runServer(ctx context.Context, g *Globals, path string, args []string) error {
	if c.Duration != 0 {
		return withHint(fmt.Errorf("--duration does not apply to --server"), "use --server-duration")
	}
	f := c.issueFlags
	f.Duration = c.ServerDuration
	// Decide once before the command starts, so that a denial ends here,
	// with its reason and hint, and an MFA code is asked for while the
	// terminal is still ours. This first decision opens the session; the
	// credentials it issued are what the command's first fetch gets.
	src, onExit, err := serverBackend(g, f)
	if err != nil {
		return err
	}
	grant, err := src.issue(ctx)
	if err != nil {
		return err
	}
	defer onExit(ctx)
	token, err := server.NewToken()
	if err != nil {
		return err
	}
	refusals := newRefusalReporter(g.Stderr, time.Now)
	handler := server.NewCredentialsHandler(src, token, server.Options{OnError: refusals.refused})
	srv, err := server.ListenLoopback(handler)
	if err != nil {
		return err
	}
	uri := srv.URL + server.CredentialsPath
	g.Debugf("credential server for profile %s at %s", grant.Profile, uri)
	if warning := defaultCredentialsWarning(sharedCredentialsPath(), awsConfigPath()); warning != "" {
		fmt.Fprintf(g.Stderr, "sentinel: warning: %s\n", warning)
	}
	env := serverChildEnv(os.Environ(), uri, token, grant.Profile, grant.Region, environment().Passphrase)
	if !c.NoAWSVaultEnv {
		env = append(env, "AWS_VAULT="+grant.Profile)
	}
	code, runErr := runChild(path, args, env)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), serverStopTimeout)
	defer cancel()
	if err := srv.Close(stopCtx); err != nil {
		g.Debugf("stop credential server: %v", err)
	}
	refusals.flush()
	if runErr != nil {
		return runErr
	}
	if code != 0 {
		return &ExitError{Code: code, Silent: true}
	}
	return nil
}

// serverBackend is what the credential server serves from, and what runs
// once the command has exited. Every request runs the one decision flow in
// server mode, one request at a time, against one tracked session: on this
// machine the broker reads the policy again (so an edit applies to the
// next request), resumes the session, checks it was not revoked and
// touches it on every issuance, and on exit marks it expired; through the
// team service every refresh is a call to the service, passing the
// session_id of the first answer, and the service does all of that.
func serverBackend(g *Globals, f issueFlags) (src *serverSource, onExit func(context.Context), err error) {
	ops, err := g.operations("")
	if err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	src = &serverSource{g: g, f: f, ops: ops, session: &broker.ServerSession{Host: host, PID: os.Getpid(), Duration: f.Duration}}
	return src, src.end, nil
}

// serverSource adapts the server-mode flow to server.Source.
type serverSource struct {
	mu      sync.Mutex
	g       *Globals
	f       issueFlags
	ops     Operations
	session *broker.ServerSession
}

// issue runs one decision for the credential server.
func (s *serverSource) issue(ctx context.Context) (*broker.Grant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops.Issue(ctx, broker.Input{
		Profile: s.f.Profile, Mode: policy.ModeServer,
		MFAToken: s.f.MFAToken, NoSession: s.f.NoSession, Region: s.f.Region,
		Server: s.session,
	})
}

// Credentials implements server.Source, sorting refusals into the classes
// the endpoint answers with.
func (s *serverSource) Credentials(ctx context.Context) (server.Credentials, error) {
	grant, err := s.issue(ctx)
	switch {
	case errors.Is(err, broker.ErrRevoked):
		return server.Credentials{}, server.Classify(server.ErrRevoked, err)
	case errors.Is(err, broker.ErrDenied):
		return server.Credentials{}, server.Classify(server.ErrDenied, err)
	case errors.Is(err, broker.ErrUnavailable):
		return server.Credentials{}, server.Classify(server.ErrUnavailable, err)
	case err != nil:
		return server.Credentials{}, err
	}
	return server.Credentials{
		AccessKeyID:     grant.Credentials.AccessKeyID,
		SecretAccessKey: grant.Credentials.SecretAccessKey,
		SessionToken:    grant.Credentials.SessionToken,
		Expires:         grant.Credentials.Expires,
	}, nil
}

// end marks the session expired once the command has exited, even when
// a signal cancelled ctx: the session must not outlive its command.
func (s *serverSource) end(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ops.EndServerSession(context.WithoutCancel(ctx), s.session); err != nil {
		s.g.Debugf("session not ended: %v", err)
	}
}

// serverRemovedEnv are the variables the command must not inherit under
// --server: keys, everything an AWS SDK would prefer to the container
// endpoint, and the secrets that open sentinel's keyring (with them the
// command could read the keys and go around the policy).
var serverRemovedEnv = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_CREDENTIAL_FILE",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_REGION", "AWS_DEFAULT_REGION",
	"SENTINEL_PROFILE", "SENTINEL_FILE_PASSPHRASE", "AWS_VAULT_FILE_PASSPHRASE", "AWS_VAULT",
}

// serverChildEnv is the command's environment under --server: the
// endpoint and its token instead of keys.
func serverChildEnv(parent []string, uri, token, profile, region, passphrase string) []string {
	env := inheritedEnv(parent, serverRemovedEnv, passphrase)
	env = append(env,
		"AWS_CONTAINER_CREDENTIALS_FULL_URI="+uri,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN="+token,
		"SENTINEL_PROFILE="+profile,
	)
	if region != "" {
		env = append(env, "AWS_REGION="+region, "AWS_DEFAULT_REGION="+region)
	}
	return env
}

// runChild runs the command as a child (sentinel must keep serving, so no
// execve), forwards the signals meant for it, and returns its exit code:
// 128+N when signal N ended it.
func runChild(path string, args, env []string) (int, error) {
	cmd := exec.Command(path)
	cmd.Args = args
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 8)
	// Before Start, so that a signal in between does not kill sentinel
	// and orphan the command.
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("run %s: %w", path, err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if !terminalDelivered(s) {
					_ = cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return 0, fmt.Errorf("run %s: %w", path, err)
	}
	return exitCode(cmd.ProcessState), nil
}

// sharedCredentialsPath is the credentials file the command's SDK reads.
func sharedCredentialsPath() string {
	if p := os.Getenv("AWS_SHARED_CREDENTIALS_FILE"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".aws", "credentials")
}

// awsConfigPath is the config file the command's SDK reads.
func awsConfigPath() string {
	p, err := vault.DefaultConfigPath()
	if err != nil {
		return ""
	}
	return p
}

// preferredSettings are the settings of a [default] profile that an AWS
// SDK uses before the container endpoint.
var preferredSettings = []string{
	"aws_access_key_id", "credential_process", "source_profile",
	"web_identity_token_file", "sso_session", "sso_start_url",
}

// defaultCredentialsWarning names what in the [default] profile of the
// credentials or config file an SDK would use instead of the credential
// server, or returns "" when there is nothing. It shows setting names,
// never values. Files that are missing or unreadable are skipped: the
// warning is advice, not a check.
func defaultCredentialsWarning(credentialsPath, configPath string) string {
	var found []string
	for _, file := range []struct {
		path     string
		sections []string
		settings []string
	}{
		{credentialsPath, []string{"default"}, preferredSettings[:1]},
		{configPath, []string{"default", "profile default"}, preferredSettings},
	} {
		if file.path == "" {
			continue
		}
		cfg, err := ini.LoadSources(ini.LoadOptions{Loose: true, Insensitive: false, AllowNonUniqueSections: true}, file.path)
		if err != nil {
			continue
		}
		for _, name := range file.sections {
			sec, err := cfg.GetSection(name)
			if err != nil {
				continue
			}
			for _, key := range file.settings {
				if sec.HasKey(key) {
					found = append(found, fmt.Sprintf("%s in [%s] of %s", key, name, file.path))
				}
			}
		}
	}
	if len(found) == 0 {
		return ""
	}
	return strings.Join(found, ", ") + ": an AWS SDK in the command may use that instead of the credential server"
}
