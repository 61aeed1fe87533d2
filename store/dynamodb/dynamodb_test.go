package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/internal/dynamolocal"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// skipReason is set by TestMain when DynamoDB Local cannot run here and
// the environment does not require it; tests that need it skip, saying why.
var skipReason string

// testCredentials are fake static keys: DynamoDB Local accepts any, and
// -sharedDb keeps one database regardless of them.
var testCredentials = credentials.NewStaticCredentialsProvider("AKIDTESTONLY", "not-a-real-secret", "")

// TestMain starts one DynamoDB Local for the whole test binary and points
// the AWS SDK at it, with no shared files and no instance metadata.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "sentinel-dynamodb-test-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "store/dynamodb tests: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	for k, v := range map[string]string{
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-such-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-such-credentials"),
		"HOME":                        dir,
		"AWS_REGION":                  "us-east-1",
	} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		os.Unsetenv(k)
	}

	// Until DynamoDB Local answers, point the SDK at a closed loopback port,
	// so that no test can reach real AWS even when DynamoDB Local is skipped.
	os.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	inst, err := dynamolocal.Start(ctx)
	switch {
	case errors.Is(err, dynamolocal.ErrUnavailable) && !dynamolocal.Required():
		skipReason = "DynamoDB Local unavailable, skipping (set CI or SENTINEL_REQUIRE_DYNAMODB=1 to fail instead): " + err.Error()
		fmt.Fprintln(os.Stderr, skipReason)
	case err != nil:
		fmt.Fprintf(os.Stderr, "store/dynamodb tests: %v\n", err)
		return 1
	default:
		defer inst.Stop()
		os.Setenv("AWS_ENDPOINT_URL_DYNAMODB", inst.Endpoint())
	}
	return m.Run()
}

// needLocal skips t when DynamoDB Local is not running.
func needLocal(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

// uniqueName returns a table name no other test uses.
func uniqueName(t *testing.T, what string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random table name: %v", err)
	}
	return "test-" + hex.EncodeToString(b[:]) + "-" + what
}

// newStore builds a store on fresh table names without creating them.
// Changes to o apply on top of the test defaults.
func newStore(t *testing.T, change func(o *Options)) *Store {
	t.Helper()
	o := Options{
		Region:           "us-east-1",
		RequestsTable:    uniqueName(t, "requests"),
		BreakglassTable:  uniqueName(t, "breakglass"),
		SessionsTable:    uniqueName(t, "sessions"),
		RevocationsTable: uniqueName(t, "revocations"),
		Credentials:      testCredentials,
	}
	if change != nil {
		change(&o)
	}
	s, err := New(t.Context(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// newInitializedStore builds a store and creates its tables, deleting them
// when the test ends.
func newInitializedStore(t *testing.T, change func(o *Options)) *Store {
	t.Helper()
	needLocal(t)
	s := newStore(t, change)
	if err := s.InitTables(t.Context(), false, io.Discard); err != nil {
		t.Fatalf("InitTables: %v", err)
	}
	t.Cleanup(func() { deleteTables(t, s) })
	return s
}

// callRecorder watches every DynamoDB call a store makes and notes the
// ones this package promises never to make: a Scan, or a Query that
// combines Limit with a FilterExpression (DynamoDB applies the limit
// before the filter, so such a query silently returns too few items).
type callRecorder struct {
	mu         sync.Mutex
	operations map[string]int
	violations []string
}

// middleware returns the client option that records calls.
func (r *callRecorder) middleware() func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("sentinelTestRecorder",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				r.record(in.Parameters)
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
}

// record notes one call by the type of its input.
func (r *callRecorder) record(params any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%T", params), "*dynamodb."), "Input")
	if r.operations == nil {
		r.operations = map[string]int{}
	}
	r.operations[name]++
	switch p := params.(type) {
	case *dynamodb.ScanInput:
		r.violations = append(r.violations, "Scan of "+aws.ToString(p.TableName))
	case *dynamodb.QueryInput:
		if p.Limit != nil && p.FilterExpression != nil {
			r.violations = append(r.violations, "Query with Limit and FilterExpression on "+aws.ToString(p.IndexName))
		}
		if p.IndexName == nil {
			r.violations = append(r.violations, "Query without an index on "+aws.ToString(p.TableName))
		}
	}
}

// check fails t if a forbidden call was made or wanted ones were not.
func (r *callRecorder) check(t *testing.T, want ...string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.violations {
		t.Errorf("forbidden DynamoDB call: %s", v)
	}
	for _, op := range want {
		if r.operations[op] == 0 {
			t.Errorf("the store never called %s (calls: %v); the recorder is not watching", op, r.operations)
		}
	}
}

func TestRequestStoreContract(t *testing.T) {
	rec := &callRecorder{}
	s := newInitializedStore(t, func(o *Options) { o.apiOptions = append(o.apiOptions, rec.middleware()) })
	storetest.TestRequestStore(t, func(t *testing.T) request.Store { return s.Requests() })
	rec.check(t, "PutItem", "GetItem", "Query")
}

func TestBreakglassStoreContract(t *testing.T) {
	rec := &callRecorder{}
	s := newInitializedStore(t, func(o *Options) { o.apiOptions = append(o.apiOptions, rec.middleware()) })
	storetest.TestBreakglassStore(t, func(t *testing.T) breakglass.Store { return s.Breakglass() })
	rec.check(t, "TransactWriteItems", "GetItem", "Query")
}

func TestSessionStoreContract(t *testing.T) {
	rec := &callRecorder{}
	s := newInitializedStore(t, func(o *Options) { o.apiOptions = append(o.apiOptions, rec.middleware()) })
	storetest.TestSessionStore(t, func(t *testing.T) session.Store { return s.Sessions() })
	rec.check(t, "PutItem", "GetItem", "UpdateItem", "Query")
}

// TestRequestIDPrefixIndexContract: the id-prefix index finds anyone's
// request by the start of its ID, with one Query and no Scan.
func TestRequestIDPrefixIndexContract(t *testing.T) {
	rec := &callRecorder{}
	s := newInitializedStore(t, func(o *Options) { o.apiOptions = append(o.apiOptions, rec.middleware()) })
	storetest.TestRequestIDPrefixIndex(t, func(t *testing.T) request.Store { return s.Requests() })
	rec.check(t, "PutItem", "GetItem", "Query")
	if rec.operations["Scan"] != 0 {
		t.Errorf("the prefix lookup scanned the table")
	}
}
