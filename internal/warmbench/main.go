// Command warmbench measures sentinel's credential_process warm path as a
// whole process: credentials cached in the file keyring, the policy
// allowing, no network call. It runs `sentinel credentials` and a trivial
// baseline program alternately, many times, and reports the medians and
// their ratio. The target is a ratio of at most 5. It also runs
// `sentinel credentials` for an IAM Identity Center profile, whose warm
// path must cost the same as the stored-keys profile's within 10%.
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
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakesso"
	"github.com/sentinel-cli/sentinel/internal/fakests"
)

const (
	target    = 5.0
	ssoTarget = 1.10
)

func main() {
	bin := flag.String("sentinel", "./sentinel", "the sentinel binary")
	runs := flag.Int("runs", 200, "runs of each program")
	flag.Parse()
	if err := run(*bin, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "warmbench:", err)
		os.Exit(1)
	}
}

func run(bin string, runs int) error {
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
	if out, err := exec.Command("go", "build", "-o", baseline, "./internal/warmbench/baseline").CombinedOutput(); err != nil {
		return fmt.Errorf("build baseline: %v: %s", err, out)
	}
	sts := fakests.New()
	defer sts.Close()
	sso := fakesso.New()
	defer sso.Close()
	env, err := setUp(dir, bin, sts, sso)
	if err != nil {
		return err
	}
	smallFile := filepath.Join(dir, "small.json")
	if err := os.WriteFile(smallFile, []byte(`{"hello":"world"}`), 0o600); err != nil {
		return err
	}

	sentinelCmd := []string{bin, "credentials", "dev"}
	ssoCmd := []string{bin, "credentials", "sso-dev"}
	baselineCmd := []string{baseline, smallFile}
	// Warm up all three (page cache, keyring, credentials cache).
	for i := 0; i < 5; i++ {
		for _, c := range [][]string{sentinelCmd, ssoCmd, baselineCmd} {
			if _, err := timeRun(c, env); err != nil {
				return err
			}
		}
	}
	before, ssoBefore := len(sts.Calls()), sso.TotalCalls()
	var s, b, o []time.Duration
	for i := 0; i < runs; i++ {
		d, err := timeRun(baselineCmd, env)
		if err != nil {
			return err
		}
		b = append(b, d)
		if d, err = timeRun(sentinelCmd, env); err != nil {
			return err
		}
		s = append(s, d)
		if d, err = timeRun(ssoCmd, env); err != nil {
			return err
		}
		o = append(o, d)
	}
	if calls := len(sts.Calls()) - before; calls != 0 {
		return fmt.Errorf("the warm path made %d STS calls", calls)
	}
	if calls := sso.TotalCalls() - ssoBefore; calls != 0 {
		return fmt.Errorf("the warm path of the SSO profile made %d IAM Identity Center calls", calls)
	}
	ms, mb := median(s), median(b)
	ratio := float64(ms) / float64(mb)
	fmt.Printf("warm credential_process, %d runs each, file keyring backend\n", runs)
	fmt.Printf("  baseline (read a file, print JSON): median %v  p90 %v\n", mb, pct(b, 0.9))
	fmt.Printf("  sentinel credentials dev (cached):  median %v  p90 %v\n", ms, pct(s, 0.9))
	fmt.Printf("  ratio of medians: %.2fx (target <= %.0fx): %s\n", ratio, target, verdict(ratio, target))
	mo := median(o)
	ssoRatio := float64(mo) / float64(ms)
	fmt.Printf("  sentinel credentials sso-dev (IAM Identity Center, cached): median %v  p90 %v\n", mo, pct(o, 0.9))
	fmt.Printf("  SSO vs stored keys, ratio of medians: %.3fx (target <= %.2fx): %s\n", ssoRatio, ssoTarget, verdict(ssoRatio, ssoTarget))
	return nil
}

func verdict(ratio, target float64) string {
	if ratio <= target {
		return "within target"
	}
	return "OVER TARGET"
}

// setUp makes a HOME with an AWS config, a policy, a file keyring holding
// fake keys, and one cold run so the credentials are cached.
func setUp(dir, bin string, sts *fakests.Server, sso *fakesso.Server) ([]string, error) {
	home := filepath.Join(dir, "home")
	sts.AddUser("AKIAFAKEBENCH0001", "arn:aws:iam::111122223333:user/bench", "111122223333")
	// An IAM Identity Center sign-in as the AWS CLI leaves it, and role
	// credentials the STS stand-in accepts.
	sso.AssignRole("111122223333", "AdministratorAccess")
	sso.SetCredentialsLifetime(8 * time.Hour)
	sso.OnRoleCredentials(func(rc fakesso.RoleCredentials) {
		sts.AddSession(rc.AccessKeyID, rc.SessionToken, rc.ARN, rc.RoleARN, rc.AccountID, rc.Expiration)
	})
	expires := time.Now().Add(8 * time.Hour).UTC().Truncate(time.Second)
	sso.AddToken("bench-sso-token", expires)
	tokenFile := fmt.Sprintf(".aws/sso/cache/%x.json", sha1.Sum([]byte("corp")))
	files := map[string]string{
		".aws/config": "[default]\nregion = eu-west-1\n\n[profile dev]\nsource_profile = default\nrole_arn = arn:aws:iam::111122223333:role/dev\n" +
			"\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n" +
			"\n[profile sso-dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = AdministratorAccess\nregion = eu-west-1\n",
		tokenFile: `{"startUrl":"https://example.awsapps.com/start","region":"eu-west-1","accessToken":"bench-sso-token","expiresAt":"` + expires.Format(time.RFC3339) + `"}`,
		".config/sentinel/policy.yaml": "version: \"1\"\nrules:\n" + strings.Repeat("  - name: other-RULE\n    effect: deny\n    conditions:\n      profiles: [other-RULE]\n", 1) +
			"  - name: dev\n    effect: allow\n    conditions:\n      profiles: [dev, sso-dev]\n",
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
		"AWS_ENDPOINT_URL_SSO_OIDC=" + sso.URL(), "AWS_ENDPOINT_URL_SSO=" + sso.URL(),
		"SENTINEL_BACKEND=file", "SENTINEL_FILE_PASSPHRASE=bench-only-passphrase",
	}
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
