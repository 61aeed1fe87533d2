package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/notify"
	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/secretref/awsfetch"
	"github.com/sentinel-cli/sentinel/server"
	"github.com/sentinel-cli/sentinel/store/dynamodb"
	"github.com/sentinel-cli/sentinel/store/local"
	"github.com/sentinel-cli/sentinel/vault"
)

// ServeConfigEnv names the service config when --config is not given (on
// Lambda the binary runs with no arguments).
const ServeConfigEnv = "SENTINEL_SERVE_CONFIG"

// serveShutdownTimeout is how long calls in flight may take to finish
// after SIGTERM.
const serveShutdownTimeout = 10 * time.Second

type serveCommand struct {
	Listen string
}

func configureServeCommand(app *kingpin.Application, g *Globals) {
	c := &serveCommand{}
	cmd := app.Command("serve", "Run the team vending service: the decision flow behind an authenticated HTTP API (config: --config FILE, else $"+ServeConfigEnv+").")
	cmd.Flag("listen", "Address to listen on (default listen: in the service config).").PlaceHolder("ADDR").StringVar(&c.Listen)
	cmd.Action(g.action(c.run))
}

// serveEnv is what the service takes from the environment, read once at
// start and passed down.
type serveEnv struct {
	ConfigPath  string // SENTINEL_SERVE_CONFIG
	STSEndpoint string // AWS_ENDPOINT_URL_STS
	Region      string // AWS_REGION, else AWS_DEFAULT_REGION
	// Start is what the start-up checks read (server.StartEnv).
	Start server.StartEnv
}

func readServeEnv() serveEnv {
	start := server.StartEnv{
		ExecWrapper: os.Getenv(server.ExecWrapperVar),
		RuntimeAPI:  os.Getenv("AWS_LAMBDA_RUNTIME_API"),
		TaskRoot:    os.Getenv("LAMBDA_TASK_ROOT"),
		Set:         map[string]string{},
	}
	for _, name := range server.LambdaGuardedVars {
		if v := os.Getenv(name); v != "" && name != server.ServeConfigVar {
			start.Set[name] = v
		}
	}
	return serveEnv{
		ConfigPath:  os.Getenv(ServeConfigEnv),
		STSEndpoint: os.Getenv("AWS_ENDPOINT_URL_STS"),
		Region:      environment().Region,
		Start:       start,
	}
}

func (c *serveCommand) run(ctx context.Context, g *Globals) error {
	ts, err := OpenTeamService(ctx, g.ConfigFile, g.Stdout, g.Stderr)
	if err != nil {
		return err
	}
	defer ts.Close()
	addr := cmp.Or(c.Listen, ts.Config.Listen)
	if addr == "" {
		return withHint(errors.New("serve: no address to listen on"), "give --listen ADDR or listen: in the service config")
	}
	if err := ts.Config.CheckListen(addr); err != nil {
		return err
	}
	srv := server.NewHTTPServer(ts.Handler)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", addr, err)
	}
	// Proofs are accepted only for the URLs this listener is reached at;
	// set before the first call is served.
	if err := ts.Listening(ln.Addr()); err != nil {
		ln.Close()
		return err
	}
	scheme := "http"
	if ts.Config.HasTLS() {
		scheme = "https"
	}
	fmt.Fprintf(g.Stderr, "sentinel: serving %s on %s://%s\n", ts.Config.ServerID, scheme, ln.Addr())
	// Counts of refused unauthenticated calls are logged at most once a
	// minute per reason; this writes those no later call would.
	// It ends before the service is closed (defers run last first).
	tickCtx, stopTick := context.WithCancel(ctx)
	tickDone := make(chan struct{})
	defer func() { stopTick(); <-tickDone }()
	go func() {
		defer close(tickDone)
		tick := time.NewTicker(server.RefusalSummaryInterval)
		defer tick.Stop()
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-tick.C:
				ts.team.FlushRefusals()
				// The embedded store drops what is past its retention
				// once a day, as DynamoDB's time to live does.
				if p, ok := ts.purger.(interface {
					PurgeIfDue(context.Context) (int, error)
				}); ok {
					if _, err := p.PurgeIfDue(tickCtx); err != nil {
						fmt.Fprintf(g.Stderr, "sentinel: serve: warning: purge of the store: %s\n", oneLineText(err.Error()))
					}
				}
			}
		}
	}()
	done := make(chan error, 1)
	go func() {
		if ts.Config.HasTLS() {
			done <- srv.ServeTLS(ln, ts.Config.TLS.Cert, ts.Config.TLS.Key)
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), serveShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	fmt.Fprintln(g.Stderr, "sentinel: stopped")
	return nil
}

// TeamService is the team API wired from a service config: the handler
// every door (a plain server, AWS Lambda) serves, and what to close.
type TeamService struct {
	Config   *server.ServeConfig
	Handler  http.Handler
	team     *server.TeamHandler
	verifier *proof.Verifier
	purger   any // the store, which may drop expired items

	closers []func() error
}

