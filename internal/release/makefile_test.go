package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestMakeHelpListsEveryTarget: `make help` prints the targets that carry
// a "## what it does" comment, so a target without one is invisible to a
// new user reading `make help`; every target must have one.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):.*## \S`).FindAllStringSubmatch(string(data), -1) {
		described[m[1]] = true
	}
	for _, target := range makeTargets(t) {
		if !described[target] {
			t.Errorf("make help does not list %s: give it a \"## what it does\" comment", target)
		}
	}
}

// TestMakeUnitLetsMissingServicesSkip: CI runs `make unit` on macOS and
// Windows, where DynamoDB Local, the AWS CLI and the Lambda emulator are
// not installed, so their tests must skip there; only `make test` (the
// full run on Linux) demands them. The test runs `make unit` with a
// stand-in go command that prints the environment it was given.
func TestMakeUnitLetsMissingServicesSkip(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	fakeGo := filepath.Join(t.TempDir(), "go")
	script := "#!/bin/sh\n[ \"$1\" = test ] && env | grep '^SENTINEL_REQUIRE_' | sed 's/^/ENV /'\nexit 0\n"
	if err := os.WriteFile(fakeGo, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "-s", "-C", root(t), "unit", "GO="+fakeGo)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SENTINEL_REQUIRE_") && !strings.HasPrefix(kv, "CI=") && !strings.HasPrefix(kv, "MAKEFLAGS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make unit: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "ENV "); ok && !strings.HasSuffix(v, "=") {
			t.Errorf("make unit runs the tests with %s: on macOS and Windows they fail instead of skipping", v)
		}
	}
	// make test still demands them, on the command that runs the tests.
	out, err = exec.Command("make", "-n", "-C", root(t), "test").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n test: %v\n%s", err, out)
	}
	var testLine string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, " test -race ") {
			testLine = line
		}
	}
	for _, v := range []string{"SENTINEL_REQUIRE_DYNAMODB=1", "SENTINEL_REQUIRE_AWSCLI=1", "SENTINEL_REQUIRE_LAMBDA_RIE=1"} {
		if !strings.Contains(testLine, v) {
			t.Errorf("make test runs %q without %s", testLine, v)
		}
	}
}

// TestDocsMakeTargetsExist: every `make TARGET` the README and docs/ tell
// people to run (in backticks, or as a command line of a shell block) is a
// target of the Makefile.
func TestDocsMakeTargetsExist(t *testing.T) {
	targets := makeTargets(t)
	files, err := filepath.Glob(filepath.Join(root(t), "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(root(t), "README.md"))
	inline := regexp.MustCompile("`make ([a-z][a-z0-9-]*)")
	line := regexp.MustCompile(`(?m)^\s*(?:[A-Z_]+=\S+\s+)*make ([a-z][a-z0-9-]*)`)
	seen := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []*regexp.Regexp{inline, line} {
			for _, m := range re.FindAllStringSubmatch(string(data), -1) {
				seen++
				if !slices.Contains(targets, m[1]) {
					t.Errorf("%s names make %s, which the Makefile does not define", filepath.Base(f), m[1])
				}
			}
		}
	}
	if seen < 10 {
		t.Errorf("found only %d make commands in the docs; is the extraction broken?", seen)
	}
}
