package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sentinel-cli/sentinel/internal/fakesecrets"
)

// The service's secrets named by reference: the webhook's signing key
// from Secrets Manager (secret_arn:) and the log's HMAC key from
// Parameter Store (ssm:), fetched once at start from the loopback
// stand-in with the real SDK clients, signed with the service's own
// keys. Nothing of either lands in the config, the environment, the log
// or stderr.
func TestServeSecretsFromSecretsManagerAndSSM(t *testing.T) {
	w := newServeWorld(t)
	fake := fakesecrets.New()
	t.Cleanup(fake.Close)
	const (
		hookARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:sentinel/webhook-AbCdEf"
		keyName = "/sentinel/log-hmac-key"
		logKey  = "log-hmac-key-from-parameter-store-0123456789abcdef"
	)
	fake.PutSecret(hookARN, testHookSecret)
	fake.PutParameter(keyName, logKey)
	hook := newHookReceiver(t, nil)
	logPath := filepath.Join(w.dir, "decisions.jsonl")
	w.writeConfig(fmt.Sprintf(`server_id: team-e2e
policy: %s
accounts: ["111122223333"]
store: {backend: local, path: %s}
log: {file: %s, hmac_key: {ssm: %s}}
notify:
  - url: %s
    events: [request.created]
    secret: {secret_arn: "%s"}
`, filepath.Join(w.dir, "policy.yaml"), filepath.Join(w.dir, "state.db"), logPath, keyName, hook.URL, hookARN))
	w.extraEnv = []string{"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + fake.URL(), "AWS_ENDPOINT_URL_SSM=" + fake.URL()}
	w.start()

	if code, req := w.call("alice", http.MethodPost, "/v1/requests", `{"profile":"prod","justification":"deploy the fix now"}`); code != 200 {
		t.Fatalf("create: %d %v", code, req)
	}
	ds := hook.deliveries()
	if len(ds) != 1 {
		t.Fatalf("%d deliveries, want 1", len(ds))
	}
	verifySignature(t, ds[0])
	calls := fake.Calls()
	if len(calls) != 2 {
		t.Fatalf("calls to the secrets stand-in: %+v, want two at start", calls)
	}
	for _, c := range calls {
		if c.AccessKeyID != serveKey || c.Status != 200 {
			t.Errorf("call %+v: want signed by the service's key, answered", c)
		}
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	_ = w.cmd.Wait()

	// The log is keyed with the fetched key.
	keyFile := filepath.Join(w.dir, "log.key")
	writeFile0600(t, keyFile, logKey)
	cmd := exec.Command(sentinelBin, "log", "verify", logPath, "--key-file", keyFile)
	cmd.Env = w.env()
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "macs checked") {
		t.Fatalf("keyed verify with the Parameter Store key: %v\n%s", err, out)
	}
	logged, _ := os.ReadFile(logPath)
	for _, secret := range []string{testHookSecret, logKey} {
		if strings.Contains(string(logged)+w.stderr.String()+w.stdout.String(), secret) {
			t.Errorf("a fetched secret reached the log or the service's output")
		}
	}
}

// A reference that cannot be fetched stops the start with one line
// naming the reference, not a service running without its key.
func TestServeMissingSecretStopsTheStart(t *testing.T) {
	w := newServeWorld(t)
	fake := fakesecrets.New()
	t.Cleanup(fake.Close)
	w.writeConfig(fmt.Sprintf("server_id: team-e2e\npolicy: %s\naccounts: [\"111122223333\"]\nstore: {backend: local, path: %s}\nlog: {stdout: true, hmac_key: {ssm: /sentinel/missing}}\n",
		filepath.Join(w.dir, "policy.yaml"), filepath.Join(w.dir, "state.db")))
	cmd := exec.Command(sentinelBin, "serve", "--listen", "127.0.0.1:0")
	cmd.Env = append(w.env(), "SENTINEL_SERVE_CONFIG="+w.config, "AWS_ENDPOINT_URL_SSM="+fake.URL())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "ssm /sentinel/missing") || !strings.Contains(string(out), "ParameterNotFound") ||
		strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
		t.Fatalf("serve with a missing parameter: %v\n%s", err, out)
	}
}

// With the log on stdout only (as on Lambda), the chain's file in the
// temporary directory is rotated and the rotated files deleted: a flood
// of calls leaves one small file there, while stdout has every entry.
func TestServeStdoutOnlyLogKeepsTmpSmall(t *testing.T) {
	w := newServeWorld(t)
	tmp := t.TempDir()
	w.writeConfig(fmt.Sprintf("server_id: team-e2e\npolicy: %s\naccounts: [\"111122223333\"]\nstore: {backend: local, path: %s}\nlog: {stdout: true, max_bytes: 2000}\n",
		filepath.Join(w.dir, "policy.yaml"), filepath.Join(w.dir, "state.db")))
	w.extraEnv = []string{"TMPDIR=" + tmp}
	w.start()
	const calls = 30
	for i := 0; i < calls; i++ {
		if code, doc := w.call("alice", http.MethodPost, "/v1/credentials", `{"profile":"dev"}`); code != 200 {
			t.Fatalf("credentials: %d %v", code, doc)
		}
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	_ = w.cmd.Wait()
	var files []string
	var total int64
	_ = filepath.Walk(tmp, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			files = append(files, p)
			total += fi.Size()
		}
		return nil
	})
	if len(files) != 1 || total > 4000 {
		t.Fatalf("temporary directory holds %v (%d bytes): want the current file only", files, total)
	}
	if n := strings.Count(w.stdout.String(), `"event":"decision"`); n < calls {
		t.Errorf("stdout has %d decisions, want %d", n, calls)
	}
}
