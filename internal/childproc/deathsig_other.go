//go:build unix && !linux

package childproc

import "syscall"

// setParentDeathSignal does nothing here: only Linux has a parent-death
// signal. Stop still ends the process group.
func setParentDeathSignal(attr *syscall.SysProcAttr) {}
