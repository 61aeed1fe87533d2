package logging

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// EventRotated is the event of the first entry of a file that continues a
// rotated one. Its seq and prev_hash continue the chain of the old file
// (prev_hash is the old file's head) and previous_file names the old file,
// a base name in the same directory.
const EventRotated = "log.rotated"

// rotationTimeFormat stamps rotated files: sortable, no colons (Windows).
const rotationTimeFormat = "20060102T150405.000000000Z"

// rotationEntry is the first entry of a new file after a rotation.
type rotationEntry struct {
	Time         time.Time `json:"time"`
	Event        string    `json:"event"`
	Seq          int64     `json:"seq"`
	PrevHash     string    `json:"prev_hash"`
	PreviousFile string    `json:"previous_file"`
}

// rotatedName is the name a full file gets: decisions.jsonl becomes
// decisions.20261129T214437.123456789Z.jsonl.
func rotatedName(path string, at time.Time) string {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	return filepath.Join(dir, stem+"."+at.UTC().Format(rotationTimeFormat)+ext)
}

// rotate moves the full file (whose head is old) aside and puts a new file
// at the path that starts with an EventRotated entry. The caller holds the
// lock of the full file.
//
// The path never goes missing: the new file is written under a temporary
// name first, the full file gets its rotated name as a second link, and
// the new file is renamed over the path. Another writer either opens the
// full file (and, after taking its lock, sees it is no longer at the path)
// or the new one, already holding its first entry.
func (l *Logger) rotate(old Head) error {
	now := l.now().UTC()
	rotated := rotatedName(l.path, now)
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	dir, base := filepath.Split(l.path)
	tmp := filepath.Join(dir, "."+base+".rotate-"+hex.EncodeToString(rnd[:]))
	f, err := safefile.Open(tmp, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("rotate: create new file: %w", err)
	}
	defer f.Close()
	body, err := json.Marshal(rotationEntry{
		Time: now, Event: EventRotated, Seq: old.Seq + 1, PrevHash: old.Hash,
		PreviousFile: filepath.Base(rotated),
	})
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rotate: encode entry: %w", err)
	}
	line, _ := l.sealBody(body)
	if _, err := f.Write(line); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rotate: write first entry: %w", err)
	}
	if err := f.Sync(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rotate: %w", err)
	}
	if err := os.Link(l.path, rotated); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rotate: keep full file as %s: %w", rotated, err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		os.Remove(tmp)
		os.Remove(rotated)
		return fmt.Errorf("rotate: %w", err)
	}
	if l.opts.DiscardRotated {
		if err := os.Remove(rotated); err != nil {
			return fmt.Errorf("rotate: discard %s: %w", rotated, err)
		}
	}
	return nil
}

// now is the Logger's clock.
func (l *Logger) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// ErrRotationGap is matched by the *ChainError returned when a file starts
// with a rotation entry whose previous file cannot be found.
var ErrRotationGap = errors.New("rotated file missing")

// previousFile checks the previous_file of a rotation entry: it is read
// from a file and must not lead outside the log's directory.
func previousFile(l link) (string, error) {
	if l.PreviousFile == nil {
		return "", errors.New(`rotation entry without "previous_file"`)
	}
	name := *l.PreviousFile
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("rotation entry names %q, not a file in the same directory", name)
	}
	return name, nil
}
