package lambdarie

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrUnavailable means the emulator is not installed. Callers decide
// whether that skips their tests or fails them (see Required).
var ErrUnavailable = errors.New("the AWS Lambda Runtime Interface Emulator (aws-lambda-rie) is not available")

// binaryName is the emulator's command name.
const binaryName = "aws-lambda-rie"

// Required reports whether the environment demands the emulator:
// SENTINEL_REQUIRE_LAMBDA_RIE=1 (the Makefile sets it) or CI. Tests must
// then fail rather than skip, so that a missing install step cannot pass
// silently.
func Required() bool {
	if os.Getenv("SENTINEL_REQUIRE_LAMBDA_RIE") == "1" {
		return true
	}
	ci := os.Getenv("CI")
	return ci != "" && ci != "false" && ci != "0"
}

// Locate finds the emulator: bin/aws-lambda-rie under the repository root
// (where `make deps` installs the pinned version), else on PATH.
func Locate() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	local := filepath.Join(root, "bin", binaryName)
	if fi, err := os.Stat(local); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return local, nil
	}
	if p, err := exec.LookPath(binaryName); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%w: no %s: run `make deps` (scripts/install-test-deps.sh) in %s", ErrUnavailable, local, root)
}

// repoRoot walks up from the working directory to the first directory that
// holds a go.mod file.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no go.mod in any parent of the working directory")
		}
		dir = parent
	}
}
