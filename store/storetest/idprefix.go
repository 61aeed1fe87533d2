package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/request"
)

// TestRequestIDPrefixIndex runs the request.IDPrefixIndex contract against
// the store newStore returns: a prefix finds anyone's request in any
// status, sorted, up to the limit, and a prefix too short to be indexed is
// refused.
func TestRequestIDPrefixIndex(t *testing.T, newStore func(t *testing.T) request.Store) {
	st := newStore(t)
	idx, ok := st.(request.IDPrefixIndex)
	if !ok {
		t.Fatalf("%T has no ID-prefix index", st)
	}
	s := &requestSuite{prefix: uniquePrefix(t), base: baseTime(), newStore: newStore}
	// Six random hex digits private to this run, then IDs that share more.
	raw := make([]byte, 3)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	base := hex.EncodeToString(raw)
	ids := []string{base + "0000000001", base + "00000000ff", base + "0000000f01", base + "abcdef0123"}
	for i, id := range ids {
		r := s.newRequest(t, s.name(t, "requester")+string(rune('a'+i)), s.name(t, "prod"), time.Duration(i)*time.Minute)
		r.ID = id
		s.create(t, st, r)
	}
	// Someone else approves one: it is found all the same.
	if _, err := st.Change(t.Context(), ids[3], func(r *request.Request) error {
		return r.Approve("approver", "arn:aws:iam::111122223333:user/approver", "", s.base.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		prefix string
		limit  int
		want   []string
	}{
		{base, 10, ids},
		{base + "00000000", 10, ids[:2]},
		{base + "0000000f", 10, ids[2:3]},
		{base + "abc", 10, ids[3:]},
		{base, 2, ids[:2]},
		{base + "ffff", 10, nil},
	} {
		got, err := idx.IDsWithPrefix(t.Context(), tt.prefix, tt.limit)
		if err != nil {
			t.Fatalf("IDsWithPrefix(%s, %d): %v", tt.prefix, tt.limit, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("IDsWithPrefix(%s, %d) = %v, want %v", tt.prefix, tt.limit, got, tt.want)
		}
	}
	for _, short := range []string{"", base[:5]} {
		if _, err := idx.IDsWithPrefix(t.Context(), short, 10); !errors.Is(err, request.ErrInvalid) {
			t.Errorf("IDsWithPrefix(%q): err %v, want ErrInvalid", short, err)
		}
	}
}
