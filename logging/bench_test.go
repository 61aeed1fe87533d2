package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
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

// prefill writes a valid chain of n decision entries to a new log file
// directly (without the lock and one write per entry, to be quick) and
// returns its path.
func prefill(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "decisions.jsonl")
	var buf bytes.Buffer
	prev := ZeroHash
	e := decision("alice")
	e.Time = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e.Seq, e.PrevHash = int64(i), prev
		body, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		var line []byte
		line, prev = seal(body)
		buf.Write(line)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkAppendBySize shows that an append costs the same on a log of a
// thousand entries and on one of a hundred thousand: Append reads the
// last line from the end, never the file.
func BenchmarkAppendBySize(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			l, err := Open(prefill(b, n))
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
		})
	}
}

// TestAppendCostIndependentOfSize compares the median append time on a
// log of 1k entries with one of 100k (about 40 MB). Reading the whole file
// would make the second a hundred times slower; the bound is loose so a
// busy machine does not fail it.
func TestAppendCostIndependentOfSize(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 40 MB log")
	}
	median := func(n int) time.Duration {
		l, err := Open(prefill(t, n))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		const rounds = 301
		times := make([]time.Duration, rounds)
		for i := range times {
			start := time.Now()
			if err := l.Append(decision("bench")); err != nil {
				t.Fatal(err)
			}
			times[i] = time.Since(start)
		}
		slices.Sort(times)
		return times[rounds/2]
	}
	small, large := median(1000), median(100000)
	ratio := float64(large) / float64(small)
	t.Logf("median append: 1k entries %v, 100k entries %v, ratio %.2f", small, large, ratio)
	if ratio > 4 {
		t.Fatalf("append on 100k entries is %.1f times slower than on 1k", ratio)
	}
}
