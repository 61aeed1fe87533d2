package lambdarie

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sentinel-cli/sentinel/internal/childproc"
)

// Build compiles the main package pkg (an import path, or a directory
// relative to the working directory) into dir/bootstrap for this machine's
// architecture, with the recipe `make lambda` uses for the release
// (scripts/build-lambda.sh): static (CGO_ENABLED=0) for provided.al2023,
// -trimpath, the project's build tags (lambda.norpc among them). So the
// emulator tests run what is deployed, only for the host's architecture: an
// arm64 binary does not run on an x86_64 host.
func Build(ctx context.Context, pkg, dir string) (string, error) {
	root, err := childproc.RepoRoot()
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(pkg, "./") || strings.HasPrefix(pkg, "../") {
		if pkg, err = filepath.Abs(pkg); err != nil {
			return "", err
		}
	} else if pkg == "github.com/sentinel-cli/sentinel" {
		pkg = "."
	}
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "build-lambda.sh"), runtime.GOARCH, dir, pkg)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build bootstrap from %s: %w: %s", pkg, err, strings.TrimSpace(string(msg)))
	}
	return filepath.Join(dir, "bootstrap"), nil
}
