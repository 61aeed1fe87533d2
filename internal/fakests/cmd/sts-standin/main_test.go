package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	aliceKey = "AKIAALICEEXAMPLE0001"
	aliceARN = "arn:aws:iam::111122223333:user/alice"
	roleARN  = "arn:aws:iam::444455556666:role/deploy"
)

// writeUsers writes a users.json holding content and returns its path.
func writeUsers(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("write users: %v", err)
	}
	return path
}

// readableUsers writes a users.json that others may read.
func readableUsers(t *testing.T, content string) string {
	t.Helper()
	path := writeUsers(t, content)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// aliceUsers is a users.json with alice and her MFA device.
const aliceUsers = `[{"access_key_id":"` + aliceKey + `","arn":"` + aliceARN + `","account":"111122223333","mfa_serial":"arn:aws:iam::111122223333:mfa/alice","mfa_code":"123456"}]`

// lockedBuffer is a bytes.Buffer safe for the server's goroutines to write
// while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// post sends an STS query as alice to base and returns status and body.
func post(t *testing.T, base string, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+aliceKey+"/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("send request: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, string(body)
}

// readListening reads the "listening on" line and returns the URL.
func readListening(t *testing.T, r io.Reader) string {
	t.Helper()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("read the listening line: %v", err)
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("first line %q, want listening on http://127.0.0.1:PORT with a real port", line)
	}
	return base
}

// wantCleanExit fails the test unless done yields nil within 10 seconds of
// the stop request (what).
func wantCleanExit(t *testing.T, done <-chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after %s: %v, want a clean exit", what, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after %s", what)
	}
}

// runInProcess runs the command in this process on a free loopback port
// with the users file, and returns its base URL, its log, and stop, which
// cancels it and fails the test unless run returns nil within 10 seconds.
func runInProcess(t *testing.T, users string) (string, *lockedBuffer, func()) {
	t.Helper()
	stdoutR, stdoutW := io.Pipe()
	stderr := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--users", users}, stdoutW, stderr) }()
	stop := func() {
		t.Helper()
		cancel()
		wantCleanExit(t, done, "cancel")
	}
	return readListening(t, stdoutR), stderr, stop
}

func TestRunServesAndLogs(t *testing.T) {
	users := writeUsers(t, aliceUsers)
	base, stderr, stop := runInProcess(t, users)

	status, body := post(t, base, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	if status != 200 || !strings.Contains(body, "<Arn>"+aliceARN+"</Arn>") {
		t.Errorf("GetCallerIdentity: %d %s", status, body)
	}
	status, body = post(t, base, url.Values{
		"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {roleARN}, "RoleSessionName": {"demo"},
		"SourceIdentity": {"alice"}, "DurationSeconds": {"900"},
		"SerialNumber": {"arn:aws:iam::111122223333:mfa/alice"}, "TokenCode": {"123456"},
	})
	if status != 200 || !strings.Contains(body, "assumed-role/deploy/demo") {
		t.Errorf("AssumeRole with MFA from users.json: %d %s", status, body)
	}
	status, _ = post(t, base, url.Values{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"}})
	if status != 403 {
		t.Errorf("GetSessionToken without MFA for a user with a device: status %d, want 403", status)
	}

	stop()

	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("logged %d lines, want one per call:\n%s", len(lines), stderr.String())
	}
	for _, want := range []string{`action="AssumeRole"`, `status=200`, `caller="` + aliceARN + `"`, `role="` + roleARN + `"`, `source_identity="alice"`, `duration="900"`} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("AssumeRole log line lacks %s: %s", want, lines[1])
		}
	}
	if !strings.Contains(lines[2], `error="AccessDenied"`) {
		t.Errorf("failed call's log line lacks its error: %s", lines[2])
	}
	if strings.Contains(stderr.String(), "123456") {
		t.Error("the log contains the MFA code")
	}
}

func TestRunRefuses(t *testing.T) {
	good := writeUsers(t, aliceUsers)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"every interface", []string{"--listen", "0.0.0.0:0", "--users", good}, "loopback"},
		{"empty host", []string{"--listen", ":0", "--users", good}, "loopback"},
		{"a LAN address", []string{"--listen", "192.168.1.10:8911", "--users", good}, "loopback"},
		{"a host name", []string{"--listen", "localhost:0", "--users", good}, "loopback"},
		{"no port", []string{"--listen", "127.0.0.1", "--users", good}, "missing port"},
		{"no users file", []string{"--listen", "127.0.0.1:0"}, "--users is required"},
		{"missing users file", []string{"--users", filepath.Join(t.TempDir(), "absent.json")}, "read users"},
		{"users not JSON", []string{"--users", writeUsers(t, "alice")}, "parse users"},
		{"unknown field", []string{"--users", writeUsers(t, `[{"access_key_id":"`+aliceKey+`","arn":"a","account":"111122223333","secret":"x"}]`)}, "unknown field"},
		{"readable secrets", []string{"--users", readableUsers(t, `[{"access_key_id":"`+aliceKey+`","arn":"a","account":"111122223333","secret_access_key":"x"}]`)}, "chmod 600"},
		{"bad access key", []string{"--users", writeUsers(t, `[{"access_key_id":"akia","arn":"a","account":"111122223333"}]`)}, "access_key_id"},
		{"duplicate key", []string{"--users", writeUsers(t, `[{"access_key_id":"`+aliceKey+`","arn":"a","account":"111122223333"},{"access_key_id":"`+aliceKey+`","arn":"b","account":"111122223333"}]`)}, "twice"},
		{"no arn", []string{"--users", writeUsers(t, `[{"access_key_id":"`+aliceKey+`","account":"111122223333"}]`)}, "arn is required"},
		{"bad account", []string{"--users", writeUsers(t, `[{"access_key_id":"`+aliceKey+`","arn":"a","account":"1111"}]`)}, "12 digits"},
		{"serial without code", []string{"--users", writeUsers(t, `[{"access_key_id":"`+aliceKey+`","arn":"a","account":"111122223333","mfa_serial":"s"}]`)}, "go together"},
		{"stray argument", []string{"--users", good, "extra"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run = %v, want an error containing %q", err, tt.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q on stdout while refusing to start", stdout.String())
			}
		})
	}
}

// TestSignalStops builds the command and checks that SIGTERM stops it
// cleanly, which run's tests cannot show.
func TestSignalStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "sts-standin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--users", writeUsers(t, aliceUsers))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stdout pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	base := readListening(t, stdout)
	if status, body := post(t, base, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}); status != 200 {
		t.Errorf("GetCallerIdentity: %d %s", status, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM: %v", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	wantCleanExit(t, waited, "SIGTERM")
}

func TestRunChecksSignaturesOfUsersWithSecrets(t *testing.T) {
	const secret = "fake-standin-secret-for-tests-only"
	users := writeUsers(t, `[{"access_key_id":"`+aliceKey+`","arn":"`+aliceARN+`","account":"111122223333","secret_access_key":"`+secret+`"}]`)
	base, stderr, stop := runInProcess(t, users)

	// The unsigned request of post is refused now.
	if status, body := post(t, base, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}); status == 200 {
		t.Errorf("unsigned request accepted: %s", body)
	}
	for _, c := range []struct {
		secret string
		status int
	}{{secret, 200}, {"wrong", 403}} {
		body := "Action=GetCallerIdentity&Version=2011-06-15"
		req, err := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: aliceKey, SecretAccessKey: c.secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("signed with secret %q: status %d, want %d", c.secret, resp.StatusCode, c.status)
		}
	}
	stop()
	if strings.Contains(stderr.String(), secret) {
		t.Error("the log contains the secret")
	}
}
