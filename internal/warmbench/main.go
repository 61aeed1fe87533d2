// Command warmbench measures sentinel's credential_process warm path as a
// whole process: credentials cached in the file keyring, the policy
// allowing, no network call. It runs `sentinel credentials` and a trivial
// baseline program alternately, many times, and reports the medians and
// their ratio. The target is a ratio of at most 4 (issue 17).
//
//	go run ./internal/warmbench -sentinel ./sentinel -runs 200
package main

import (
	"crypto/sha1"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakesso"
	"github.com/sentinel-cli/sentinel/internal/fakests"
)

const target = 4.0

func main() {
	bin := flag.String("sentinel", "./sentinel", "the sentinel binary")
	runs := flag.Int("runs", 200, "runs of each program")
	compare := flag.String("compare", "", "an earlier sentinel binary to measure in the same run, with the same unpinned policy")
	keep := flag.String("setup", "", "only set up a warm HOME in this directory (credentials cached) and print its environment, one variable a line, for profiling the warm path by hand")
	flag.Parse()
	if *keep != "" {
		if err := setUpOnly(*bin, *keep); err != nil {
			fmt.Fprintln(os.Stderr, "warmbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*bin, *compare, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "warmbench:", err)
		os.Exit(1)
	}
}

func run(bin, compare string, runs int) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "warmbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	baseline := filepath.Join(dir, "baseline")
	if out, err := exec.Command("go", "build", "-o", baseline+".link", "./internal/warmbench/baseline").CombinedOutput(); err != nil {
		return fmt.Errorf("build baseline: %v: %s", err, out)
	}
	if err := copyExecutable(baseline+".link", baseline); err != nil {
		return err
	}
	if bin, err = copyIn(bin, filepath.Join(dir, "sentinel")); err != nil {
		return err
	}
	if compare != "" {
		if compare, err = copyIn(compare, filepath.Join(dir, "earlier")); err != nil {
			return err
		}
	}
	sts := fakests.New()
	defer sts.Close()
	smallFile := filepath.Join(dir, "small.json")
	if err := os.WriteFile(smallFile, []byte(`{"hello":"world"}`), 0o600); err != nil {
		return err
	}
	// The programs measured, interleaved run by run so that load on the
	// machine falls on all of them alike.
	progs := []*prog{{name: "baseline (read a file, print JSON)", argv: []string{baseline, smallFile}}}
	sso := fakesso.New()
	defer sso.Close()
	env, err := setUp(filepath.Join(dir, "unpinned"), bin, sts, unpinnedPolicy, sso)
	if err != nil {
		return err
	}
	progs = append(progs,
		&prog{name: "sentinel credentials dev (cached)", argv: []string{bin, "credentials", "dev"}, env: env},
		&prog{name: "the same for an SSO profile (sso-dev)", argv: []string{bin, "credentials", "sso-dev"}, env: env})
	if env, err = setUp(filepath.Join(dir, "pinned"), bin, sts, pinnedPolicy, nil); err != nil {
		return err
	}
	progs = append(progs, &prog{name: "the same, policy with profiles: pins", argv: []string{bin, "credentials", "dev"}, env: env})
	if compare != "" {
		old, err := filepath.Abs(compare)
		if err != nil {
			return err
		}
		if env, err = setUp(filepath.Join(dir, "compare"), old, sts, unpinnedPolicy, nil); err != nil {
			return err
		}
		progs = append(progs, &prog{name: "earlier binary, same unpinned policy", argv: []string{old, "credentials", "dev"}, env: env})
	}
	for _, p := range progs {
		if p.env == nil {
			p.env = progs[1].env
		}
	}
	// Warm up every program (page cache, keyring, credentials cache).
	for i := 0; i < 5; i++ {
		for _, p := range progs {
			if _, err := timeRun(p.argv, p.env); err != nil {
				return err
			}
		}
	}
	before, ssoBefore := len(sts.Calls()), sso.TotalCalls()
	for i := 0; i < runs; i++ {
		for _, p := range progs {
			d, err := timeRun(p.argv, p.env)
			if err != nil {
				return err
			}
			p.times = append(p.times, d)
		}
	}
	if calls := len(sts.Calls()) - before; calls != 0 {
		return fmt.Errorf("the warm path made %d STS calls", calls)
	}
	if calls := sso.TotalCalls() - ssoBefore; calls != 0 {
		return fmt.Errorf("the warm SSO path made %d SSO calls", calls)
	}
	mb := median(progs[0].times)
	fmt.Printf("warm credential_process, %d runs each, interleaved, file keyring backend\n", runs)
	for i, p := range progs {
		m := median(p.times)
		line := fmt.Sprintf("  %-40s median %-12v p90 %v", p.name+":", m, pct(p.times, 0.9))
		if i > 0 {
			line += fmt.Sprintf("  ratio %.2fx", float64(m)/float64(mb))
		}
		fmt.Println(line)
	}
	ratio := float64(median(progs[1].times)) / float64(mb)
	fmt.Printf("  SSO against stored keys: %.2fx (target <= 1.10x)\n", float64(median(progs[2].times))/float64(median(progs[1].times)))
	fmt.Printf("  ratio of medians (unpinned): %.2fx (target <= %.0fx): %s\n", ratio, target, verdict(ratio))
	if compare != "" {
		old := float64(median(progs[len(progs)-1].times)) / float64(mb)
		fmt.Printf("  this binary against the earlier one: %.2fx vs %.2fx, %+.1f%%\n", ratio, old, 100*(ratio-old)/old)
	}
	return nil
}

// setUpOnly sets up a warm HOME in dir with the unpinned policy, runs
// `credentials dev` once so the credentials are cached (the STS stand-in is
// gone afterwards: a warm run needs none), and prints the environment.
func setUpOnly(bin, dir string) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	sts := fakests.New()
	defer sts.Close()
	env, err := setUp(dir, bin, sts, unpinnedPolicy, nil)
	if err != nil {
		return err
	}
	if _, err := timeRun([]string{bin, "credentials", "dev"}, env); err != nil {
		return err
	}
	for _, v := range env {
		fmt.Println(v)
	}
	return nil
}

