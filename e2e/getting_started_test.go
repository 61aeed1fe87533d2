package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// guideSubstitutions are the only changes made to the shell blocks of
// docs/getting-started.md before they run: what needs real AWS, a person
// at a prompt, or a value printed by an earlier step. {NAME} is filled in
// at run time. Every entry must be used, so the table cannot go stale.
var guideSubstitutions = []struct {
	from, to, why string
}{
	{"make build", ":", "the test binary is built by TestMain and first on PATH"},
	{"sudo install sentinel /usr/local/bin/", ":", "no root here; the binary is already on PATH"},
	{"sentinel add default", "AWS_ACCESS_KEY_ID={KEY} AWS_SECRET_ACCESS_KEY={SECRET} sentinel add --env default", "add prompts for the keys on a terminal"},
	{"aws s3 ls", "{AWS} sts get-caller-identity", "no S3 here: an STS call shows the credentials work"},
	{"aws --profile dev-sdk sts get-caller-identity", "{AWS} --profile dev-sdk sts get-caller-identity", "the AWS CLI 2.9 needs --endpoint-url for the stand-in"},
	{"terraform plan", "{AWS} sts get-caller-identity", "no terraform here: the AWS CLI reads the credential server as terraform would"},
	{"127.0.0.1:8443", "127.0.0.1:{PORT}", "a free port: others may run tests on this machine"},
	{"sentinel serve --config ~/sentinel-team/serve.yaml &", `sentinel serve --config ~/sentinel-team/serve.yaml >"$HOME/serve.log" 2>&1 & echo $! >"$HOME/serve.pid"`, "the test stops the service and reads its output"},
	{"2654f465d181b84b", "{REQUEST_ID}", "the ID `sentinel request` printed"},
	{"9f1c2ab34d5e6f70", "{BREAKGLASS_ID}", "the ID `sentinel breakglass` printed"},
}

// guideBlock is one fenced shell block of the guide.
type guideBlock struct {
	line int
	text string
}

