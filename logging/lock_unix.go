//go:build unix

package logging

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// lockFile takes an exclusive flock on fd, polling with LOCK_NB until
// timeout has passed, so that a hung process cannot block sentinel forever
// (and no goroutine is needed to bound a blocking flock).
func lockFile(fd int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	wait := lockFirstWait
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case !errors.Is(err, syscall.EWOULDBLOCK):
			return fmt.Errorf("lock decision log: %w", err)
		}
		if !time.Now().Before(deadline) {
			return ErrLocked
		}
		time.Sleep(wait)
		wait = min(wait*2, lockMaxWait)
	}
}

// unlockFile releases the flock on fd.
func unlockFile(fd int) error {
	for {
		err := syscall.Flock(fd, syscall.LOCK_UN)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
