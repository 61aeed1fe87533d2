package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// racers is how many goroutines each race test starts.
const racers = 16

// uniquePrefix returns a random prefix for the names one suite run uses, so
// runs against a shared store never see each other's data.
func uniquePrefix(t *testing.T) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random prefix: %v", err)
	}
	return "st" + hex.EncodeToString(b[:])
}

// baseTime is a wall-clock instant in UTC with a nanosecond part, so that a
// store that drops sub-second precision fails the round-trip checks. It is
// close to the real time so that lock checks based on either the caller's
// clock or the store's own agree.
func baseTime() time.Time {
	return time.Now().UTC().Truncate(time.Second).Add(123456789 * time.Nanosecond)
}

// race runs fn in n goroutines released together and returns their errors
// in goroutine order.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// sameTime reports a mismatch between two times: they must be equal
// instants and the stored one must be in UTC.
func sameTime(field string, want, got time.Time) string {
	if !got.Equal(want) {
		return fmt.Sprintf("%s = %s, want %s", field, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	if !got.IsZero() && got.Location() != time.UTC {
		return fmt.Sprintf("%s location = %s, want UTC", field, got.Location())
	}
	return ""
}

// mustGet loads id and fails the test on error.
func mustGet[T any, S ~string](t *testing.T, st record.Reader[T, S], id string) *T {
	t.Helper()
	r, err := st.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return r
}

// listIDs runs q and returns the IDs in order.
func listIDs[T any, S ~string](t *testing.T, st record.Reader[T, S], k *record.Kind[T, S], q record.Query[S]) []string {
	t.Helper()
	rs, err := st.List(t.Context(), q)
	if err != nil {
		t.Fatalf("List %+v: %v", q, err)
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = k.ID(r)
	}
	return ids
}

// diff collects the differences a diff function finds, one per field.
type diff []string

func (d *diff) add(s string) {
	if s != "" {
		*d = append(*d, s)
	}
}

func (d *diff) field(name string, want, got any) {
	if want != got {
		d.add(fmt.Sprintf("%s = %v, want %v", name, got, want))
	}
}

func (d diff) String() string { return strings.Join(d, "; ") }
