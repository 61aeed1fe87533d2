package safefile

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrUnsafe is matched (errors.Is) by every *Error.
var ErrUnsafe = errors.New("unsafe file")

// ErrTooLarge means ReadFile found more bytes than its limit allows.
var ErrTooLarge = errors.New("file too large")

// Kind says what made a path unsafe.
type Kind int

// The kinds of unsafe path.
const (
	// KindSymlink: the path is a symbolic link.
	KindSymlink Kind = iota + 1
	// KindOwner: the file belongs to someone other than the user or root.
	KindOwner
	// KindWritable: group or others may write the file.
	KindWritable
	// KindNotRegular: a file was expected and something else is there
	// (or a directory was expected and a file is there).
	KindNotRegular
)

// Error says why a path was refused. It carries no file contents.
type Error struct {
	Path string
	Kind Kind
	// Mode is the permission bits found (KindWritable).
	Mode fs.FileMode
	// UID is the owner found (KindOwner); -1 when unknown.
	UID int
	// Dir is true when the path is (or was expected to be) a directory.
	Dir bool
}

func (e *Error) Error() string {
	what := "file"
	if e.Dir {
		what = "directory"
	}
	switch e.Kind {
	case KindSymlink:
		return fmt.Sprintf("%s %s is a symbolic link, which sentinel does not follow", what, e.Path)
	case KindOwner:
		return fmt.Sprintf("%s %s is owned by uid %d, not by you or root", what, e.Path, e.UID)
	case KindWritable:
		return fmt.Sprintf("%s %s is writable by group or others (mode %04o)", what, e.Path, e.Mode.Perm())
	case KindNotRegular:
		if e.Dir {
			return fmt.Sprintf("%s is not a directory", e.Path)
		}
		return fmt.Sprintf("%s is not a regular file", e.Path)
	}
	return fmt.Sprintf("%s %s is unsafe", what, e.Path)
}

// Is makes errors.Is(err, ErrUnsafe) true.
func (e *Error) Is(target error) bool { return target == ErrUnsafe }
