package lambdarie

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Build compiles the main package pkg (an import path or a path relative
// to the working directory) into dir/bootstrap, as for a provided.al2023
// function: -trimpath, and with the lambda.norpc tag, which leaves out the
// RPC mode only the retired go1.x runtime used. cgo stays as the
// environment has it: the keyring's 1Password backend needs it, so
// sentinel does not build with CGO_ENABLED=0.
func Build(ctx context.Context, pkg, dir string) (string, error) {
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, pkg)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build bootstrap from %s: %w: %s", pkg, err, strings.TrimSpace(string(msg)))
	}
	return out, nil
}
