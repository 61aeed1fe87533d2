package dynamolocal

import "syscall"

// setParentDeathSignal asks Linux to kill DynamoDB Local if the test binary
// dies without calling Stop (a panic or a -timeout), so that no java process
// outlives its tests.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
