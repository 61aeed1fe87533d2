package cli

import (
	"errors"
	"strings"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// unsafeFileHint is the command that fixes a file sentinel refused to
// trust (a *safefile.Error anywhere in err), or "" for any other error. It
// wins over a general hint: the fix is one command away.
func unsafeFileHint(err error) string {
	var se *safefile.Error
	if !errors.As(err, &se) {
		return ""
	}
	p := shellQuote(se.Path)
	switch se.Kind {
	case safefile.KindSymlink:
		what := "file"
		if se.Dir {
			what = "directory"
		}
		return "replace the symbolic link " + se.Path + " with the " + what + " itself"
	case safefile.KindOwner:
		return "if it is yours, take it back with `chown $(id -un) " + p + "`; otherwise move it away"
	case safefile.KindWritable:
		return "run `chmod go-w " + p + "`"
	case safefile.KindNotRegular:
		return "move " + se.Path + " out of the way"
	}
	return ""
}

// shellQuote quotes s for a POSIX shell when it holds anything but the
// characters paths are usually made of.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=,@%:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
