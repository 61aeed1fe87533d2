//go:build unix

package cli

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwardedSignals are passed on to the command under exec --server.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// terminalDelivered reports whether the terminal has already sent s to the
// command: Ctrl-C and Ctrl-\ go to the whole foreground process group,
// which the command shares with sentinel, and a second SIGINT makes some
// tools (terraform) abort without cleaning up. A SIGINT or SIGQUIT that
// arrives while sentinel is not in the foreground came from kill, and is
// passed on.
func terminalDelivered(s os.Signal) bool {
	if s != syscall.SIGINT && s != syscall.SIGQUIT {
		return false
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false
	}
	defer tty.Close()
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// exitCode is the command's exit code, 128+N when signal N ended it, as a
// shell reports it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
