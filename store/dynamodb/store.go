package dynamodb

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// Defaults for the zero values of Options.
const (
	// DefaultRegion is used when neither Options.Region nor the environment
	// names a region.
	DefaultRegion = "us-east-1"
	// DefaultRequestsTable is the name of the requests table.
	DefaultRequestsTable = "sentinel-requests"
	// DefaultBreakglassTable is the name of the break-glass table.
	DefaultBreakglassTable = "sentinel-breakglass"
	// DefaultSessionsTable is the name of the sessions table.
	DefaultSessionsTable = "sentinel-sessions"
	// DefaultTimeout bounds one store operation, retries included.
	DefaultTimeout = 10 * time.Second
	// DefaultAuditRetention keeps items for 90 days after their business
	// life ends.
	DefaultAuditRetention = 90 * 24 * time.Hour
)

// Options configures a Store. The zero value of every field but Credentials
// picks a default; with no Credentials the SDK's default chain (environment
// variables, container or instance roles) is used.
type Options struct {
	// Region is the AWS region of the tables. Empty means AWS_REGION (or
	// AWS_DEFAULT_REGION) if set, else DefaultRegion.
	Region string
	// RequestsTable names the table of access requests.
	RequestsTable string
	// BreakglassTable names the table of break-glass events and their locks.
	BreakglassTable string
	// SessionsTable names the table of server-mode sessions and user
	// blocks.
	SessionsTable string
	// RevocationsTable names the table of the revocation list (revocation
	// in AWS) and its leases.
	RevocationsTable string
	// Credentials signs the store's calls: the caller's base credentials.
	Credentials aws.CredentialsProvider
	// Timeout bounds each store operation, retries included.
	Timeout time.Duration
	// AuditRetention is how long an item is kept after its business life
	// ends (a request's expiry or access window, an event's end) before
	// DynamoDB's time to live may delete it.
	AuditRetention time.Duration

	// apiOptions lets this package's tests watch every call the client makes.
	apiOptions []func(*middleware.Stack) error
}

// Store is the DynamoDB backend. It is safe for concurrent use.
type Store struct {
	client          *dynamodb.Client
	requestsTable   string
	breakglassTable string
	sessionsTable   string
	// revocationsTable holds the revocation list (kind_revocations.go).
	revocationsTable string
	timeout          time.Duration
	retention        time.Duration
	// touches picks the one write a session touch needs (see touchHints).
	touches touchHints
}

// New builds a Store from o. It makes no call to DynamoDB. The endpoint can
// be overridden with AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL), as
// for any AWS SDK client; shared config and credentials files are not read,
// because sentinel itself owns the profiles in them.
func New(ctx context.Context, o Options) (*Store, error) {
	s := &Store{
		requestsTable:    orDefault(o.RequestsTable, DefaultRequestsTable),
		breakglassTable:  orDefault(o.BreakglassTable, DefaultBreakglassTable),
		sessionsTable:    orDefault(o.SessionsTable, DefaultSessionsTable),
		revocationsTable: orDefault(o.RevocationsTable, DefaultRevocationsTable),
		timeout:          o.Timeout,
		retention:        o.AuditRetention,
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.retention <= 0 {
		s.retention = DefaultAuditRetention
	}
	if s.requestsTable == s.breakglassTable {
		return nil, fmt.Errorf("dynamodb store: the requests and break-glass tables must differ (both are %q)", s.requestsTable)
	}
	if s.sessionsTable == s.requestsTable || s.sessionsTable == s.breakglassTable {
		return nil, fmt.Errorf("dynamodb store: the sessions table must differ from the requests and break-glass tables (it is %q)", s.sessionsTable)
	}

	if t := s.revocationsTable; t == s.requestsTable || t == s.breakglassTable || t == s.sessionsTable {
		return nil, fmt.Errorf("dynamodb store: the revocations table must differ from the other tables (it is %q)", t)
	}

	loadOpts := []func(*config.LoadOptions) error{
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithRetryMaxAttempts(3),
	}
	if o.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(o.Region))
	}
	if o.Credentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(o.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("dynamodb store: load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	s.client = dynamodb.NewFromConfig(cfg, func(co *dynamodb.Options) {
		// DynamoDB Local sends no CRC32 header on error responses; the
		// check adds nothing over TLS to real DynamoDB either.
		co.DisableValidateResponseChecksum = true
		co.APIOptions = append(co.APIOptions, o.apiOptions...)
	})
	return s, nil
}

// Requests returns the request.Store kept in the requests table.
func (s *Store) Requests() request.Store {
	return newRequestStore(s)
}

// Breakglass returns the breakglass.Store kept in the break-glass table.
func (s *Store) Breakglass() breakglass.Store {
	return newBreakglassStore(s)
}

// Sessions returns the session.Store kept in the sessions table.
func (s *Store) Sessions() session.Store {
	return newSessionStore(s)
}

// withTimeout bounds one store operation by the configured timeout.
func (s *Store) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
