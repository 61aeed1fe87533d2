package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// TestLoadRefusesUntrustedFiles: the config names the policy, the log and
// the store, so one that someone else could have written is refused, and
// so is one too large to be a config.
func TestLoadRefusesUntrustedFiles(t *testing.T) {
	const body = "policy: /etc/sentinel/policy.yaml\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string
		kind  safefile.Kind // 0: ErrTooLarge
		root  bool
	}{
		{"symbolic link", func(t *testing.T, dir string) string {
			target := writeConfig(t, filepath.Join(dir, "real.yaml"), body, 0o600)
			link := filepath.Join(dir, "config.yaml")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			return link
		}, safefile.KindSymlink, false},
		{"group writable", func(t *testing.T, dir string) string {
			return writeConfig(t, filepath.Join(dir, "config.yaml"), body, 0o664)
		}, safefile.KindWritable, false},
		{"owned by another user", func(t *testing.T, dir string) string {
			p := writeConfig(t, filepath.Join(dir, "config.yaml"), body, 0o644)
			if err := os.Chown(p, 4242, 4242); err != nil {
				t.Fatal(err)
			}
			return p
		}, safefile.KindOwner, true},
		{"a directory", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "config.yaml")
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}, safefile.KindNotRegular, false},
		{"too large", func(t *testing.T, dir string) string {
			big := body + "#" + strings.Repeat("x", MaxSize) + "\n"
			return writeConfig(t, filepath.Join(dir, "config.yaml"), big, 0o600)
		}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root && os.Getuid() != 0 {
				t.Skip("needs root to give a file away")
			}
			c, err := Load(tt.setup(t, t.TempDir()))
			if err == nil {
				t.Fatalf("Load succeeded: %+v", c)
			}
			if tt.kind == 0 {
				if !errors.Is(err, safefile.ErrTooLarge) {
					t.Fatalf("Load = %v, want ErrTooLarge", err)
				}
				return
			}
			var se *safefile.Error
			if !errors.As(err, &se) || se.Kind != tt.kind {
				t.Fatalf("Load = %v, want a *safefile.Error of kind %d", err, tt.kind)
			}
		})
	}
}

// TestLoadAcceptsReadableConfig: a config others may read but not write
// (0644, the usual umask) is fine; it holds no secret.
func TestLoadAcceptsReadableConfig(t *testing.T) {
	p := writeConfig(t, filepath.Join(t.TempDir(), "config.yaml"), "policy: /p.yaml\n", 0o644)
	c, err := Load(p)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Policy != "/p.yaml" || c.Path() != p {
		t.Fatalf("Load = %+v", c)
	}
}

func writeConfig(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}
