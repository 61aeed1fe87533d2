package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/buildtags"
	"github.com/sentinel-cli/sentinel/internal/fakests"
)

// sentinelBin is the binary under test, built once in TestMain.
var sentinelBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sentinel-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sentinelBin = filepath.Join(dir, "sentinel")
	build := exec.Command("go", "build", "-tags", buildtags.Flag(), "-o", sentinelBin, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build sentinel:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	account    = "111122223333"
	passphrase = "e2e-test-passphrase"
	// fakeSecret is plainly not an AWS secret key.
	fakeSecret = "fake-secret-for-tests-only"
)

// world is what several test people share: the STS stand-in, the policy
// file and the approval store.
type world struct {
	t         testing.TB
	sts       *fakests.Server
	dir       string
	policy    string
	storePath string
	// storeYAML is the store: section every person's config gets.
	storeYAML string
}

func newWorld(t testing.TB) *world {
	t.Helper()
	s := fakests.New()
	t.Cleanup(s.Close)
	dir := t.TempDir()
	w := &world{t: t, sts: s, dir: dir, policy: filepath.Join(dir, "policy.yaml"), storePath: filepath.Join(dir, "state", "state.db")}
	w.storeYAML = fmt.Sprintf("store:\n  backend: local\n  path: %s\n", w.storePath)
	return w
}

