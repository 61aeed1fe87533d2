package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/notify"
	"github.com/sentinel-cli/sentinel/proof"
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
	cmd.Action(func(*kingpin.ParseContext) error { return c.run(g) })
}

// serveEnv is what the service takes from the environment, read once at
// start and passed down.
type serveEnv struct {
	ConfigPath  string // SENTINEL_SERVE_CONFIG
	STSEndpoint string // AWS_ENDPOINT_URL_STS
	Region      string // AWS_REGION, else AWS_DEFAULT_REGION
}

func readServeEnv() serveEnv {
	return serveEnv{
		ConfigPath:  os.Getenv(ServeConfigEnv),
		STSEndpoint: os.Getenv("AWS_ENDPOINT_URL_STS"),
		Region:      environment().Region,
	}
}

func (c *serveCommand) run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ts, err := OpenTeamService(ctx, g.ConfigFile, g.Stdout, g.Stderr)
	if err != nil {
		return err
	}
	defer ts.Close()
	addr := firstSet(c.Listen, ts.Config.Listen)
	if addr == "" {
		return withHint(errors.New("serve: no address to listen on"), "give --listen ADDR or listen: in the service config")
	}
	if err := ts.Config.CheckListen(addr); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           ts.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", addr, err)
	}
	scheme := "http"
	if ts.Config.HasTLS() {
		scheme = "https"
	}
	fmt.Fprintf(g.Stderr, "sentinel: serving %s on %s://%s\n", ts.Config.ServerID, scheme, ln.Addr())
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
	sctx, cancel := context.WithTimeout(context.Background(), serveShutdownTimeout)
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
	Config  *server.ServeConfig
	Handler http.Handler
	closers []func() error
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
	path := firstSet(configPath, env.ConfigPath)
	if path == "" {
		return nil, withHint(errors.New("serve: no service config"), "give --config FILE or set $"+ServeConfigEnv)
	}
	cfg, err := server.ReadServeConfig(path)
	if err != nil {
		return nil, err
	}
	pol, err := readPolicy(cfg.Policy)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if !pol.HasPins() {
		return nil, withHint(fmt.Errorf("serve: policy %s has no profiles: section", cfg.Policy),
			"the service vends only the profiles its policy pins to roles (its catalogue)")
	}
	region := firstSet(cfg.Store.Region, env.Region)
	stsEndpoint, err := cfg.ResolveSTSEndpoint(env.STSEndpoint, region)
	if err != nil {
		return nil, err
	}
	if env.stsErr() != nil {
		return nil, env.stsErr()
	}
	ts = &TeamService{Config: cfg}
	defer func() {
		if err != nil {
			ts.Close()
		}
	}()

	// The service's own credentials: the SDK's default chain (on Lambda,
	// the function's role), cached and refreshed by the SDK.
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(firstSet(region, "us-east-1")))
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
	logOpts := logging.Options{MaxBytes: cfg.Log.MaxBytes}
	if logOpts.MaxBytes == 0 {
		logOpts.MaxBytes = server.DefaultServeLogMaxBytes
	}
	if cfg.Log.HMACKeyFile != "" {
		if logOpts.Key, err = logging.ReadKeyFile(cfg.Log.HMACKeyFile); err != nil {
			return nil, fmt.Errorf("serve: log key: %w", err)
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
	}
	if b.Notify, err = notify.New(cfg.Notify, notify.Options{}); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	b.Warnf = func(format string, args ...any) {
		fmt.Fprintf(stderr, "sentinel: serve: warning: "+format+"\n", args...)
	}
	svc := &broker.Service{Broker: b, ServerID: cfg.ServerID}
	// Both backends keep the heads callers anchor (POST /v1/anchors).
	if anchors, ok := stores.(broker.TeamAnchors); ok {
		svc.Anchors = anchors
	}
	verifier := &proof.Verifier{ServerID: cfg.ServerID, STSEndpoint: stsEndpoint, Region: firstSet(region, "us-east-1"), Accounts: cfg.Accounts}
	ts.Handler = server.NewTeamHandler(svc, server.ProofAuthenticator(verifier), server.TeamOptions{
		ServerID:    cfg.ServerID,
		STSEndpoint: stsEndpoint,
		STSRegion:   verifier.Region,
		Version:     ReleaseVersion(),
		OnError: func(status int, err error) {
			fmt.Fprintf(stderr, "sentinel: serve: %d: %s\n", status, oneLineText(err.Error()))
		},
	})
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
		Region:          cfg.Store.Region,
		RequestsTable:   cfg.Store.Tables.Requests,
		BreakglassTable: cfg.Store.Tables.Breakglass,
		SessionsTable:   cfg.Store.Tables.Sessions,
		Credentials:     own,
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
