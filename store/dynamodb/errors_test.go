package dynamodb

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
)

// storeCall is one store operation, for tests that try them all.
type storeCall struct {
	name string
	run  func(ctx context.Context, s *Store) error
}

// storeCalls covers every operation of both stores, and with Replace of an
// active event both of its write paths.
var storeCalls = []storeCall{
	{"request Create", func(ctx context.Context, s *Store) error { return s.Requests().Create(ctx, testRequest()) }},
	{"request Get", func(ctx context.Context, s *Store) error {
		_, err := s.Requests().Get(ctx, testRequest().ID)
		return err
	}},
	{"request Replace", func(ctx context.Context, s *Store) error {
		return newRequestStore(s).b.Replace(ctx, testRequest(), testRequest())
	}},
	{"request List", func(ctx context.Context, s *Store) error {
		_, err := s.Requests().List(ctx, request.Query{Requester: "alice"}.Record(time.Now()))
		return err
	}},
	{"event Open", func(ctx context.Context, s *Store) error {
		return s.Breakglass().Open(ctx, testEvent(breakglass.StatusActive), breakglass.Limits{})
	}},
	{"event Get", func(ctx context.Context, s *Store) error {
		_, err := s.Breakglass().Get(ctx, testEvent("").ID)
		return err
	}},
	{"event Replace to closed", func(ctx context.Context, s *Store) error {
		return newBreakglassStore(s).b.Replace(ctx, testEvent(breakglass.StatusActive), testEvent(breakglass.StatusClosed))
	}},
	{"event Replace staying closed", func(ctx context.Context, s *Store) error {
		return newBreakglassStore(s).b.Replace(ctx, testEvent(breakglass.StatusClosed), testEvent(breakglass.StatusClosed))
	}},
	{"event List", func(ctx context.Context, s *Store) error {
		_, err := s.Breakglass().List(ctx, breakglass.Query{Invoker: "alice"}.Record(time.Now()))
		return err
	}},
}

// testRequest is a minimal request for error tests.
func testRequest() *request.Request {
	return &request.Request{ID: "0123456789abcdef", Requester: "alice", Profile: "prod", Status: request.StatusPending}
}

// testEvent is a minimal event with the given status for error tests.
func testEvent(status breakglass.Status) *breakglass.Event {
	return &breakglass.Event{ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", Status: status}
}

// checkOneLine fails t if msg spans lines: the CLI prints errors as one.
func checkOneLine(t *testing.T, what, msg string) {
	t.Helper()
	if strings.Contains(msg, "\n") {
		t.Errorf("%s: error spans several lines: %q", what, msg)
	}
}

func TestMissingTableSaysRunInitTables(t *testing.T) {
	needLocal(t)
	s := newStore(t, nil) // tables never created
	for _, call := range storeCalls {
		op, err := call.name, call.run(t.Context(), s)
		var notFound *TableNotFoundError
		if !errors.As(err, &notFound) {
			t.Errorf("%s on a missing table: got %v, want a TableNotFoundError", op, err)
			continue
		}
		want := "DynamoDB table " + notFound.Table + " not found: run `sentinel init tables`"
		if !strings.HasSuffix(err.Error(), want) || (notFound.Table != s.requestsTable && notFound.Table != s.breakglassTable) {
			t.Errorf("%s on a missing table: %q, want it to end in %q for one of the store's tables", op, err, want)
		}
		checkOneLine(t, op, err.Error())
	}
}

func TestMissingIndexSaysRunInitTables(t *testing.T) {
	needLocal(t)
	s := newStore(t, nil)
	t.Cleanup(func() { deleteTables(t, s) })
	if err := s.createTable(t.Context(), tableSpec{name: s.requestsTable, indexes: requestIndexes[:1]}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Requests().List(t.Context(), request.Query{Status: request.StatusPending}.Record(time.Now()))
	if err == nil || !strings.Contains(err.Error(), "lacks an index") || !strings.Contains(err.Error(), "run `sentinel init tables`") {
		t.Fatalf("List on a table without the status index: got %v, want a hint to run init tables", err)
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// These tests point the store at something other than DynamoDB Local by
// AWS_ENDPOINT_URL_DYNAMODB, as a user would, so they cannot run in
// parallel with others.

func TestUnreachableEndpointIsBoundedAndClear(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://"+closedPort(t))
	const timeout = time.Second
	s := newStore(t, func(o *Options) { o.Timeout = timeout })
	// Each call, retries included, ends within the timeout with one line
	// that says what happened: the SDK's retries either give up on the
	// refused connection or run into the timeout.
	for _, call := range []storeCall{storeCalls[1], storeCalls[4], storeCalls[6]} {
		start := time.Now()
		err := call.run(t.Context(), s)
		elapsed := time.Since(start)
		if err == nil {
			t.Fatalf("%s on a closed port succeeded", call.name)
		}
		msg := err.Error()
		if !strings.Contains(msg, "cannot reach DynamoDB: dial tcp 127.0.0.1:") && !strings.Contains(msg, "DynamoDB did not answer within 1s") {
			t.Errorf("%s on a closed port: got %q, want it to say DynamoDB cannot be reached", call.name, msg)
		}
		checkOneLine(t, call.name, msg)
		if elapsed > timeout+time.Second {
			t.Errorf("%s on a closed port took %s, want at most about %s", call.name, elapsed, timeout)
		}
	}
}

func TestSilentEndpointTimesOut(t *testing.T) {
	// A listener that accepts connections and never answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://"+l.Addr().String())
	const timeout = 500 * time.Millisecond
	s := newStore(t, func(o *Options) { o.Timeout = timeout })
	start := time.Now()
	_, err = s.Breakglass().Get(t.Context(), "0123456789abcdef")
	elapsed := time.Since(start)
	if err == nil || err.Error() != "get break-glass event 0123456789abcdef: DynamoDB did not answer within 500ms" {
		t.Errorf("Get on a silent endpoint: got %v, want a timeout message", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout error %v does not wrap context.DeadlineExceeded", err)
	}
	if elapsed > timeout+time.Second {
		t.Errorf("Get on a silent endpoint took %s, want about %s", elapsed, timeout)
	}

	// The caller's own cancellation is reported as such, not as a timeout.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Breakglass().Get(ctx, "0123456789abcdef"); !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "did not answer") {
		t.Errorf("Get with a cancelled context: got %v, want context.Canceled", err)
	}
}

func TestThrottlingIsReportedAfterRetries(t *testing.T) {
	var calls atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}`))
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://"+l.Addr().String())

	s := newStore(t, nil)
	_, err = s.Requests().Get(t.Context(), "0123456789abcdef")
	want := "get request 0123456789abcdef: DynamoDB is throttling calls to table " + s.requestsTable + " (ThrottlingException), even after retries"
	if err == nil || err.Error() != want {
		t.Errorf("Get while throttled: got %v, want %q", err, want)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("the store made %d attempts, want 3", n)
	}
}
