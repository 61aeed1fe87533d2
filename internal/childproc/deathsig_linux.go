package childproc

import "syscall"

// setParentDeathSignal asks Linux to kill the child when the test binary
// dies.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
