package lambdarie

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/sentinel-cli/sentinel/internal/childproc"
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
func Required() bool { return childproc.Required("SENTINEL_REQUIRE_LAMBDA_RIE") }

// Locate finds the emulator: bin/aws-lambda-rie under the repository root
// (where `make deps` installs the pinned version), else on PATH.
func Locate() (string, error) {
	root, err := childproc.RepoRoot()
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
