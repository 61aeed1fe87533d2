//go:build unix

package lambdarie

import (
	"os/exec"
	"syscall"
)

// configureProcess puts the emulator in a process group of its own, so
// that Stop ends it and the bootstrap it started together.
func configureProcess(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(cmd.SysProcAttr)
}

// signalGroup sends SIGTERM (or SIGKILL when kill is set) to the
// emulator's process group. Errors are ignored: it may be gone already.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
