package lambdarie

import "syscall"

// setParentDeathSignal asks Linux to kill the emulator if the test binary
// dies without calling Stop (a panic or a -timeout).
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
