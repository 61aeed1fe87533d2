//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// noFollow makes open fail with ELOOP on a symbolic link.
const noFollow = syscall.O_NOFOLLOW | syscall.O_CLOEXEC

// checksMode is true where permission bits mean what they say.
const checksMode = true

// currentUID is read once: it does not change while sentinel runs.
var currentUID = os.Getuid()

func ownerOf(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// isSymlinkErr reports whether an open with O_NOFOLLOW failed because the
// path is a symbolic link.
func isSymlinkErr(path string, err error) bool {
	if !errors.Is(err, syscall.ELOOP) {
		return false
	}
	fi, lerr := os.Lstat(path)
	return lerr == nil && fi.Mode()&fs.ModeSymlink != 0
}