// guideBlocks returns the ```sh blocks of the guide, in order.
func guideBlocks(t *testing.T, path string) []guideBlock {
	t.Helper()
	var blocks []guideBlock
	var cur *guideBlock
	for i, line := range fileLines(t, path) {
		n := i + 1
		switch {
		case cur == nil && strings.TrimSpace(line) == "```sh":
			cur = &guideBlock{line: n}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: unterminated block", path, cur.line)
	}
	return blocks
}

// guideID is an ID as sentinel prints it.
var guideID = regexp.MustCompile(`\b[0-9a-f]{16}\b`)

// TestGettingStartedRunsAsWritten runs every shell block of
// docs/getting-started.md in order with bash, as alice with an empty home
// (bob's block as bob, with his own), against the STS stand-in.
func TestGettingStartedRunsAsWritten(t *testing.T) {
	const awsCLI = "/usr/bin/aws"
	if _, err := os.Stat(awsCLI); err != nil {
		t.Skipf("%s missing: run `make deps` to run the guide's AWS CLI steps", awsCLI)
	}
	const guideAccount = "123456789012"
	w := newWorld(t)
	binDir := filepath.Dir(sentinelBin)
	type guidePerson struct {
		home, key string
	}
	people := map[string]*guidePerson{}
	for i, name := range []string{"alice", "bob"} {
		p := &guidePerson{home: filepath.Join(w.dir, "guide-"+name), key: fmt.Sprintf("AKIAGUIDE%011d", i+1)}
		if err := os.MkdirAll(p.home, 0o700); err != nil {
			t.Fatal(err)
		}
		w.sts.AddUserWithSecret(p.key, fakeSecret, "arn:aws:iam::"+guideAccount+":user/"+name, guideAccount)
		people[name] = p
	}
	// What alice has before she starts: the team service's own keys, as
	// the guide says, in ~/.aws/credentials.
	const serviceKey, serviceSecret = "AKIAGUIDESERVICE0001", "guide-service-secret"
	serviceARN := "arn:aws:iam::" + guideAccount + ":user/sentinel-service"
	w.sts.AddUserWithSecret(serviceKey, serviceSecret, serviceARN, guideAccount)
	// Only the service may assume prod: a laptop cannot go around it.
	w.sts.AllowRole("arn:aws:iam::"+guideAccount+":role/prod", serviceARN)
	if err := os.MkdirAll(filepath.Join(people["alice"].home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(people["alice"].home, ".aws", "credentials"),
		[]byte("[sentinel-service]\naws_access_key_id = "+serviceKey+"\naws_secret_access_key = "+serviceSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	values := map[string]string{
		"{PORT}":   port,
		"{SECRET}": fakeSecret,
		"{AWS}":    awsCLI + ` --endpoint-url "$AWS_ENDPOINT_URL_STS"`,
	}
	t.Cleanup(func() {
		data, err := os.ReadFile(filepath.Join(people["alice"].home, "serve.pid"))
		if err != nil {
			return
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			_ = syscall.Kill(pid, syscall.SIGTERM)
			for i := 0; i < 50 && syscall.Kill(pid, 0) == nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
		}
	})

	used := map[string]bool{}
	blocks := guideBlocks(t, filepath.Join("..", "docs", "getting-started.md"))
	if len(blocks) < 10 {
		t.Fatalf("found %d shell blocks in the guide; is the extraction broken?", len(blocks))
	}
	for _, b := range blocks {
		who := "alice"
		if strings.Contains(b.text, "sentinel approve ") {
			who = "bob" // the approver, on his own machine
		}
		p := people[who]
		script := b.text
		for _, s := range guideSubstitutions {
			if strings.Contains(script, s.from) {
				used[s.from] = true
				script = strings.ReplaceAll(script, s.from, s.to)
			}
		}
		values["{KEY}"] = p.key
		for k, v := range values {
			script = strings.ReplaceAll(script, k, v)
		}
		if m := regexp.MustCompile(`\{[A-Z_]+\}`).FindString(script); m != "" {
			t.Fatalf("getting-started.md:%d: %s is not known yet when this block runs:\n%s", b.line, m, script)
		}
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Dir = p.home
		cmd.Env = []string{
			"PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
			"HOME=" + p.home,
			"USER=" + who,
			"AWS_ENDPOINT_URL_STS=" + w.sts.URL(),
			"AWS_EC2_METADATA_DISABLED=true",
			"SENTINEL_BACKEND=file",
			"SENTINEL_FILE_PASSPHRASE=" + passphrase,
			"SENTINEL_STS_TIMEOUT=5s",
		}
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("getting-started.md:%d, as %s: %v\nscript:\n%s\nstdout:\n%s\nstderr:\n%s", b.line, who, err, script, out.String(), errOut.String())
		}
		t.Logf("getting-started.md:%d ran as %s:\n%s", b.line, who, strings.TrimSpace(out.String()+errOut.String()))
		switch {
		case strings.Contains(b.text, "sentinel request prod"):
			values["{REQUEST_ID}"] = guideID.FindString(out.String())
		case strings.Contains(b.text, "sentinel breakglass prod"):
			values["{BREAKGLASS_ID}"] = guideID.FindString(out.String())
		case strings.Contains(b.text, "sentinel serve"):
			waitHealthy(t, "http://127.0.0.1:"+port, filepath.Join(p.home, "serve.log"))
		}
	}
	for _, s := range guideSubstitutions {
		if !used[s.from] {
			t.Errorf("substitution %q (%s) matched nothing: the guide changed", s.from, s.why)
		}
	}

	// The approved request, then the break-glass event, got alice prod
	// credentials from the service, stamped with what allowed them.
	var stamps []string
	for _, c := range w.assumeCalls() {
		if c.Params.Get("RoleArn") == "arn:aws:iam::"+guideAccount+":role/prod" {
			if c.CallerARN != serviceARN {
				t.Errorf("prod assumed by %s, want only the service", c.CallerARN)
			}
			stamps = append(stamps, c.Params.Get("SourceIdentity"))
		}
	}
	if len(stamps) != 1 || !strings.Contains(stamps[0], ".alice.apr-") {
		t.Errorf("prod AssumeRole SourceIdentities %q, want one for alice's approved request", stamps)
	}
}

// waitHealthy waits for the team service at url to answer /healthz.
func waitHealthy(t *testing.T, url, logPath string) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	for i := 0; i < 100; i++ {
		if resp, err := client.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := os.ReadFile(logPath)
	t.Fatalf("sentinel serve did not answer at %s:\n%s", url, out)
}
