package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, []byte("ok"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	wide := filepath.Join(dir, "wide")
	if err := os.WriteFile(wide, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(wide, 0o622); err != nil {
		t.Fatal(err)
	}
	readable := filepath.Join(dir, "readable")
	if err := os.WriteFile(readable, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		kind Kind // 0: allowed
	}{
		{"regular 0600", good, 0},
		{"readable by others is allowed", readable, 0},
		{"symlink", link, KindSymlink},
		{"group/other writable", wide, KindWritable},
		{"directory", dir, KindNotRegular},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(tt.path, os.O_RDONLY, 0)
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				f.Close()
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != tt.kind || !errors.Is(err, ErrUnsafe) {
				t.Fatalf("Open = %v, want kind %d", err, tt.kind)
			}
			if err := Check(tt.path); tt.kind != KindNotRegular && !errors.As(err, &e) {
				t.Fatalf("Check = %v, want refusal", err)
			}
		})
	}
}

func TestOpenCreateDoesNotFollowDanglingLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "log")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, err := Open(link, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if !errors.Is(err, ErrUnsafe) {
		t.Fatalf("Open = %v, want ErrUnsafe", err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatalf("target was created through the link")
	}
}

func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, make([]byte, 11), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(p, 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFile = %v, want ErrTooLarge", err)
	}
	if data, err := ReadFile(p, 11); err != nil || len(data) != 11 {
		t.Fatalf("ReadFile = %d bytes, %v", len(data), err)
	}
}

func TestMkdirAll(t *testing.T) {
	base := t.TempDir()
	d := filepath.Join(base, "a", "b")
	if err := MkdirAll(d); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(d)
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("mode %o, want 0700", fi.Mode().Perm())
	}
	link := filepath.Join(base, "linkdir")
	if err := os.Symlink(d, link); err != nil {
		t.Fatal(err)
	}
	var e *Error
	if err := MkdirAll(link); !errors.As(err, &e) || e.Kind != KindSymlink || !e.Dir {
		t.Fatalf("MkdirAll(link) = %v", err)
	}
	wide := filepath.Join(base, "wide")
	if err := os.Mkdir(wide, 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(wide, 0o777)
	if err := CheckDir(wide); !errors.As(err, &e) || e.Kind != KindWritable {
		t.Fatalf("CheckDir(0777) = %v", err)
	}
	// A shared sticky directory such as /tmp is fine: nobody else can
	// rename or remove what sentinel keeps there.
	sticky := filepath.Join(base, "sticky")
	if err := os.Mkdir(sticky, 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(sticky, 0o777|os.ModeSticky)
	if err := CheckDir(sticky); err != nil {
		t.Fatalf("CheckDir(1777) = %v", err)
	}
}

func TestForeignOwnerRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give a file away")
	}
	p := filepath.Join(t.TempDir(), "foreign")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p, 4242, 4242); err != nil {
		t.Fatal(err)
	}
	// Root owns everything it may read, so a foreign owner is refused
	// only when it is neither root nor the current user: here, 4242.
	var e *Error
	if _, err := Open(p, os.O_RDONLY, 0); !errors.As(err, &e) || e.Kind != KindOwner || e.UID != 4242 {
		t.Fatalf("Open = %v, want KindOwner uid 4242", err)
	}
}
