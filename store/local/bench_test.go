package local

import (
	"context"
	"path/filepath"
	"testing"
)

// The benchmarks compare a long-lived handle with PerOperation, which pays
// an open, a lock and an mmap on every call. Run with -count to get several
// samples and compare medians.

func BenchmarkGet(b *testing.B) {
	for _, mode := range []struct {
		name  string
		perOp bool
	}{{"held", false}, {"per-operation", true}} {
		b.Run(mode.name, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{PerOperation: mode.perOp})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			r := testRequest(b, "alice")
			if err := s.Requests().Create(context.Background(), r); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Requests().Get(context.Background(), r.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCreate(b *testing.B) {
	for _, mode := range []struct {
		name  string
		perOp bool
	}{{"held", false}, {"per-operation", true}} {
		b.Run(mode.name, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{PerOperation: mode.perOp})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for b.Loop() {
				if err := s.Requests().Create(context.Background(), testRequest(b, "alice")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