// setPolicy writes the shared policy file.
func (w *world) setPolicy(yaml string) {
	w.t.Helper()
	if err := os.WriteFile(w.policy, []byte(yaml), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// newWorldWithAlice is the set-up most tests start from: a world whose
// policy is yaml, and alice in it.
func newWorldWithAlice(tb testing.TB, yaml string) (*world, *person) {
	tb.Helper()
	w := newWorld(tb)
	w.setPolicy(yaml)
	return w, w.newPerson("alice")
}

// defaultAWSConfig has a dev and a prod role on top of the person's keys
// (stored under "default"), and a profile without a role.
const defaultAWSConfig = `[default]
region = eu-west-1

[profile dev]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/dev

[profile prod]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/prod

[profile staging]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/staging

[profile plain]
source_profile = default

[profile audit]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/audit
`

// person is one user of sentinel with their own HOME.
type person struct {
	w     *world
	t     testing.TB
	name  string
	home  string
	keyID string
	arn   string
	extra map[string]string
}

// newPerson creates a person whose keys (stored under profile "default")
// belong to IAM user name.
func (w *world) newPerson(name string) *person {
	w.t.Helper()
	home := filepath.Join(w.dir, "home-"+name)
	keyID := "AKIAFAKE" + strings.ToUpper(fmt.Sprintf("%-12s", name)) // AKIA and 16 characters, as AWS issues them
	keyID = strings.ReplaceAll(keyID, " ", "0")
	p := &person{w: w, t: w.t, name: name, home: home, keyID: keyID, arn: "arn:aws:iam::" + account + ":user/" + name, extra: map[string]string{}}
	w.sts.AddUser(keyID, p.arn, account)
	p.writeFile(".aws/config", defaultAWSConfig)
	p.writeFile(".config/sentinel/config.yaml", "policy: "+w.policy+"\n"+w.storeYAML)
	p.addKeys("default", keyID)
	return p
}

func (p *person) writeFile(rel, content string) {
	p.t.Helper()
	path := filepath.Join(p.home, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		p.t.Fatal(err)
	}
}

// env is the person's whole environment: nothing leaks in from the test
// machine but PATH, and AWS is the stand-in on loopback.
func (p *person) env() []string {
	vars := map[string]string{
		"PATH":                        os.Getenv("PATH"),
		"HOME":                        p.home,
		"USER":                        "os-user-is-not-the-identity",
		"XDG_CONFIG_HOME":             filepath.Join(p.home, ".config"),
		"XDG_STATE_HOME":              filepath.Join(p.home, ".local", "state"),
		"XDG_DATA_HOME":               filepath.Join(p.home, ".local", "share"),
		"AWS_CONFIG_FILE":             filepath.Join(p.home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(p.home, ".aws", "credentials"),
		"AWS_ENDPOINT_URL_STS":        p.w.sts.URL(),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"SENTINEL_BACKEND":            "file",
		"SENTINEL_FILE_PASSPHRASE":    passphrase,
		"SENTINEL_STS_TIMEOUT":        "5s",
	}
	for k, v := range p.extra {
		if v == "" {
			delete(vars, k)
		} else {
			vars[k] = v
		}
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// result is what one run of the binary did.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
}

// run runs sentinel with args as the person, with no terminal.
func (p *person) run(args ...string) result {
	p.t.Helper()
	return p.runEnv(nil, args...)
}

func (p *person) runEnv(env map[string]string, args ...string) result {
	p.t.Helper()
	cmd := exec.Command(sentinelBin, args...)
	cmd.Env = p.env()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return p.runCommand(cmd, fmt.Sprintf("sentinel %v", args))
}

// runCommand runs cmd to the end and returns its output and exit code; it
// fails the test when cmd cannot be run at all (what names it).
func (p *person) runCommand(cmd *exec.Cmd, what string) result {
	p.t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		p.t.Fatalf("run %s: %v", what, err)
	}
	return r
}

// mustRun runs sentinel and fails the test unless it exits 0.
func (p *person) mustRun(args ...string) result {
	p.t.Helper()
	r := p.run(args...)
	if r.code != 0 {
		p.t.Fatalf("sentinel %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// mustFail runs sentinel and fails the test unless it exits non-zero with
// one error line (plus an optional hint line) matching want.
func (p *person) mustFail(want string, args ...string) result {
	p.t.Helper()
	r := p.run(args...)
	if r.code == 0 {
		p.t.Fatalf("sentinel %s succeeded, want failure: %s", strings.Join(args, " "), r)
	}
	checkOneLineError(p.t, r.stderr, want)
	return r
}

// checkOneLineError checks that stderr is one "sentinel: ..." line, with
// an optional hint line, matching want, and has no stack trace.
func checkOneLineError(t testing.TB, stderr, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) == 0 || len(lines) > 2 || !strings.HasPrefix(lines[0], "sentinel: ") {
		t.Fatalf("want one error line (and a hint), got:\n%s", stderr)
	}
	if len(lines) == 2 && !strings.HasPrefix(lines[1], "sentinel: hint: ") {
		t.Fatalf("second line is not a hint:\n%s", stderr)
	}
	if !regexp.MustCompile(want).MatchString(stderr) {
		t.Fatalf("stderr does not match %q:\n%s", want, stderr)
	}
	if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
		t.Fatalf("stack trace on stderr:\n%s", stderr)
	}
}

// addKeys stores a key pair for profile with `sentinel add --env`.
func (p *person) addKeys(profile, keyID string) {
	p.t.Helper()
	r := p.runEnv(map[string]string{"AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": fakeSecret}, "add", "--env", profile)
	if r.code != 0 {
		p.t.Fatalf("sentinel add: %s", r)
	}
}

// logPath is the person's decision log.
func (p *person) logPath() string {
	return filepath.Join(p.home, ".local", "state", "sentinel", "decisions.jsonl")
}

// logEntries reads the person's decision log.
func (p *person) logEntries() []map[string]any {
	p.t.Helper()
	f, err := os.Open(p.logPath())
	if err != nil {
		p.t.Fatal(err)
	}
	defer f.Close()
	var entries []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			p.t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		entries = append(entries, e)
	}
	return entries
}

// lastDecision is the newest decision entry of the person's log.
func (p *person) lastDecision() map[string]any {
	p.t.Helper()
	entries := p.logEntries()
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i]["event"] == "decision" {
			return entries[i]
		}
	}
	p.t.Fatal("no decision in the log")
	return nil
}

// envOf parses `env` output into a map.
func envOf(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

// sourceIdentityRE is the SourceIdentity sentinel stamps.
var sourceIdentityRE = regexp.MustCompile(`^sentinel\.[A-Za-z0-9_+=,.@-]+\.(direct|apr-[0-9a-f]+|bg-[0-9a-f]+)\.[0-9a-f]{8,}$`)

// assumeCalls returns the AssumeRole calls the stand-in has seen.
func (w *world) assumeCalls() []fakests.Call { return w.sts.CallsOf("AssumeRole") }

func mustParseTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}
