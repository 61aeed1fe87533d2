package local

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
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

// BenchmarkTouch is the warm decision's one store write, one caller at a
// time (so without group commit's sharing of the fsync).
func BenchmarkTouch(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	se := testSession(b, "alice")
	for i := 0; i < 100; i++ { // other sessions, so that the indexes have pages
		if err := s.Sessions().Create(context.Background(), testSession(b, fmt.Sprintf("user%d", i))); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Sessions().Create(context.Background(), se); err != nil {
		b.Fatal(err)
	}
	at := se.StartedAt
	b.ReportAllocs()
	for b.Loop() {
		at = at.Add(time.Millisecond)
		if err := s.Sessions().Touch(context.Background(), se.ID, se.UserARN, at, se.ExpiresAt); err != nil {
			b.Fatal(err)
		}
	}
}
