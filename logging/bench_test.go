package logging

import (
	"path/filepath"
	"testing"
)

// BenchmarkAppend measures one Append on an open Logger: lock, read of the
// last line, marshal, hash, one write.
func BenchmarkAppend(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), "decisions.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Append(decision("bench")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenAppendClose measures what one credential_process call pays:
// open the log, append one decision, close it.
func BenchmarkOpenAppendClose(b *testing.B) {
	path := filepath.Join(b.TempDir(), "decisions.jsonl")
	b.ReportAllocs()
	for b.Loop() {
		l, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Append(decision("bench")); err != nil {
			b.Fatal(err)
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
