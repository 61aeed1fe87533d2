//go:build unix

package cli

import (
	"fmt"
	"syscall"
)

// runCommand replaces sentinel with the command (execve), so that signals
// and the terminal belong to the command and its exit code is the exit code.
func runCommand(path string, args, env []string) error {
	if err := syscall.Exec(path, args, env); err != nil {
		return fmt.Errorf("exec %s: %w", path, err)
	}
	return nil
}
