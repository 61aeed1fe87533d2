//go:build !unix

package lambdarie

import "os/exec"

// configureProcess does nothing here: there are no process groups.
func configureProcess(cmd *exec.Cmd) {}

// signalGroup ends the emulator itself.
func signalGroup(cmd *exec.Cmd, kill bool) {
	_ = cmd.Process.Kill()
}
