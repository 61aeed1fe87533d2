package release

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sentinel-cli/sentinel/internal/buildtags"
)

// workflow is the part of a GitHub Actions workflow the checks read.
type workflow struct {
	Name string         `yaml:"name"`
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		RunsOn string `yaml:"runs-on"`
		Steps  []struct {
			Uses string `yaml:"uses"`
			Run  string `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// makeTargets are the targets the Makefile defines.
func makeTargets(t *testing.T) []string {
	data, err := os.ReadFile(filepath.Join(root(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`).FindAllStringSubmatch(string(data), -1) {
		targets = append(targets, m[1])
	}
	return targets
}

// TestWorkflows: each workflow parses, has a trigger and jobs whose steps
// all run something, and every `make TARGET` it runs is a target of the
// Makefile; ci.yml runs make test, release.yml make dist and dist-darwin.
func TestWorkflows(t *testing.T) {
	targets := makeTargets(t)
	for _, want := range []string{"build", "test", "unit", "tools", "dist", "dist-darwin", "dist-check", "lambda"} {
		if !slices.Contains(targets, want) {
			t.Fatalf("Makefile has no %s target (has %v)", want, targets)
		}
	}
	// make at the start of a command (not "apt-get install make git").
	makeRun := regexp.MustCompile(`(?m)(?:^|&&|\|\||;)\s*make ([a-z][a-z0-9-]*)`)
	for file, wantTargets := range map[string][]string{
		"ci.yml":      {"test", "unit"},
		"release.yml": {"dist", "dist-darwin", "tools"},
	} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root(t), ".github", "workflows", file))
			if err != nil {
				t.Fatal(err)
			}
			var w workflow
			if err := yaml.Unmarshal(data, &w); err != nil {
				t.Fatalf("parse: %v", err)
			}
			if w.Name == "" || len(w.On) == 0 || len(w.Jobs) == 0 {
				t.Fatalf("want a name, a trigger and jobs: %+v", w)
			}
			var used []string
			for name, job := range w.Jobs {
				if job.RunsOn == "" || len(job.Steps) == 0 {
					t.Errorf("job %s: no runs-on or no steps", name)
				}
				for i, s := range job.Steps {
					if (s.Uses == "") == (s.Run == "") {
						t.Errorf("job %s step %d: want exactly one of uses and run", name, i)
					}
					for _, m := range makeRun.FindAllStringSubmatch(s.Run, -1) {
						used = append(used, m[1])
						if !slices.Contains(targets, m[1]) {
							t.Errorf("job %s runs make %s, which the Makefile does not define", name, m[1])
						}
					}
				}
			}
			for _, want := range wantTargets {
				if !slices.Contains(used, want) {
					t.Errorf("%s never runs make %s", file, want)
				}
			}
		})
	}
}

// TestReadmeInstall: the README's go install line carries the tag set (go
// install ignores tags it is not given), and the install section covers
// the archives with their checksums, Homebrew and the packages.
func TestReadmeInstall(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	var install string
	for _, line := range strings.Split(readme, "\n") {
		if strings.Contains(line, "go install ") && strings.Contains(line, "github.com/sentinel-cli/sentinel@") {
			install = line
		}
	}
	if install == "" || !strings.Contains(install, "-tags "+buildtags.Flag()) {
		t.Errorf("README's go install line %q lacks -tags %s", install, buildtags.Flag())
	}
	for _, want := range []string{"SHA256SUMS", "sha256sum", "brew install", ".deb", ".rpm", "xattr -d com.apple.quarantine"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README's install section lacks %q", want)
		}
	}
}

// TestCIInstallsCfnLint: make test runs scripts/cfn-lint.sh, which checks
// for cfn-lint of one major.minor line and fails without it; it is not
// installed by make deps (it comes with a machine's Python), so the CI job
// that runs make test must install that line itself.
func TestCIInstallsCfnLint(t *testing.T) {
	script, err := os.ReadFile(filepath.Join(root(t), "scripts", "cfn-lint.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`want=\$\{CFN_LINT_VERSION:-([0-9.]+)\}`).FindSubmatch(script)
	if m == nil {
		t.Fatal("scripts/cfn-lint.sh: no want=${CFN_LINT_VERSION:-X.Y} line")
	}
	want := "cfn-lint==" + string(m[1])
	data, err := os.ReadFile(filepath.Join(root(t), ".github", "workflows", "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	makeTest := regexp.MustCompile(`(?m)(?:^|&&|;)\s*make test\b`)
	found := false
	for name, job := range w.Jobs {
		runsTest, installs := false, false
		for _, s := range job.Steps {
			if makeTest.MatchString(s.Run) {
				runsTest = true
				if !installs {
					t.Errorf("job %s runs make test before any step installs %s", name, want)
				}
			}
			if strings.Contains(s.Run, want) {
				installs = true
			}
		}
		found = found || runsTest
	}
	if !found {
		t.Error("ci.yml never runs make test")
	}
}

// TestWorkflowsPinTheGoRelease: releases and CI build with the Go release
// the runbook pins (GOTOOLCHAIN=goX.Y.Z in docs/deploy.md), patch and all:
// setup-go reads only the go directive of go.mod (go 1.26.0, the language
// version), so go-version-file would build releases with the first
// release of the line and none of its security fixes.
func TestWorkflowsPinTheGoRelease(t *testing.T) {
	deploy, err := os.ReadFile(filepath.Join(root(t), "docs", "deploy.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`GOTOOLCHAIN=go(\d+\.\d+\.\d+)`).FindSubmatch(deploy)
	if m == nil {
		t.Fatal("docs/deploy.md pins no GOTOOLCHAIN=goX.Y.Z")
	}
	want := string(m[1])
	for _, file := range []string{"ci.yml", "release.yml"} {
		data, err := os.ReadFile(filepath.Join(root(t), ".github", "workflows", file))
		if err != nil {
			t.Fatal(err)
		}
		var w struct {
			Jobs map[string]struct {
				Steps []struct {
					Uses string            `yaml:"uses"`
					With map[string]string `yaml:"with"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(data, &w); err != nil {
			t.Fatal(err)
		}
		for name, job := range w.Jobs {
			for _, s := range job.Steps {
				if !strings.HasPrefix(s.Uses, "actions/setup-go@") {
					continue
				}
				if got := s.With["go-version"]; got != want {
					t.Errorf("%s job %s: setup-go go-version %q (go-version-file %q), want %s as docs/deploy.md pins", file, name, got, s.With["go-version-file"], want)
				}
			}
		}
	}
}
