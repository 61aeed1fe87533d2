//go:build !unix

package dynamolocal

import "os/exec"

// configureProcess does nothing on systems without process groups.
func configureProcess(cmd *exec.Cmd) {}

// signalGroup kills the child process; without process groups there is no
// gentler way that works everywhere.
func signalGroup(cmd *exec.Cmd, kill bool) {
	_ = cmd.Process.Kill()
}
