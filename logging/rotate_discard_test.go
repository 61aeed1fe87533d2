package logging

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// With DiscardRotated (the service's log on Lambda, whose record is
// stdout), a flood of entries leaves one file of at most about MaxBytes:
// rotated files are removed, the chain goes on in the current file, and
// verifying that file alone reports the gap rather than passing.
func TestDiscardRotatedBoundsTheDirectory(t *testing.T) {
	for _, discard := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "decisions.jsonl")
		const maxBytes = 1500
		l, err := OpenWith(path, Options{Key: testKey, MaxBytes: maxBytes, DiscardRotated: discard})
		if err != nil {
			t.Fatal(err)
		}
		l.Now = fixedClock()
		for i := 0; i < 200; i++ {
			if err := l.Append(decision("alice")); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, e := range entries {
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			total += fi.Size()
		}
		if !discard {
			if len(rotatedFiles(t, path)) < 10 {
				t.Fatalf("without DiscardRotated: %d rotated files kept, want all", len(rotatedFiles(t, path)))
			}
			continue
		}
		if len(entries) != 1 || total > 2*maxBytes {
			t.Fatalf("with DiscardRotated: %d files, %d bytes; want one file of about %d bytes", len(entries), total, maxBytes)
		}
		_, err = VerifyLog(path, VerifyOptions{Key: testKey})
		if !errors.Is(err, ErrRotationGap) {
			t.Fatalf("verify of the current file alone: %v, want ErrRotationGap", err)
		}
		rep, err := VerifyLog(path, VerifyOptions{Key: testKey, NoFollow: true})
		if err != nil || rep.LastSeq < 200 {
			t.Fatalf("the chain does not go on in the current file: %+v %v", rep, err)
		}
	}
}
