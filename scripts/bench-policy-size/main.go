// Command bench-policy-size measures what a large policy costs the warm
// `sentinel credentials` path, as a whole process: the same cached
// credentials, once under a 10-rule, 10-profile policy and once under a
// 10,000-rule, 10,000-profile one (policy/policygen, about 1.8 MB), run
// alternately, medians of many runs and their ratio. The target is 1.15x.
//
//	make build && go run ./scripts/bench-policy-size -sentinel ./sentinel -runs 100
//
// Everything is offline: the STS stand-in on 127.0.0.1, a file keyring in
// a temporary HOME, no instance metadata.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/policy/policygen"
)

const target = 1.15

func main() {
	bin := flag.String("sentinel", "./sentinel", "the sentinel binary")
	runs := flag.Int("runs", 100, "runs of each policy size")
	large := flag.Int("rules", 10000, "rules and profiles of the large policy")
	flag.Parse()
	if err := run(*bin, *runs, *large); err != nil {
		fmt.Fprintln(os.Stderr, "bench-policy-size:", err)
		os.Exit(1)
	}
}

// setup is one HOME: a policy of n rules and n profiles, an AWS profile
// for rule n-2 (which allows its user on its pinned role), and cached
// credentials.
type setup struct {
	name    string
	argv    []string
	env     []string
	times   []time.Duration
	profile string
}

func run(bin string, runs, large int) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-policy-size-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sts := fakests.New()
	defer sts.Close()
	var setups []*setup
	for _, n := range []int{10, large} {
		s, err := newSetup(filepath.Join(dir, fmt.Sprint(n)), bin, sts, n)
		if err != nil {
			return err
		}
		setups = append(setups, s)
	}
	for range 3 {
		for _, s := range setups {
			if _, err := timeRun(s.argv, s.env); err != nil {
				return err
			}
		}
	}
	before := len(sts.Calls())
	for range runs {
		for _, s := range setups {
			d, err := timeRun(s.argv, s.env)
			if err != nil {
				return err
			}
			s.times = append(s.times, d)
		}
	}
	if calls := len(sts.Calls()) - before; calls != 0 {
		return fmt.Errorf("the warm path made %d STS calls", calls)
	}
	small := median(setups[0].times)
	fmt.Printf("warm `sentinel credentials`, %d runs each, interleaved, file keyring backend\n", runs)
	for _, s := range setups {
		m := median(s.times)
		fmt.Printf("  %-36s median %-12v p90 %-12v ratio %.2fx\n", s.name+":", m, pct(s.times, 0.9), float64(m)/float64(small))
	}
	ratio := float64(median(setups[1].times)) / float64(small)
	verdict := "within target"
	if ratio > target {
		verdict = "OVER TARGET"
	}
	fmt.Printf("  large against small policy: %.2fx (target <= %.2fx): %s\n", ratio, target, verdict)
	return nil
}

func newSetup(dir, bin string, sts *fakests.Server, n int) (*setup, error) {
	home := filepath.Join(dir, "home")
	i := n - 2
	profile := policygen.Profile(i)
	key := fmt.Sprintf("AKIAFAKEPOLICY%05d", n%100000)
	sts.AddUser(key, policygen.UserARN(i), policygen.Account)
	files := map[string][]byte{
		".aws/config":                  []byte("[default]\nregion = eu-west-1\n\n[profile " + profile + "]\nsource_profile = default\nrole_arn = " + policygen.RoleARN(i) + "\n"),
		".config/sentinel/policy.yaml": policygen.Policy(n, n),
	}
	for rel, content := range files {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, content, 0o600); err != nil {
			return nil, err
		}
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, ".aws", "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"),
		"AWS_ENDPOINT_URL_STS=" + sts.URL(), "AWS_EC2_METADATA_DISABLED=true",
		"SENTINEL_BACKEND=file", "SENTINEL_FILE_PASSPHRASE=bench-only-passphrase",
	}
	add := exec.Command(bin, "add", "--env", "default")
	add.Env = append(env, "AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY=bench-secret-not-real")
	if out, err := add.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("sentinel add: %v: %s", err, out)
	}
	return &setup{name: fmt.Sprintf("%d rules, %d profiles", n, n), argv: []string{bin, "credentials", profile}, env: env, profile: profile}, nil
}

func timeRun(argv, env []string) (time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("%s: %v: %s", argv[0], err, out)
	}
	return d, nil
}

func median(ds []time.Duration) time.Duration { return pct(ds, 0.5) }

func pct(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(p*float64(len(s)-1))]
}
