//go:build !unix

package safefile

import (
	"io/fs"
	"os"
)

// noFollow: other systems have no O_NOFOLLOW; Open checks the file it got.
const noFollow = 0

// checksMode is false: Windows permission bits do not describe ACLs.
const checksMode = false

var currentUID = -1

func ownerOf(fs.FileInfo) (int, bool) { return 0, false }

func isSymlinkErr(path string, err error) bool {
	fi, lerr := os.Lstat(path)
	return lerr == nil && fi.Mode()&fs.ModeSymlink != 0
}
