package dynamolocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sentinel-cli/sentinel/internal/childproc"
	"github.com/sentinel-cli/sentinel/internal/tailbuf"
)

// startTimeout bounds how long Start waits for DynamoDB Local to answer.
// It usually takes 2-3 s; a loaded 2-core machine can take several times
// that.
const startTimeout = 30 * time.Second

// stopGrace is how long Stop waits after SIGTERM before it sends SIGKILL.
const stopGrace = 5 * time.Second

// startAttempts is how many ports Start tries: the free port it picks can be
// taken by someone else before java binds it.
const startAttempts = 3

// Instance is one running DynamoDB Local process.
type Instance struct {
	cmd      *exec.Cmd
	port     int
	output   *tailbuf.Buffer
	exited   chan struct{} // closed when the process has exited
	waitErr  error         // the process's exit status, set before exited closes
	stopOnce sync.Once
}

// Start runs an in-memory DynamoDB Local on a free loopback port and waits
// until it answers a ListTables call. It returns an error wrapping
// ErrUnavailable when java or the jar is missing.
func Start(ctx context.Context) (*Instance, error) {
	inst, err := locate()
	if err != nil {
		return nil, err
	}
	return childproc.Attempts(ctx, startAttempts, func() (*Instance, error) { return startOnce(ctx, inst) })
}

// startOnce starts the process on one freshly picked port.
func startOnce(ctx context.Context, inst installation) (*Instance, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(inst.java,
		"-Djava.library.path="+inst.libDir,
		"-jar", inst.jar,
		"-inMemory",
		"-sharedDb",
		"-disableTelemetry",
		"-port", strconv.Itoa(port),
	)
	// Run beside the jar, as DynamoDB Local expects, and in a process group
	// of its own so that Stop can end everything it started.
	cmd.Dir = filepath.Dir(inst.jar)
	childproc.Configure(cmd)
	out := &tailbuf.Buffer{Max: 4096}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	i := &Instance{cmd: cmd, port: port, output: out, exited: make(chan struct{})}
	go func() {
		i.waitErr = cmd.Wait()
		close(i.exited)
	}()
	if err := i.waitReady(ctx); err != nil {
		i.Stop()
		return nil, err
	}
	return i, nil
}

// Endpoint is the URL to point an AWS SDK client at, on 127.0.0.1.
func (i *Instance) Endpoint() string {
	return "http://127.0.0.1:" + strconv.Itoa(i.port)
}

// Stop ends the process group and waits for the process to exit. It is safe
// to call more than once.
func (i *Instance) Stop() {
	i.stopOnce.Do(func() {
		childproc.Stop(i.cmd, i.exited, stopGrace)
	})
}

// waitReady polls ListTables until DynamoDB Local answers, the process
// exits, or startTimeout passes.
func (i *Instance) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	client := newProbeClient(i.Endpoint())
	var lastErr error
	for {
		callCtx, callCancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := client.ListTables(callCtx, &dynamodb.ListTablesInput{})
		callCancel()
		if err == nil {
			return nil
		}
		lastErr = err
		select {
		case <-i.exited:
			return fmt.Errorf("DynamoDB Local exited before it answered (%v); its output: %s", i.waitErr, i.output.String())
		case <-ctx.Done():
			return fmt.Errorf("DynamoDB Local did not answer on %s within %s: %w (last error: %v); its output: %s",
				i.Endpoint(), startTimeout, ctx.Err(), lastErr, i.output.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// newProbeClient builds a DynamoDB client for the readiness check. It is
// configured entirely in code (fake static keys, fixed region and
// endpoint, one attempt), so no shared config file, environment variable
// or instance metadata service is consulted.
func newProbeClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:                          "us-east-1",
		BaseEndpoint:                    aws.String(endpoint),
		Credentials:                     credentials.NewStaticCredentialsProvider("AKIDTESTONLY", "not-a-real-secret", ""),
		RetryMaxAttempts:                1,
		DisableValidateResponseChecksum: true,
	})
}

// freePort asks the kernel for a free TCP port on the loopback interface.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port for DynamoDB Local: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("pick a free port for DynamoDB Local: listener has no TCP address")
	}
	return addr.Port, nil
}
