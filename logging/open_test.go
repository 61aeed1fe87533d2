package logging

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// TestOpenRefusesUntrustedFiles: someone else may have written a log that
// is a link, belongs to another user or can be written by others, so Open
// refuses it with a *safefile.Error and leaves it exactly as it was.
func TestOpenRefusesUntrustedFiles(t *testing.T) {
	const before = "someone else's bytes\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (logPath, watched string)
		kind  safefile.Kind
		root  bool // needs root to set up
	}{
		{
			name: "symbolic link to a file",
			setup: func(t *testing.T, dir string) (string, string) {
				target := filepath.Join(dir, "target")
				writeMode(t, target, before, 0o600)
				link := filepath.Join(dir, "decisions.jsonl")
				if err := os.Symlink(target, link); err != nil {
					t.Fatal(err)
				}
				return link, target
			},
			kind: safefile.KindSymlink,
		},
		{
			name: "dangling symbolic link",
			setup: func(t *testing.T, dir string) (string, string) {
				target := filepath.Join(dir, "not-yet")
				link := filepath.Join(dir, "decisions.jsonl")
				if err := os.Symlink(target, link); err != nil {
					t.Fatal(err)
				}
				return link, target
			},
			kind: safefile.KindSymlink,
		},
		{
			name: "group writable",
			setup: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "decisions.jsonl")
				writeMode(t, p, before, 0o660)
				return p, p
			},
			kind: safefile.KindWritable,
		},
		{
			name: "world writable",
			setup: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "decisions.jsonl")
				writeMode(t, p, before, 0o606)
				return p, p
			},
			kind: safefile.KindWritable,
		},
		{
			name: "owned by another user",
			setup: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "decisions.jsonl")
				writeMode(t, p, before, 0o600)
				if err := os.Chown(p, 4242, 4242); err != nil {
					t.Fatal(err)
				}
				return p, p
			},
			kind: safefile.KindOwner,
			root: true,
		},
		{
			name: "directory is a symbolic link",
			setup: func(t *testing.T, dir string) (string, string) {
				real := filepath.Join(dir, "real")
				if err := os.Mkdir(real, 0o700); err != nil {
					t.Fatal(err)
				}
				target := filepath.Join(real, "decisions.jsonl")
				writeMode(t, target, before, 0o600)
				link := filepath.Join(dir, "state")
				if err := os.Symlink(real, link); err != nil {
					t.Fatal(err)
				}
				return filepath.Join(link, "decisions.jsonl"), target
			},
			kind: safefile.KindSymlink,
		},
		{
			name: "directory writable by others",
			setup: func(t *testing.T, dir string) (string, string) {
				shared := filepath.Join(dir, "shared")
				if err := os.Mkdir(shared, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(shared, 0o777); err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(shared, "decisions.jsonl")
				writeMode(t, p, before, 0o600)
				return p, p
			},
			kind: safefile.KindWritable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root && os.Getuid() != 0 {
				t.Skip("needs root to give a file away")
			}
			path, watched := tt.setup(t, t.TempDir())
			was, wasErr := os.Lstat(watched)

			l, err := Open(path)
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded")
			}
			var se *safefile.Error
			if !errors.As(err, &se) || se.Kind != tt.kind {
				t.Fatalf("Open = %v, want a *safefile.Error of kind %d", err, tt.kind)
			}

			now, nowErr := os.Lstat(watched)
			if wasErr != nil {
				if nowErr == nil {
					t.Fatalf("Open created %s through the link", watched)
				}
				return
			}
			if nowErr != nil || now.Mode() != was.Mode() || now.Size() != was.Size() {
				t.Fatalf("%s changed: was %v %d bytes, now %v", watched, was.Mode(), was.Size(), now)
			}
			if data, _ := os.ReadFile(watched); string(data) != before {
				t.Fatalf("%s now holds %q", watched, data)
			}
		})
	}
}

// TestOpenAcceptsOwnReadableLog: a log of ours that others may only read
// was written by us; it is used, and its read bits are tightened.
func TestOpenAcceptsOwnReadableLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	writeMode(t, path, "", 0o644)
	l, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	assertMode(t, path, 0o600)
	if err := l.Append(decision("ivy")); err != nil {
		t.Fatal(err)
	}
}

// TestOpenInStickyDirectory: a log directly in a shared sticky directory
// such as /tmp is allowed; the file itself is still checked.
func TestOpenInStickyDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	l, err := Open(filepath.Join(dir, "decisions.jsonl"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	l.Close()
}

// writeMode writes content to path and sets mode in spite of the umask.
func writeMode(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
