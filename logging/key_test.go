package logging

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

func TestReadKeyFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.key")
	writeMode(t, good, string(testKey), 0o600)
	short := filepath.Join(dir, "short.key")
	writeMode(t, short, "too short", 0o600)
	readable := filepath.Join(dir, "readable.key")
	writeMode(t, readable, string(testKey), 0o644)
	writable := filepath.Join(dir, "writable.key")
	writeMode(t, writable, string(testKey), 0o620)
	link := filepath.Join(dir, "link.key")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want error // nil = ok
	}{
		{"0600 and 32 bytes", good, nil},
		{"shorter than 32 bytes", short, ErrWeakKey},
		{"readable by others", readable, ErrKeyReadable},
		{"writable by group", writable, safefile.ErrUnsafe},
		{"symbolic link", link, safefile.ErrUnsafe},
		{"missing", filepath.Join(dir, "none"), os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ReadKeyFile(tt.path)
			if tt.want == nil {
				if err != nil || string(key) != string(testKey) {
					t.Fatalf("key %q, err %v", key, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if key != nil {
				t.Fatal("returned a key with an error")
			}
		})
	}
}
