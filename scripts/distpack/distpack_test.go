package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writeInputs writes the files of an archive with the given mtime, so that
// a test can show the file times do not reach the archive.
func writeInputs(t *testing.T, mtime time.Time) (dir string, specs []string) {
	t.Helper()
	dir = t.TempDir()
	for name, body := range map[string]string{"sentinel": "#!binary", "README.md": "readme", "completions/_sentinel": "#compdef"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if name == "sentinel" {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		specs = append(specs, name+"="+p)
	}
	return dir, specs
}

// execBits says whether the file system keeps the executable bit (the
// archiver copies it from the file); Windows has none.
var execBits = runtime.GOOS != "windows"

// TestArchivesAreReproducible: the same files give the same archive bytes
// whatever their order on the command line, their mtimes on disk or the
// time of the run; entries are sorted, carry the epoch and root:root, and
// the gzip header holds no name or time.
func TestArchivesAreReproducible(t *testing.T) {
	epoch := "1700000000"
	for _, ext := range []string{"tar.gz", "zip"} {
		t.Run(ext, func(t *testing.T) {
			_, specsA := writeInputs(t, time.Unix(1, 0))
			_, specsB := writeInputs(t, time.Now())
			// Reverse B's order.
			for i, j := 0, len(specsB)-1; i < j; i, j = i+1, j-1 {
				specsB[i], specsB[j] = specsB[j], specsB[i]
			}
			out := t.TempDir()
			a, b := filepath.Join(out, "a."+ext), filepath.Join(out, "b."+ext)
			if err := run(append([]string{"archive", "-o", a, "-prefix", "sentinel_1_linux_amd64", "-epoch", epoch}, specsA...)); err != nil {
				t.Fatal(err)
			}
			if err := run(append([]string{"archive", "-o", b, "-prefix", "sentinel_1_linux_amd64", "-epoch", epoch}, specsB...)); err != nil {
				t.Fatal(err)
			}
			da, _ := os.ReadFile(a)
			db, _ := os.ReadFile(b)
			if !bytes.Equal(da, db) {
				t.Fatal("two archives of the same files differ")
			}
			want := []string{"sentinel_1_linux_amd64/", "sentinel_1_linux_amd64/completions/",
				"sentinel_1_linux_amd64/README.md", "sentinel_1_linux_amd64/completions/_sentinel", "sentinel_1_linux_amd64/sentinel"}
			var names []string
			when := time.Unix(1700000000, 0).UTC()
			if ext == "zip" {
				zr, err := zip.NewReader(bytes.NewReader(da), int64(len(da)))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range zr.File {
					names = append(names, f.Name)
					if !f.Modified.Equal(when) {
						t.Errorf("%s: time %v, want %v", f.Name, f.Modified, when)
					}
					if f.Name == "sentinel_1_linux_amd64/sentinel" && execBits && f.Mode().Perm() != 0o755 {
						t.Errorf("binary mode %v", f.Mode())
					}
				}
			} else {
				gz, err := gzip.NewReader(bytes.NewReader(da))
				if err != nil {
					t.Fatal(err)
				}
				if gz.Name != "" || !gz.ModTime.IsZero() {
					t.Errorf("gzip header has name %q, time %v", gz.Name, gz.ModTime)
				}
				tr := tar.NewReader(gz)
				for {
					h, err := tr.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					names = append(names, h.Name)
					if !h.ModTime.Equal(when) || h.Uid != 0 || h.Gid != 0 || h.Uname != "root" {
						t.Errorf("%s: time %v owner %d:%d %s", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname)
					}
					if h.Name == "sentinel_1_linux_amd64/sentinel" && execBits && h.Mode != 0o755 {
						t.Errorf("binary mode %o", h.Mode)
					}
				}
			}
			if strings.Join(names, " ") != strings.Join(want, " ") {
				t.Errorf("entries %v, want %v", names, want)
			}
		})
	}
}

func TestArchiveRefusesBadInput(t *testing.T) {
	dir, specs := writeInputs(t, time.Now())
	out := filepath.Join(dir, "x.tar.gz")
	for name, args := range map[string][]string{
		"no epoch":          {"archive", "-o", out, "-prefix", "p", "-epoch", "", specs[0]},
		"not NAME=PATH":     {"archive", "-o", out, "-prefix", "p", "-epoch", "1", "sentinel"},
		"escaping name":     {"archive", "-o", out, "-prefix", "p", "-epoch", "1", "../x=" + strings.SplitN(specs[0], "=", 2)[1]},
		"twice":             {"archive", "-o", out, "-prefix", "p", "-epoch", "1", specs[0], specs[0]},
		"unknown extension": {"archive", "-o", filepath.Join(dir, "x.rar"), "-prefix", "p", "-epoch", "1", specs[0]},
	} {
		if err := run(args); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestSumsAndFormula: SHA256SUMS lists files by name, sorted, in
// sha256sum's format; the formula carries each darwin and linux archive's
// URL and sum and refuses when one is missing.
func TestSumsAndFormula(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"sentinel_1.2.3_linux_amd64.tar.gz", "sentinel_1.2.3_linux_arm64.tar.gz", "sentinel_1.2.3_darwin_arm64.tar.gz", "sentinel_1.2.3_darwin_amd64.tar.gz"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	data, err := sums(files)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 4 || !strings.HasSuffix(lines[0], "  sentinel_1.2.3_darwin_amd64.tar.gz") || len(strings.Fields(lines[0])[0]) != 64 {
		t.Fatalf("SHA256SUMS:\n%s", data)
	}
	sumsFile := filepath.Join(dir, "SHA256SUMS")
	if err := os.WriteFile(sumsFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	parsed, err := readSums(sumsFile)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := formula("v1.2.3", "https://example.invalid/v1.2.3/", parsed)
	if err != nil {
		t.Fatal(err)
	}
	for name, sum := range parsed {
		if !strings.Contains(string(rb), `url "https://example.invalid/v1.2.3/`+name+`"`) || !strings.Contains(string(rb), `sha256 "`+sum+`"`) {
			t.Errorf("formula lacks %s or its sum:\n%s", name, rb)
		}
	}
	if !strings.Contains(string(rb), `version "1.2.3"`) {
		t.Errorf("formula version:\n%s", rb)
	}
	delete(parsed, "sentinel_1.2.3_linux_arm64.tar.gz")
	if _, err := formula("v1.2.3", "https://example.invalid/", parsed); err == nil {
		t.Error("formula without linux/arm64's sum: no error")
	}
}
