//go:build unix

package childproc

import (
	"os/exec"
	"syscall"
)

// Configure puts the child in a process group of its own, so that Stop
// signals it and anything it spawned together, and (on Linux) asks the
// kernel to kill it if the test binary dies without calling Stop (a panic
// or a -timeout), so that no child outlives its tests.
func Configure(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)
}

// signalGroup sends SIGTERM (or SIGKILL when kill is set) to the child's
// process group. Errors are ignored: the group may already be gone.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
