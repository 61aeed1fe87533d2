package cli

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// hardenServerProcess refuses debuggers (PT_DENY_ATTACH): the command the
// server runs, as the same user, cannot attach to it to read its memory.
// (Reading another process's memory through task_for_pid already needs
// root or the debugger entitlement on macOS.)
func hardenServerProcess() error {
	if err := unix.PtraceDenyAttach(); err != nil {
		return fmt.Errorf("deny debuggers to the credential server: %w", err)
	}
	return nil
}
