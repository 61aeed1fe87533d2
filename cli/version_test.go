package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/internal/buildtags"
)

func TestResolveVersion(t *testing.T) {
	vcs := func(rev, when, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: when}, {Key: "vcs.modified", Value: modified}}
	}
	rev := "0123456789abcdef0123456789abcdef01234567"
	platform := runtime.GOOS + "/" + runtime.GOARCH
	for _, tc := range []struct {
		name                  string
		version, commit, date string
		info                  *debug.BuildInfo
		want                  string
	}{
		{"stamped by make", "v1.2.3", "abcdef012345", "1700000000", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2020-01-01T00:00:00Z", "false")},
			"sentinel v1.2.3 (commit abcdef012345, built 2023-11-14T22:13:20Z, go1.26.8, " + platform + ")"},
		{"go install module@version", "", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}},
			"sentinel v1.4.0 (commit unknown, built unknown, go1.26.8, " + platform + ")"},
		{"build in a checkout", "", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-01T10:00:00Z", "false")},
			"sentinel devel (commit 0123456789ab, built 2026-12-01T10:00:00Z, go1.26.8, " + platform + ")"},
		{"build in a modified checkout", "", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-01T10:00:00Z", "true")},
			"sentinel devel (commit 0123456789ab-dirty, built 2026-12-01T10:00:00Z, go1.26.8, " + platform + ")"},
		{"nothing recorded (-buildvcs=false)", "", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"sentinel devel (commit unknown, built unknown, go1.26.8, " + platform + ")"},
		{"no build info", "", "", "", nil,
			"sentinel devel (commit unknown, built unknown, " + runtime.Version() + ", " + platform + ")"},
		{"the stamp wins over the module version", "v2.0.0", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: vcs(rev, "2026-12-01T10:00:00Z", "false")},
			"sentinel v2.0.0 (commit 0123456789ab, built 2026-12-01T10:00:00Z, go1.26.8, " + platform + ")"},
		{"a date stamp that is no epoch is shown as it is", "v1", "c", "yesterday", nil,
			"sentinel v1 (commit c, built yesterday, " + runtime.Version() + ", " + platform + ")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolveVersion(tc.version, tc.commit, tc.date, tc.info).String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestVersionStampPaths builds the binary the ways people get it and runs
// --version: stamped by ldflags as make does, and plain with the VCS
// recorded (this machine's GOFLAGS say -buildvcs=false, so the test turns it
// on explicitly) and without.
func TestVersionStampPaths(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	gitDir, err := os.Stat(filepath.Join(root, ".git"))
	if err != nil {
		t.Skip("not a git checkout")
	}
	head := strings.TrimSpace(runTool(t, root, nil, "git", "rev-parse", "HEAD"))
	dir := t.TempDir()
	bin := filepath.Join(dir, "sentinel")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	platform := regexp.QuoteMeta(runtime.GOOS + "/" + runtime.GOARCH)
	for _, tc := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"ldflags stamp", []string{"-buildvcs=false", "-ldflags", "-X github.com/sentinel-cli/sentinel/cli.Version=v9.8.7 -X github.com/sentinel-cli/sentinel/cli.Commit=feedface1234 -X github.com/sentinel-cli/sentinel/cli.Date=1700000000"},
			`^sentinel v9\.8\.7 \(commit feedface1234, built 2023-11-14T22:13:20Z, go[0-9.]+, ` + platform + `\)$`},
		{"vcs recorded", []string{"-buildvcs=true"},
			// Go 1.24 and later also stamp the module version from VCS: a
			// pseudo-version (v0.0.0-TIME-REVISION) or the tag at HEAD.
			`^sentinel (devel|v[0-9]\S*) \(commit ` + head[:12] + `(-dirty)?, built 20[0-9-]+T[0-9:]+Z, go[0-9.]+, ` + platform + `\)$`},
		{"nothing recorded", []string{"-buildvcs=false"},
			`^sentinel devel \(commit unknown, built unknown, go[0-9.]+, ` + platform + `\)$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if slices.Contains(tc.flags, "-buildvcs=true") && !gitDir.IsDir() {
				// The go command finds a repository by a .git directory; a
				// git worktree has a .git file, and go records nothing.
				t.Skip("a git worktree: the go command records no VCS information here")
			}
			args := append([]string{"build", "-trimpath", "-tags", buildtags.Flag(), "-o", bin}, tc.flags...)
			runTool(t, root, nil, "go", append(args, ".")...)
			out := strings.TrimSpace(runTool(t, root, nil, bin, "--version"))
			if !regexp.MustCompile(tc.want).MatchString(out) {
				t.Errorf("--version printed %q, want %s", out, tc.want)
			}
			if v := strings.TrimSpace(runTool(t, root, nil, bin, "version")); v != out {
				t.Errorf("version printed %q, --version %q", v, out)
			}
		})
	}
}

func runTool(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}
