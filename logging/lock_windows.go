//go:build windows

package logging

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows"
)

// lockFile takes an exclusive LockFileEx lock on the first byte of the
// file, polling with LOCKFILE_FAIL_IMMEDIATELY until timeout has passed,
// the Windows twin of the flock in lock_unix.go.
func lockFile(fd int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	wait := lockFirstWait
	for {
		ol := new(windows.Overlapped)
		err := windows.LockFileEx(windows.Handle(fd), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, windows.ERROR_LOCK_VIOLATION):
			return fmt.Errorf("lock decision log: %w", err)
		}
		if !time.Now().Before(deadline) {
			return ErrLocked
		}
		time.Sleep(wait)
		wait = min(wait*2, lockMaxWait)
	}
}

// unlockFile releases the lock taken by lockFile.
func unlockFile(fd int) error {
	return windows.UnlockFileEx(windows.Handle(fd), 0, 1, 0, new(windows.Overlapped))
}