// prog is one program the benchmark runs, and its timings.
type prog struct {
	name  string
	argv  []string
	env   []string
	times []time.Duration
}

const unpinnedPolicy = "version: \"1\"\nrules:\n  - name: other-RULE\n    effect: deny\n    conditions:\n      profiles: [other-RULE]\n" +
	"  - name: dev\n    effect: allow\n    conditions:\n      profiles: [dev, sso-dev]\n"

const pinnedPolicy = "version: \"1\"\naccounts: [\"111122223333\"]\nprofiles:\n  dev: {role_arn: \"arn:aws:iam::111122223333:role/dev\"}\n" +
	"rules:\n  - name: other-RULE\n    effect: deny\n    conditions:\n      profiles: [other-RULE]\n" +
	"  - name: dev\n    effect: allow\n    conditions:\n      profiles: [dev]\n      users: [bench]\n"

func verdict(ratio float64) string {
	if ratio <= target {
		return "within target"
	}
	return "OVER TARGET"
}

// setUp makes a HOME with an AWS config, a policy, a file keyring holding
// fake keys, and one cold run so the credentials are cached.
func setUp(dir, bin string, sts *fakests.Server, policy string, sso *fakesso.Server) ([]string, error) {
	home := filepath.Join(dir, "home")
	sts.AddUser("AKIAFAKEBENCH0001", "arn:aws:iam::111122223333:user/bench", "111122223333")
	files := map[string]string{
		".aws/config":                  "[default]\nregion = eu-west-1\n\n[profile dev]\nsource_profile = default\nrole_arn = arn:aws:iam::111122223333:role/dev\n",
		".config/sentinel/policy.yaml": policy,
	}
	var ssoEnv []string
	if sso != nil {
		// An IAM Identity Center sign-in as the AWS CLI leaves it, and role
		// credentials the STS stand-in accepts.
		sso.AssignRole("111122223333", "AdministratorAccess")
		sso.SetCredentialsLifetime(8 * time.Hour)
		sso.OnRoleCredentials(func(rc fakesso.RoleCredentials) {
			sts.AddSession(rc.AccessKeyID, rc.SessionToken, rc.ARN, rc.RoleARN, rc.AccountID, rc.Expiration)
		})
		expires := time.Now().Add(8 * time.Hour).UTC().Truncate(time.Second)
		sso.AddToken("bench-sso-token", expires)
		files[".aws/config"] += "\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n" +
			"\n[profile sso-dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = AdministratorAccess\nregion = eu-west-1\n"
		files[fmt.Sprintf(".aws/sso/cache/%x.json", sha1.Sum([]byte("corp")))] = `{"startUrl":"https://example.awsapps.com/start","region":"eu-west-1","accessToken":"bench-sso-token","expiresAt":"` + expires.Format(time.RFC3339) + `"}`
		ssoEnv = []string{"AWS_ENDPOINT_URL_SSO_OIDC=" + sso.URL(), "AWS_ENDPOINT_URL_SSO=" + sso.URL()}
	}
	for rel, content := range files {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			return nil, err
		}
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, ".aws", "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"),
		"AWS_ENDPOINT_URL_STS=" + sts.URL(), "AWS_EC2_METADATA_DISABLED=true",
		"SENTINEL_BACKEND=file", "SENTINEL_FILE_PASSPHRASE=bench-only-passphrase",
	}
	env = append(env, ssoEnv...)
	env = append(env, ssoEnv...)
	add := exec.Command(bin, "add", "--env", "default")
	add.Env = append(env, "AWS_ACCESS_KEY_ID=AKIAFAKEBENCH0001", "AWS_SECRET_ACCESS_KEY=bench-secret-not-real")
	if out, err := add.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("sentinel add: %v: %s", err, out)
	}
	return env, nil
}

func timeRun(argv []string, env []string) (time.Duration, error) {
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

// copyIn copies the binary at path to dst and returns dst. Every program
// measured is a copy written the same way: a file just written by the Go
// linker (which writes through a memory map) starts measurably slower from
// the page cache than the same bytes written by cp or an installer (here,
// 1.3 ms of an 8 ms warm run), so a `make build` output measured against
// an earlier binary copied elsewhere was at a disadvantage it never has
// once installed.
func copyIn(path, dst string) (string, error) {
	src, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return dst, copyExecutable(src, dst)
}

// copyExecutable writes src's bytes to a new executable file dst with
// write(2).
func copyExecutable(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o700)
}
