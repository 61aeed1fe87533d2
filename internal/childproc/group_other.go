//go:build !unix

package childproc

import "os/exec"

// Configure does nothing on systems without process groups.
func Configure(cmd *exec.Cmd) {}

// signalGroup kills the child process; without process groups there is no
// gentler way that works everywhere.
func signalGroup(cmd *exec.Cmd, kill bool) {
	_ = cmd.Process.Kill()
}