// Listening tells the service the address it listens on, so that it also
// accepts proofs signed for the loopback URLs of that address. It must be
// called before the handler serves; on Lambda it is not called, and the
// audience is public_urls or the URL each event names.
func (t *TeamService) Listening(addr net.Addr) error {
	aud, err := t.Config.Audiences(addr)
	if err != nil {
		return err
	}
	t.verifier.Audiences = aud
	return nil
}

// Close releases the store and the log.
func (t *TeamService) Close() {
	for i := len(t.closers) - 1; i >= 0; i-- {
		_ = t.closers[i]()
	}
}

// OpenTeamService reads the service config (configPath, else
// $SENTINEL_SERVE_CONFIG), the policy it names, and wires the broker in
// service mode behind the team API: the service's own AWS credentials
// from the SDK's default chain, the proof verifier, the store and the log
// (mirrored to stdout when the config says so). Refusals are reported on
// stderr without secrets.
func OpenTeamService(ctx context.Context, configPath string, stdout, stderr io.Writer) (ts *TeamService, err error) {
	env := readServeEnv()
	if err := server.CheckExecWrapper(env.Start); err != nil {
		return nil, fmt.Errorf("serve: refusing to start: %w", err)
	}
	path := cmp.Or(configPath, env.ConfigPath)
	if path == "" {
		return nil, withHint(errors.New("serve: no service config"), "give --config FILE or set $"+ServeConfigEnv)
	}
	cfg, err := server.ReadServeConfig(path)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckLambdaEnv(env.Start, path); err != nil {
		return nil, fmt.Errorf("serve: refusing to start: %w", err)
	}
	pol, err := readPolicy(cfg.Policy)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if !pol.HasPins() {
		return nil, withHint(fmt.Errorf("serve: policy %s has no profiles: section", cfg.Policy),
			"the service vends only the profiles its policy pins to roles (its catalogue)")
	}
	region := cmp.Or(cfg.Store.Region, env.Region)
	stsEndpoint, err := cfg.ResolveSTSEndpoint(env.STSEndpoint, region)
	if err != nil {
		return nil, err
	}
	if env.stsErr() != nil {
		return nil, env.stsErr()
	}
	// opened is closed on a failed start: ts itself is nil by then (every
	// error return names nil).
	opened := &TeamService{Config: cfg}
	ts = opened
	defer func() {
		if err != nil {
			opened.Close()
		}
	}()

	// The service's own credentials: the SDK's default chain (on Lambda,
	// the function's role), cached and refreshed by the SDK.
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cmp.Or(region, "us-east-1")))
	if err != nil {
		return nil, fmt.Errorf("serve: load the service's AWS credentials: %w", err)
	}
	own := awsCfg.Credentials
	baseCredentials := func(ctx context.Context) (vault.Credentials, error) {
		c, err := own.Retrieve(ctx)
		if err != nil {
			return vault.Credentials{}, fmt.Errorf("the service's own AWS credentials: %w", err)
		}
		return vault.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expires}, nil
	}

	logPath := cfg.Log.File
	if logPath == "" {
		// stdout only (Lambda): the chain still needs a file to hang on.
		logPath = filepath.Join(os.TempDir(), "sentinel-serve", "decisions.jsonl")
	}
	// stdout only (Lambda): stdout is the record (CloudWatch Logs); the
	// file in the temporary directory only carries the chain, so rotated
	// files are dropped and a flood cannot fill /tmp. The STS endpoint
	// recorded is the one the service uses, from sts_endpoint: as well as
	// from AWS_ENDPOINT_URL_STS (a regional AWS endpoint records none).
	logOpts := logging.Options{MaxBytes: cfg.Log.MaxBytes, DiscardRotated: cfg.Log.File == "", STSEndpoint: vault.NonAWSSTSEndpoint(stsEndpoint)}
	logOpts.MaxBytes = cmp.Or(logOpts.MaxBytes, server.DefaultServeLogMaxBytes)
	if cfg.Log.HMACKeyFile != "" {
		if logOpts.Key, err = logging.ReadKeyFile(cfg.Log.HMACKeyFile); err != nil {
			return nil, fmt.Errorf("serve: log key: %w", err)
		}
	}
	// Secrets named by reference are fetched once, now, with the
	// service's own credentials; a failure stops the start.
	fetcher := awsfetch.NewFetcher(awsCfg, environment().Secrets)
	if !cfg.Log.HMACKey.IsZero() {
		if logOpts.Key, err = fetcher.Fetch(ctx, cfg.Log.HMACKey); err != nil {
			return nil, fmt.Errorf("serve: log.hmac_key: %w", err)
		}
		if len(logOpts.Key) < logging.MinKeySize {
			return nil, fmt.Errorf("serve: log.hmac_key: %s holds %d bytes: %w", cfg.Log.HMACKey, len(logOpts.Key), logging.ErrWeakKey)
		}
	}
	for i := range cfg.Notify {
		if w := &cfg.Notify[i]; !w.Secret.IsZero() {
			if w.SecretValue, err = fetcher.Fetch(ctx, w.Secret); err != nil {
				return nil, fmt.Errorf("serve: notify webhook %d: secret: %w", i+1, err)
			}
		}
	}
	log, err := logging.OpenWith(logPath, logOpts)
	if err != nil {
		return nil, err
	}
	ts.closers = append(ts.closers, log.Close)
	if cfg.Log.Stdout {
		log.Mirror = stdout
	}

	stores, err := openServiceStores(ctx, cfg, own)
	if err != nil {
		return nil, err
	}
	ts.closers = append(ts.closers, stores.Close)
	ts.purger = stores

	stsOpts := environment().STS
	if cfg.STSEndpoint != "" {
		stsOpts.Endpoint = cfg.STSEndpoint
	}
	b := &broker.Broker{
		Policy:          pol,
		Log:             log,
		OpenStores:      func(context.Context, broker.Signer) (broker.Stores, error) { return keptOpen{stores}, nil },
		STS:             vault.NewSTSFactory(stsOpts),
		Catalogue:       true,
		BaseCredentials: baseCredentials,
		Region:          region,
		ServiceAccounts: cfg.Accounts,
	}
	if b.Notify, err = notify.New(cfg.Notify, notify.Options{}); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	b.Warnf = func(format string, args ...any) {
		fmt.Fprintf(stderr, "sentinel: serve: warning: "+format+"\n", args...)
	}
	if cfg.RevokeInAWS.Enabled {
		b.InAWS = serviceInAWS(cfg, stsOpts, baseCredentials)
	}
	svc := &broker.Service{Broker: b, ServerID: cfg.ServerID}
	// Both backends keep the heads callers anchor (POST /v1/anchors).
	if anchors, ok := stores.(broker.TeamAnchors); ok {
		svc.Anchors = anchors
	}
	verifier := &proof.Verifier{ServerID: cfg.ServerID, STSEndpoint: stsEndpoint, Region: cmp.Or(region, "us-east-1"), Accounts: cfg.Accounts,
		Audiences: cfg.PublicAudiences()}
	ts.verifier = verifier
	ts.team = server.NewTeamHandler(svc, server.ProofAuthenticator(verifier), server.TeamOptions{
		ServerID:    cfg.ServerID,
		STSEndpoint: stsEndpoint,
		STSRegion:   verifier.Region,
		Version:     ReleaseVersion(),
		OnError: func(status int, err error) {
			fmt.Fprintf(stderr, "sentinel: serve: %d: %s\n", status, oneLineText(err.Error()))
		},
	})
	ts.Handler = ts.team
	// Closed before the log (closers run last first): the last
	// auth.refused counts go into it.
	ts.closers = append(ts.closers, ts.team.Close)
	return ts, nil
}

