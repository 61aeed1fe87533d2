package lambdarie

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// bootstrap is the echo test program built once for the package's tests.
var bootstrap string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "lambdarie-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if bootstrap, err = Build(ctx, "./testdata/echo", dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// locateRIE returns the emulator, or skips (fails when it is required).
func locateRIE(tb testing.TB) string {
	tb.Helper()
	rie, err := Locate()
	switch {
	case errors.Is(err, ErrUnavailable) && !Required():
		tb.Skipf("%v (set SENTINEL_REQUIRE_LAMBDA_RIE=1 to fail instead)", err)
	case err != nil:
		tb.Fatal(err)
	}
	return rie
}

// sentinelBootstrap returns a context for the test (five minutes), the
// emulator (or skips, see locateRIE) and the real sentinel binary built as
// a Lambda bootstrap in the test's temporary directory.
func sentinelBootstrap(t *testing.T) (context.Context, string, string) {
	t.Helper()
	rie := locateRIE(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	bin, err := Build(ctx, "github.com/sentinel-cli/sentinel", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ctx, rie, bin
}

// serveConfig writes the echo program's config and returns its path.
func serveConfig(tb testing.TB, serverID string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "serve.yaml")
	if err := os.WriteFile(path, []byte(serverID+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func startEcho(tb testing.TB, env ...string) *Emulator {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := Start(ctx, Options{RIE: locateRIE(tb), Bootstrap: bootstrap, Env: env})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.Stop)
	return e
}

func invokeHTTP(t *testing.T, e *Emulator, event []byte) HTTPResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := e.Invoke(ctx, event)
	if err != nil {
		t.Fatal(err)
	}
	h, err := resp.HTTP()
	if err != nil {
		t.Fatalf("%v; emulator output: %s", err, e.Output())
	}
	return h
}

// TestEmulatorHTTPEvents runs the echo bootstrap under the emulator and
// sends it function URL and HTTP API events: the whole Lambda path, from
// the runtime API through lambda.Start and server.LambdaHandler to an
// http.Handler and back.
func TestEmulatorHTTPEvents(t *testing.T) {
	e := startEcho(t, "SENTINEL_SERVE_CONFIG="+serveConfig(t, "team-test"))
	proof := http.Header{"X-Sentinel-Proof": {"cHJvb2Y"}, "Content-Type": {"application/json"}, "Cookie": {"a=1; b=2"}}
	tests := []struct {
		name       string
		event      []byte
		status     int
		body       string // a JSON document, compared as such; or raw bytes when not JSON
		wantCookie string
	}{
		{"function URL GET /healthz", FunctionURLEvent("GET", "/healthz", nil, nil), 200, `{"status":"ok"}`, ""},
		{"function URL GET /v1/info", FunctionURLEvent("GET", "/v1/info", nil, nil), 200, `{"server_id":"team-test"}`, ""},
		{"function URL POST with a body", FunctionURLEvent("POST", "/v1/echo?x=1&x=2", proof, []byte(`{"profile":"prod"}`)), 200,
			`{"path_with_query":"/v1/echo?x=1&x=2","body":"eyJwcm9maWxlIjoicHJvZCJ9","proof":"cHJvb2Y","cookie":"a=1; b=2"}`, "seen=1"},
		{"function URL POST with a binary body", FunctionURLEvent("POST", "/v1/echo", nil, []byte{0xff, 0}), 200,
			`{"path_with_query":"/v1/echo","body":"/wA=","proof":"","cookie":""}`, "seen=1"},
		{"binary response", FunctionURLEvent("GET", "/v1/binary", nil, nil), 200, "\x00\xff\xfex", ""},
		{"HTTP API on a named stage", HTTPAPIEvent("prod", "GET", "/v1/info", nil, nil), 200, `{"server_id":"team-test"}`, ""},
		{"HTTP API POST on a named stage", HTTPAPIEvent("prod", "POST", "/v1/echo", nil, []byte("{}")), 200,
			`{"path_with_query":"/v1/echo","body":"e30=","proof":"","cookie":""}`, "seen=1"},
		{"HTTP API on $default", HTTPAPIEvent("$default", "GET", "/healthz", nil, nil), 200, `{"status":"ok"}`, ""},
		{"unknown path", FunctionURLEvent("GET", "/v2/nothing", nil, nil), 404, "404 page not found\n", ""},
		{"handler panic", FunctionURLEvent("GET", "/v1/panic", nil, nil), 500, `{"code":"Internal","message":"internal error"}`, ""},
		{"bad path refused before the handler", FunctionURLEvent("GET", "/v1/%zz", nil, nil), 400, `{"code":"BadRequest","message":"invalid path or query"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := invokeHTTP(t, e, tt.event)
			if h.StatusCode != tt.status {
				t.Fatalf("status %d, want %d; body %q", h.StatusCode, tt.status, h.Body)
			}
			if json.Valid([]byte(tt.body)) {
				var got, want any
				_ = json.Unmarshal(h.Body, &got)
				_ = json.Unmarshal([]byte(tt.body), &want)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("body %s, want %s", h.Body, tt.body)
				}
			} else if string(h.Body) != tt.body {
				t.Errorf("body %q, want %q", h.Body, tt.body)
			}
			if tt.wantCookie != "" && !slices.Contains(h.Cookies, tt.wantCookie) {
				t.Errorf("cookies %q, want %q", h.Cookies, tt.wantCookie)
			}
		})
	}
	if out := e.Output(); !strings.Contains(out, "echo: POST /v1/echo 18 bytes") || !strings.Contains(out, "panic serving GET /v1/panic") {
		t.Errorf("function output lacks the handler's log lines: %s", out)
	}
}

// TestEmulatorNotHTTPEvent: an event that is not an HTTP request fails
// the invocation (a function URL would answer 502); the function lives on.
func TestEmulatorNotHTTPEvent(t *testing.T) {
	e := startEcho(t, "SENTINEL_SERVE_CONFIG="+serveConfig(t, "team-test"))
	ctx := context.Background()
	resp, err := e.Invoke(ctx, []byte(`{"version":"0","source":"aws.events"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = resp.HTTP()
	var fe *FunctionError
	if !errors.As(err, &fe) || !strings.Contains(fe.ErrorMessage, "not a function URL or HTTP API 2.0 request") {
		t.Errorf("status %d body %s (%v): want a function error", resp.Status, resp.Body, err)
	}
	if h := invokeHTTP(t, e, FunctionURLEvent("GET", "/healthz", nil, nil)); h.StatusCode != 200 {
		t.Errorf("after a failed invocation: %d %s", h.StatusCode, h.Body)
	}
}

// TestEmulatorInitFailure: without SENTINEL_SERVE_CONFIG the bootstrap
// says so in one line and exits; the invocation fails, nothing is served.
func TestEmulatorInitFailure(t *testing.T) {
	e := startEcho(t)
	resp, err := e.Invoke(context.Background(), FunctionURLEvent("GET", "/healthz", nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resp.HTTP(); err == nil {
		t.Errorf("invocation succeeded without a config: %s", resp.Body)
	}
	if out := e.Output(); !strings.Contains(out, "sentinel: serve on AWS Lambda: SENTINEL_SERVE_CONFIG is not set") {
		t.Errorf("output lacks the reason: %s", out)
	}
}

// BenchmarkColdStart measures Lambda cold starts of the echo bootstrap
// (which links the whole sentinel cli) under the emulator: from the first
// invocation of a fresh emulator, which starts the bootstrap, to its
// answer. It reports the median and the worst over b.N fresh starts; the
// target is a median under 300 ms. Run it with a fixed count, e.g.
// go test -run '^$' -bench ColdStart -benchtime 9x ./internal/lambdarie
func BenchmarkColdStart(b *testing.B) {
	rie := locateRIE(b)
	config := serveConfig(b, "team-bench")
	event := FunctionURLEvent("GET", "/healthz", nil, nil)
	ctx := context.Background()
	var samples []time.Duration
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		e, err := Start(ctx, Options{RIE: rie, Bootstrap: bootstrap, Env: []string{"SENTINEL_SERVE_CONFIG=" + config}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		resp, err := e.Invoke(ctx, event)
		elapsed := time.Since(start)
		b.StopTimer()
		h, herr := resp.HTTP()
		e.Stop()
		if err != nil || herr != nil || h.StatusCode != 200 {
			b.Fatalf("cold invocation: %v %v %d", err, herr, h.StatusCode)
		}
		samples = append(samples, elapsed)
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds())/1000, "ms-median-cold-start")
	b.ReportMetric(float64(samples[len(samples)-1].Microseconds())/1000, "ms-max-cold-start")
	b.ReportMetric(0, "ns/op")
}

// TestSentinelBinaryOnLambda: the real sentinel binary, run as a Lambda
// bootstrap (no arguments, AWS_LAMBDA_RUNTIME_API set by the emulator),
// takes the Lambda path of main.go instead of parsing a command line:
// without SENTINEL_SERVE_CONFIG it refuses to start with sentinel's one
// line, not with the command-line usage.
func TestSentinelBinaryOnLambda(t *testing.T) {
	ctx, rie, bin := sentinelBootstrap(t)
	e, err := Start(ctx, Options{RIE: rie, Bootstrap: bin})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	resp, err := e.Invoke(ctx, FunctionURLEvent("GET", "/healthz", nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resp.HTTP(); err == nil {
		t.Fatalf("served without a config: %s", resp.Body)
	}
	out := e.Output()
	if !strings.Contains(out, "sentinel: serve on AWS Lambda: ") || strings.Contains(out, "usage:") {
		t.Errorf("the binary did not take the Lambda path; output: %s", out)
	}
}

// BenchmarkWarmInvoke measures one warm invocation through the emulator
// (event in, runtime API, handler, response out) and reports the median.
func BenchmarkWarmInvoke(b *testing.B) {
	e := startEcho(b, "SENTINEL_SERVE_CONFIG="+serveConfig(b, "team-bench"))
	ctx := context.Background()
	event := FunctionURLEvent("POST", "/v1/echo", http.Header{"X-Sentinel-Proof": {"cHJvb2Y"}}, []byte(`{"profile":"prod"}`))
	if _, err := e.Invoke(ctx, event); err != nil { // the cold start
		b.Fatal(err)
	}
	var samples []time.Duration
	for b.Loop() {
		start := time.Now()
		resp, err := e.Invoke(ctx, event)
		samples = append(samples, time.Since(start))
		if err != nil || resp.Status != http.StatusOK {
			b.Fatalf("%v %d", err, resp.Status)
		}
	}
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds())/1000, "ms-median-warm-invoke")
}
