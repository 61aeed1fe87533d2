package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Open opens path like os.OpenFile but never through a symbolic link, and
// checks the opened file (not the path, so a swap between check and use is
// caught): a regular file, owned by the user or root, not writable by group
// or others. With os.O_CREATE a new file gets perm.
func Open(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|noFollow, perm)
	if err != nil {
		if isSymlinkErr(path, err) {
			return nil, &Error{Path: path, Kind: KindSymlink, UID: -1}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := checkInfo(path, fi, false); err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads a whole file opened with Open. A file longer than limit
// bytes (limit > 0) is refused with ErrTooLarge, after reading at most
// limit+1 bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if limit > 0 {
		r = io.LimitReader(f, limit+1)
	}
	// One buffer of the file's size (and a byte to see the end), as
	// os.ReadFile does: growing from 512 bytes cost a policy of 2 MB
	// several milliseconds of copies and page faults per command.
	size := 512
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && (limit <= 0 || fi.Size() <= limit) {
		size = int(fi.Size()) + 1
	}
	data := make([]byte, 0, size)
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	if limit > 0 && int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w (over %d bytes)", path, ErrTooLarge, limit)
	}
	return data, nil
}

// Check inspects path without opening it, for files that a library opens
// itself (the bbolt store): a missing file is fine (it will be created), a
// symbolic link, a non-regular file, a foreign owner or group/other write
// permission is an *Error.
func Check(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return checkInfo(path, fi, false)
}

// MkdirAll creates dir and its parents with mode 0700 where missing, then
// checks dir itself: a real directory (not a link to one), owned by the
// user or root, not writable by group or others.
func MkdirAll(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return CheckDir(dir)
}

// CheckDir checks that dir is a directory that is not a symbolic link,
// owned by the user or root and not writable by group or others unless it
// is sticky (as /tmp is). A missing directory is reported as
// fs.ErrNotExist.
func CheckDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	return checkInfo(dir, fi, true)
}

// checkInfo applies the rules to what Lstat or Fstat found.
func checkInfo(path string, fi fs.FileInfo, wantDir bool) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return &Error{Path: path, Kind: KindSymlink, UID: -1, Dir: wantDir}
	case wantDir && !fi.IsDir(), !wantDir && !fi.Mode().IsRegular():
		return &Error{Path: path, Kind: KindNotRegular, UID: -1, Dir: wantDir}
	}
	if uid, ok := ownerOf(fi); ok && uid != currentUID && uid != 0 {
		return &Error{Path: path, Kind: KindOwner, UID: uid, Dir: wantDir}
	}
	if fi.Mode().Perm()&0o022 != 0 && checksMode && !stickyDir(fi, wantDir) {
		return &Error{Path: path, Kind: KindWritable, Mode: fi.Mode(), UID: -1, Dir: wantDir}
	}
	return nil
}

// stickyDir reports whether fi is a directory with the sticky bit, like
// /tmp: others may create entries there but not rename or remove ours, and
// what they plant under our name is caught by the checks on the file itself
// (a link is not followed, a foreign owner is refused).
func stickyDir(fi fs.FileInfo, wantDir bool) bool {
	return wantDir && fi.IsDir() && fi.Mode()&fs.ModeSticky != 0
}