// stsErr reports an invalid STS setting of the environment.
func (serveEnv) stsErr() error { return environment().stsErr }

// openServiceStores opens the service's state once, for the life of the
// process: the embedded file, or DynamoDB signed with the service's own
// credentials.
func openServiceStores(ctx context.Context, cfg *server.ServeConfig, own aws.CredentialsProvider) (broker.Stores, error) {
	if cfg.Store.Backend == server.StoreLocal {
		st, err := local.Open(cfg.Store.Path, local.Options{})
		if err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		return st, nil
	}
	st, err := dynamodb.New(ctx, dynamodb.Options{
		Region:           cfg.Store.Region,
		RequestsTable:    cfg.Store.Tables.Requests,
		BreakglassTable:  cfg.Store.Tables.Breakglass,
		SessionsTable:    cfg.Store.Tables.Sessions,
		RevocationsTable: cfg.Store.Tables.Revocations,
		Credentials:      own,
	})
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return dynamoStores{st}, nil
}

// keptOpen hands the one open store to every call; closing it is the
// service's job at exit.
type keptOpen struct{ broker.Stores }

func (keptOpen) Close() error { return nil }

// oneLineText flattens a message for the operator's log.
func oneLineText(s string) string {
	out := []rune(s)
	for i, r := range out {
		if r < 0x20 || r == 0x7f {
			out[i] = ' '
		}
	}
	return string(out)
}

// ServeHandler is the team API handler `sentinel serve` serves, built for
// a door that runs it for the life of the process (AWS Lambda): the
// service is never closed, since the process ends with it. It has the
// shape of ServeHandlerBuilder.
func ServeHandler(ctx context.Context, configPath string, stdout io.Writer) (http.Handler, error) {
	ts, err := OpenTeamService(ctx, configPath, stdout, os.Stderr)
	if err != nil {
		return nil, err
	}
	return ts.Handler, nil
}
