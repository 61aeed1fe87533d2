//go:build unix

package cli

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// shedServerSecrets runs first in `exec --server`: when the environment
// holds a secret, it restarts the process (same PID, same arguments)
// without it, passing the keyring passphrase on a pipe; it returns only
// when there was nothing to shed, or after the restart, and then hardens
// the process (hardenServerProcess).
func shedServerSecrets() error {
	env := environment()
	if env.passphraseErr != nil {
		return fmt.Errorf("read the keyring passphrase from the restarted server: %w", env.passphraseErr)
	}
	own, dropped := serverOwnEnv(os.Environ(), env.Passphrase)
	if dropped && os.Getenv(passphraseFDEnv) == "" {
		if err := restartWithout(own, env.Passphrase); err != nil {
			return err
		}
	}
	return hardenServerProcess()
}

// restartWithout replaces the process image with a fresh run of the same
// binary and arguments in env; passphrase goes on a pipe whose read end
// the new image inherits. It returns only on failure.
func restartWithout(env []string, passphrase string) error {
	exe := "/proc/self/exe" // the running binary, even if its file was replaced since
	if runtime.GOOS != "linux" {
		p, err := os.Executable()
		if err != nil {
			return fmt.Errorf("restart without secrets in the environment: %w", err)
		}
		exe = p
	}
	if passphrase != "" {
		if len(passphrase) > maxPassphrase {
			return errPassphraseTooLong
		}
		r, w, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("restart without secrets in the environment: %w", err)
		}
		defer r.Close()
		// The pipe holds 64 KiB, so the write cannot block; closing the
		// write end gives the new image its end of file.
		_, err = w.Write([]byte(passphrase))
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("restart without secrets in the environment: %w", err)
		}
		fd := int(r.Fd())
		// Keep the read end open across execve; nothing else is.
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
			return fmt.Errorf("restart without secrets in the environment: %w", err)
		}
		env = append(env, passphraseFDEnv+"="+strconv.Itoa(fd))
	}
	err := syscall.Exec(exe, os.Args, env)
	return fmt.Errorf("restart without secrets in the environment: %w", err)
}
