package childproc

import (
	"os/exec"
	"time"
)

// Stop ends cmd's process group gently (SIGTERM), waits up to grace for
// exited to close, then kills the group and waits for exited. exited must
// be closed once cmd.Wait returns.
func Stop(cmd *exec.Cmd, exited <-chan struct{}, grace time.Duration) {
	signalGroup(cmd, false)
	select {
	case <-exited:
		return
	case <-time.After(grace):
	}
	signalGroup(cmd, true)
	<-exited
}
