package local

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// TestOpenRefusesUntrustedFiles: approvals in a file someone else may have
// written are not evidence of anything, so Open refuses the file before
// bbolt maps it, and leaves it and whatever a link points to untouched.
func TestOpenRefusesUntrustedFiles(t *testing.T) {
	// A real store to point links at, so that bbolt would accept it.
	realDir := t.TempDir()
	real := filepath.Join(realDir, "real.db")
	s, err := Open(real, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	realBytes, _ := os.ReadFile(real)

	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string
		kind  safefile.Kind
		root  bool
	}{
		{"symbolic link to a store", func(t *testing.T, dir string) string {
			link := filepath.Join(dir, "state.db")
			if err := os.Symlink(real, link); err != nil {
				t.Fatal(err)
			}
			return link
		}, safefile.KindSymlink, false},
		{"dangling symbolic link", func(t *testing.T, dir string) string {
			link := filepath.Join(dir, "state.db")
			if err := os.Symlink(filepath.Join(dir, "elsewhere.db"), link); err != nil {
				t.Fatal(err)
			}
			return link
		}, safefile.KindSymlink, false},
		{"group writable", func(t *testing.T, dir string) string {
			p := copyStore(t, realBytes, filepath.Join(dir, "state.db"))
			if err := os.Chmod(p, 0o660); err != nil {
				t.Fatal(err)
			}
			return p
		}, safefile.KindWritable, false},
		{"owned by another user", func(t *testing.T, dir string) string {
			p := copyStore(t, realBytes, filepath.Join(dir, "state.db"))
			if err := os.Chown(p, 4242, 4242); err != nil {
				t.Fatal(err)
			}
			return p
		}, safefile.KindOwner, true},
		{"directory is a symbolic link", func(t *testing.T, dir string) string {
			link := filepath.Join(dir, "state")
			if err := os.Symlink(realDir, link); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(link, "real.db")
		}, safefile.KindSymlink, false},
		{"directory writable by others", func(t *testing.T, dir string) string {
			shared := filepath.Join(dir, "shared")
			if err := os.Mkdir(shared, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(shared, 0o777); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(shared, "state.db")
		}, safefile.KindWritable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root && os.Getuid() != 0 {
				t.Skip("needs root to give a file away")
			}
			dir := t.TempDir()
			path := tt.setup(t, dir)
			s, err := Open(path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			var se *safefile.Error
			if !errors.As(err, &se) || se.Kind != tt.kind {
				t.Fatalf("Open = %v, want a *safefile.Error of kind %d", err, tt.kind)
			}
			if now, _ := os.ReadFile(real); !bytes.Equal(now, realBytes) {
				t.Fatal("the store behind the link changed")
			}
			if _, err := os.Lstat(filepath.Join(dir, "elsewhere.db")); err == nil {
				t.Fatal("Open created a file through a dangling link")
			}
		})
	}
}

func copyStore(t *testing.T, data []byte, path string) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPerOperationRefusesSwappedFile: with PerOperation the file is opened
// again for every operation, and each open is checked, so a store swapped
// for a link to another one after Open is refused.
func TestPerOperationRefusesSwappedFile(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	o, err := Open(other, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	path := filepath.Join(dir, "state.db")
	s, err := Open(path, Options{PerOperation: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, path); err != nil {
		t.Fatal(err)
	}
	_, err = s.Requests().Get(t.Context(), "req-1")
	var se *safefile.Error
	if !errors.As(err, &se) || se.Kind != safefile.KindSymlink {
		t.Fatalf("Get after the swap = %v, want a symlink refusal", err)
	}
}
