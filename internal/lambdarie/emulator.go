package lambdarie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/internal/childproc"
	"github.com/sentinel-cli/sentinel/internal/tailbuf"
)

// InvokePath is the emulator's invocation endpoint (the Lambda Invoke API
// path, for the one function it runs).
const InvokePath = "/2015-03-31/functions/function/invocations"

// Timeouts and retries of Start and Stop.
const (
	// startTimeout bounds how long Start waits for the emulator to listen.
	startTimeout = 15 * time.Second
	// stopGrace is how long Stop waits after SIGTERM before SIGKILL.
	stopGrace = 3 * time.Second
	// startAttempts is how many port pairs Start tries: a free port it
	// picks can be taken by someone else before the emulator binds it.
	startAttempts = 3
	// maxResponse bounds a response read from the emulator (Lambda's own
	// response cap is 6 MB).
	maxResponse = 8 << 20
)

// Options says what to run.
type Options struct {
	// RIE is the emulator binary (see Locate).
	RIE string
	// Bootstrap is the function's bootstrap binary (see Build).
	Bootstrap string
	// Env is the function's environment beyond the test defaults (fake
	// AWS credentials, a region, no instance metadata, a HOME of its own):
	// "NAME=value" entries, later ones winning. The emulator passes its
	// whole environment to the function, and nothing is inherited from
	// the test process.
	Env []string
	// FunctionTimeout is the function's timeout (the emulator's
	// AWS_LAMBDA_FUNCTION_TIMEOUT); zero means 30 s.
	FunctionTimeout time.Duration
}

// Emulator is one running aws-lambda-rie with its bootstrap.
type Emulator struct {
	cmd      *exec.Cmd
	addr     string // host:port of the invocation endpoint, on 127.0.0.1
	output   *tailbuf.Buffer
	exited   chan struct{}
	waitErr  error
	client   *http.Client
	stopOnce sync.Once
}

// Response is the emulator's answer to one invocation: status 200 with
// the function's response document, or an error status (502 for a
// function error, with the error document) from the emulator.
type Response struct {
	Status int
	Body   []byte
}

// Start runs the emulator on two free loopback ports (invocation endpoint
// and runtime API) and waits until it accepts connections. The bootstrap
// itself starts on the first Invoke, as on a Lambda cold start.
func Start(ctx context.Context, o Options) (*Emulator, error) {
	if o.RIE == "" || o.Bootstrap == "" {
		return nil, errors.New("start Lambda emulator: Options.RIE and Options.Bootstrap are required")
	}
	return childproc.Attempts(ctx, startAttempts, func() (*Emulator, error) { return start(ctx, o) })
}

func start(ctx context.Context, o Options) (*Emulator, error) {
	apiAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	rieAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	timeout := o.FunctionTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	// The emulator treats a last argument after the bootstrap as the
	// handler name: pass the bootstrap alone.
	cmd := exec.Command(o.RIE,
		"--runtime-interface-emulator-address", rieAddr,
		"--runtime-api-address", apiAddr,
		"--log-level", "error",
		o.Bootstrap)
	cmd.Dir = filepath.Dir(o.Bootstrap)
	home, err := os.MkdirTemp("", "lambdarie-home-")
	if err != nil {
		return nil, fmt.Errorf("start Lambda emulator: %w", err)
	}
	cmd.Env = append([]string{
		"PATH=/usr/bin:/bin",
		"HOME=" + home,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=AKIDLAMBDATESTONLY",
		"AWS_SECRET_ACCESS_KEY=not-a-real-secret",
		"AWS_SESSION_TOKEN=not-a-real-token",
		"AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(int((timeout+time.Second-1)/time.Second)),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
	}, o.Env...)
	childproc.Configure(cmd)
	out := &tailbuf.Buffer{Max: 16 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(home)
		return nil, fmt.Errorf("start Lambda emulator: %w", err)
	}
	e := &Emulator{
		cmd: cmd, addr: rieAddr, output: out, exited: make(chan struct{}),
		// Only ever 127.0.0.1, never a proxy.
		client: &http.Client{Transport: &http.Transport{Proxy: nil}},
	}
	go func() {
		e.waitErr = cmd.Wait()
		_ = os.RemoveAll(home)
		close(e.exited)
	}()
	if err := e.waitListening(ctx); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// URL is the invocation endpoint.
func (e *Emulator) URL() string { return "http://" + e.addr + InvokePath }

// Output is the last 16 KiB the emulator and the bootstrap wrote (their
// logs; the function's stdout and stderr go there too).
func (e *Emulator) Output() string { return e.output.String() }

// Invoke sends one event and returns the emulator's answer. The first
// call starts the bootstrap (a cold start); later ones reuse it.
func (e *Emulator) Invoke(ctx context.Context, event []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL(), bytes.NewReader(event))
	if err != nil {
		return Response{}, fmt.Errorf("invoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("invoke %s: %w (emulator output: %s)", e.URL(), err, e.Output())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return Response{}, fmt.Errorf("invoke: read response: %w", err)
	}
	if len(body) > maxResponse {
		return Response{}, fmt.Errorf("invoke: response larger than %d bytes", maxResponse)
	}
	return Response{Status: resp.StatusCode, Body: body}, nil
}

// Stop ends the emulator and its bootstrap and waits for the emulator to
// exit. It is safe to call more than once.
func (e *Emulator) Stop() {
	e.stopOnce.Do(func() {
		e.client.CloseIdleConnections()
		childproc.Stop(e.cmd, e.exited, stopGrace)
	})
}

// waitListening polls the invocation port until it accepts a connection,
// the emulator exits, or startTimeout passes.
func (e *Emulator) waitListening(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", e.addr)
		if err == nil {
			_ = conn.Close()
			return nil
		}
		select {
		case <-e.exited:
			return fmt.Errorf("the Lambda emulator exited before it listened (%v); its output: %s", e.waitErr, e.Output())
		case <-ctx.Done():
			return fmt.Errorf("the Lambda emulator did not listen on %s within %s: %w; its output: %s", e.addr, startTimeout, ctx.Err(), e.Output())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// freeAddr asks the kernel for a free TCP port on the loopback interface.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("pick a free port for the Lambda emulator: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
