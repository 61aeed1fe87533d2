package cli

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// hardenServerProcess makes the server process undumpable: no core file,
// and /proc/<pid>/mem, environ, maps and the like become root's, so that
// the command it runs (the same user) can neither read its memory nor
// attach to it with ptrace. execve resets the flag, which is why it is set
// after the restart.
func hardenServerProcess() error {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("make the credential server undumpable: %w", err)
	}
	return nil
}
