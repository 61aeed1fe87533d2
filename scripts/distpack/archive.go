package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// entry is one file of an archive: its name inside the archive (below
// the prefix) and its content.
type entry struct {
	Name string
	Data []byte
	Exec bool
}

func archiveCommand(args []string) error {
	fs := flag.NewFlagSet("archive", flag.ContinueOnError)
	out := fs.String("o", "", "the archive to write (.tar.gz or .zip)")
	prefix := fs.String("prefix", "", "the directory every entry goes under (none when empty)")
	epoch := fs.String("epoch", os.Getenv("SOURCE_DATE_EPOCH"), "the entries' time, seconds since the epoch")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("archive: -o is required")
	}
	mtime, err := parseEpoch(*epoch)
	if err != nil {
		return err
	}
	var entries []entry
	for _, spec := range fs.Args() {
		name, file, ok := strings.Cut(spec, "=")
		if !ok || name == "" || file == "" {
			return fmt.Errorf("archive: %q is not NAME=PATH", spec)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		info, err := os.Stat(file)
		if err != nil {
			return err
		}
		entries = append(entries, entry{Name: name, Data: data, Exec: info.Mode().Perm()&0o111 != 0})
	}
	var buf bytes.Buffer
	switch {
	case strings.HasSuffix(*out, ".tar.gz"):
		err = writeTarGz(&buf, *prefix, mtime, entries)
	case strings.HasSuffix(*out, ".zip"):
		err = writeZip(&buf, *prefix, mtime, entries)
	default:
		err = fmt.Errorf("archive: %s: want .tar.gz or .zip", *out)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

// parseEpoch reads SOURCE_DATE_EPOCH; it must be set, since a build time
// would make every archive differ.
func parseEpoch(s string) (time.Time, error) {
	secs, err := strconv.ParseInt(s, 10, 64)
	if err != nil || secs < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q is not a time in seconds", s)
	}
	return time.Unix(secs, 0).UTC(), nil
}

// sorted is entries by name, with the directories they need, so that the
// order never depends on the command line or the file system.
func sorted(prefix string, entries []entry) (dirs []string, files []entry, err error) {
	seen := map[string]bool{}
	for _, e := range entries {
		clean := path.Clean(e.Name)
		if clean != e.Name || path.IsAbs(clean) || strings.HasPrefix(clean, "..") {
			return nil, nil, fmt.Errorf("archive: entry name %q is not a clean relative path", e.Name)
		}
		if seen[clean] {
			return nil, nil, fmt.Errorf("archive: entry %q given twice", clean)
		}
		seen[clean] = true
		e.Name = path.Join(prefix, clean)
		files = append(files, e)
		for d := path.Dir(e.Name); d != "." && !seen[d+"/"]; d = path.Dir(d) {
			seen[d+"/"] = true
			dirs = append(dirs, d+"/")
		}
	}
	sort.Strings(dirs)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return dirs, files, nil
}

func mode(e entry) int64 {
	if e.Exec {
		return 0o755
	}
	return 0o644
}

// writeTarGz writes a POSIX tar, owned by root:root with numeric IDs
// only, inside a gzip stream whose header carries no name and no time.
func writeTarGz(w io.Writer, prefix string, mtime time.Time, entries []entry) error {
	dirs, files, err := sorted(prefix, entries)
	if err != nil {
		return err
	}
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	hdr := func(h *tar.Header) *tar.Header {
		h.ModTime, h.Format = mtime, tar.FormatPAX
		h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "root", "root"
		return h
	}
	for _, d := range dirs {
		if err := tw.WriteHeader(hdr(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755})); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(hdr(&tar.Header{Typeflag: tar.TypeReg, Name: f.Name, Mode: mode(f), Size: int64(len(f.Data))})); err != nil {
			return err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// writeZip writes a zip with the entries' times in both the DOS field and
// the extended timestamp, which archive/zip derives from Modified alone.
func writeZip(w io.Writer, prefix string, mtime time.Time, entries []entry) error {
	dirs, files, err := sorted(prefix, entries)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, d := range dirs {
		h := &zip.FileHeader{Name: d, Method: zip.Store, Modified: mtime}
		h.SetMode(0o755 | os.ModeDir)
		if _, err := zw.CreateHeader(h); err != nil {
			return err
		}
	}
	for _, f := range files {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(os.FileMode(mode(f)))
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}
