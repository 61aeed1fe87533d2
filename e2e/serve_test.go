package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/proof"
)

const servePolicy = `version: "1"
accounts: ["111122223333"]
profiles:
  dev: {role_arn: "arn:aws:iam::111122223333:role/dev"}
  prod: {role_arn: "arn:aws:iam::111122223333:role/prod"}
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
approvals:
  - name: prod-approvers
    profiles: [prod]
    approvers: [bob]
`

const (
	serveKey = "AKIASERVICEE2E00001"
	serveARN = "arn:aws:iam::111122223333:user/sentinel-service"
)

// serveWorld is a `sentinel serve` process on loopback with its config,
// the STS stand-in checking signatures, and keys for two people.
type serveWorld struct {
	t      testing.TB
	sts    *fakests.Server
	dir    string
	config string
	url    string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	stdout *lockedBuffer
	keys   map[string]aws.Credentials
	// extraEnv is appended to env() by start: a later entry wins.
	extraEnv []string
	// lastHeader is the header of call's last answer.
	lastHeader http.Header
}

// lockedBuffer collects a running process's output; a test may read it
// while the process still writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func newServeWorld(t testing.TB) *serveWorld {
	t.Helper()
	sts := fakests.New()
	t.Cleanup(sts.Close)
	sts.AddUserWithSecret(serveKey, fakeSecret+"-service", serveARN, account)
	w := &serveWorld{t: t, sts: sts, dir: t.TempDir(), keys: map[string]aws.Credentials{}}
	for i, name := range []string{"alice", "bob"} {
		c := aws.Credentials{AccessKeyID: fmt.Sprintf("AKIAPERSONE2E00000%02d", i), SecretAccessKey: fakeSecret + "-" + name}
		sts.AddUserWithSecret(c.AccessKeyID, c.SecretAccessKey, "arn:aws:iam::"+account+":user/"+name, account)
		w.keys[name] = c
	}
	policyPath := filepath.Join(w.dir, "policy.yaml")
	if err := os.WriteFile(policyPath, []byte(servePolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	w.config = filepath.Join(w.dir, "serve.yaml")
	w.writeConfig(fmt.Sprintf(`server_id: team-e2e
policy: %s
accounts: ["111122223333"]
store: {backend: local, path: %s}
log: {file: %s, stdout: true}
`, policyPath, filepath.Join(w.dir, "state.db"), filepath.Join(w.dir, "decisions.jsonl")))
	return w
}

func (w *serveWorld) writeConfig(yaml string) {
	w.t.Helper()
	if err := os.WriteFile(w.config, []byte(yaml), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// env is the service's environment: its own (fake) keys, the STS
// stand-in, nothing from the machine's AWS set-up.
func (w *serveWorld) env() []string {
	return []string{
		"HOME=" + w.dir, "PATH=" + os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID=" + serveKey, "AWS_SECRET_ACCESS_KEY=" + fakeSecret + "-service",
		"AWS_ENDPOINT_URL_STS=" + w.sts.URL(), "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + filepath.Join(w.dir, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(w.dir, "none"), "AWS_MAX_ATTEMPTS=1",
	}
}

// start runs `sentinel serve` and waits for /healthz.
func (w *serveWorld) start(args ...string) {
	w.t.Helper()
	addr := freeAddr(w.t)
	w.url = "http://" + addr
	w.cmd = exec.Command(sentinelBin, append([]string{"serve", "--listen", addr}, args...)...)
	w.cmd.Env = append(append(w.env(), "SENTINEL_SERVE_CONFIG="+w.config), w.extraEnv...)
	w.stdout, w.stderr = &lockedBuffer{}, &lockedBuffer{}
	w.cmd.Stdout, w.cmd.Stderr = w.stdout, w.stderr
	if err := w.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		if w.cmd.ProcessState == nil {
			_ = w.cmd.Process.Kill()
			_ = w.cmd.Wait()
		}
	})
	for i := 0; i < 100; i++ {
		resp, err := http.Get(w.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.t.Fatalf("sentinel serve did not answer: %s", w.stderr)
}

// call signs a proof as user and sends the call.
func (w *serveWorld) call(user, method, path, body string) (int, map[string]any) {
	w.t.Helper()
	hdr, err := proof.Sign(context.Background(), w.keys[user], proof.SignParams{
		STSEndpoint: w.sts.URL(), Region: "us-east-1", ServerID: "team-e2e", Audience: w.url,
		RequestHash: proof.RequestHash(method, path, []byte(body)),
	})
	if err != nil {
		w.t.Fatal(err)
	}
	req, err := http.NewRequest(method, w.url+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set(proof.Header, hdr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	w.lastHeader = resp.Header
	data, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		w.t.Fatalf("answer %q: %v", data, err)
	}
	return resp.StatusCode, doc
}

// `sentinel serve` as a process: two people through real proofs, an
// approval, credentials assumed with the service's own keys, the log on
// file and stdout, and a clean stop on SIGTERM.
func TestServeProcess(t *testing.T) {
	w := newServeWorld(t)
	w.start()

	code, info := w.call("alice", http.MethodGet, "/v1/info", "")
	if code != 200 || info["server_id"] != "team-e2e" || info["sts_endpoint"] != w.sts.URL() {
		t.Fatalf("info %d %v", code, info)
	}
	code, doc := w.call("alice", http.MethodPost, "/v1/credentials", `{"profile":"prod"}`)
	if code != 403 || doc["code"] != "AccessDenied" {
		t.Fatalf("prod before approval: %d %v", code, doc)
	}
	code, req := w.call("alice", http.MethodPost, "/v1/requests", `{"profile":"prod","justification":"deploy the fix now"}`)
	if code != 200 {
		t.Fatalf("request: %d %v", code, req)
	}
	id, _ := req["id"].(string)
	if code, doc = w.call("bob", http.MethodPost, "/v1/requests/"+id+"/approve", `{"comment":"go"}`); code != 200 {
		t.Fatalf("approve: %d %v", code, doc)
	}
	code, creds := w.call("alice", http.MethodPost, "/v1/credentials", `{"profile":"prod"}`)
	if code != 200 || !strings.HasPrefix(fmt.Sprint(creds["SourceIdentity"]), "sentinel.alice.apr-"+id+".") {
		t.Fatalf("credentials: %d %v", code, creds)
	}
	assumes := w.sts.CallsOf("AssumeRole")
	if len(assumes) != 1 || assumes[0].AccessKeyID != serveKey {
		t.Fatalf("AssumeRole calls %+v", assumes)
	}
	if code, doc = w.call("bob", http.MethodPost, "/v1/credentials", `{"profile":"dev","session_id":"`+fmt.Sprint(creds["SessionID"])+`"}`); code != 403 {
		t.Fatalf("bob with alice's session: %d %v", code, doc)
	}

	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v: %s", err, w.stderr)
	}
	logged, err := os.ReadFile(filepath.Join(w.dir, "decisions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(logged, []byte(w.stdout.String())) || bytes.Count(logged, []byte("\n")) < 5 {
		t.Errorf("stdout is not the log:\nfile:\n%s\nstdout:\n%s", logged, w.stdout)
	}
	for _, secret := range []string{fakeSecret, fmt.Sprint(creds["SecretAccessKey"]), fmt.Sprint(creds["SessionToken"])} {
		if strings.Contains(string(logged)+w.stderr.String(), secret) {
			t.Errorf("a secret reached the log or stderr")
		}
	}
}

// Bad set-ups stop at start with one line: plain HTTP off loopback, an
// unknown key, no config at all.
func TestServeRefusesBadSetups(t *testing.T) {
	w := newServeWorld(t)
	run := func(env []string, args ...string) (int, string) {
		cmd := exec.Command(sentinelBin, append([]string{"serve"}, args...)...)
		cmd.Env = env
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return code, errOut.String()
	}
	code, out := run(w.env(), "--config", w.config, "--listen", "0.0.0.0:0")
	if code == 0 || !strings.Contains(out, "loopback") {
		t.Errorf("plain HTTP on 0.0.0.0: %d %s", code, out)
	}
	code, out = run(w.env(), "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(out, "no service config") {
		t.Errorf("no config: %d %s", code, out)
	}
	data, _ := os.ReadFile(w.config)
	w.writeConfig(string(data) + "debug: true\n")
	code, out = run(w.env(), "--config", w.config, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(out, "debug") {
		t.Errorf("unknown key: %d %s", code, out)
	}
}

// TestServeKeyedLog: with log.hmac_key_file the service's own log carries
// a chained HMAC, which `sentinel log verify --key-file` checks. A copy
// rewritten by someone without the key (here, simply with the macs
// stripped) fails keyed verification.
func TestServeKeyedLog(t *testing.T) {
	w := newServeWorld(t)
	keyFile := filepath.Join(w.dir, "log.key")
	if err := os.WriteFile(keyFile, bytes.Repeat([]byte{0x5a}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(w.dir, "decisions.jsonl")
	w.writeConfig(fmt.Sprintf(`server_id: team-e2e
policy: %s
accounts: ["111122223333"]
store: {backend: local, path: %s}
log: {file: %s, hmac_key_file: %s}
`, filepath.Join(w.dir, "policy.yaml"), filepath.Join(w.dir, "state.db"), logPath, keyFile))
	w.start()
	if code, doc := w.call("alice", http.MethodPost, "/v1/credentials", `{"profile":"dev"}`); code != 200 {
		t.Fatalf("credentials: %d %v", code, doc)
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	_ = w.cmd.Wait()

	verify := func(path string) (string, error) {
		cmd := exec.Command(sentinelBin, "log", "verify", path, "--key-file", keyFile)
		cmd.Env = w.env()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(logPath); err != nil || !strings.Contains(out, "OK") || !strings.Contains(out, "macs checked") {
		t.Fatalf("keyed verify of the service log: %v\n%s", err, out)
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"mac":"`)) {
		t.Fatalf("the service log carries no mac:\n%s", data)
	}
	stripped := regexp.MustCompile(`,"mac":"[0-9a-f]+"`).ReplaceAll(data, nil)
	forged := filepath.Join(w.dir, "forged.jsonl")
	if err := os.WriteFile(forged, stripped, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(forged); err == nil {
		t.Fatalf("a log without its macs passed keyed verification:\n%s", out)
	}
}
