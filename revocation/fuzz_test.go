package revocation

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// fuzzReader hands out bytes of fuzz input; past the end it gives zeros.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// offset is a time offset from t0 of up to about ±14 hours, in steps of
// 250ms so that whole and part seconds both occur.
func (r *fuzzReader) offset() time.Duration {
	v := int(r.byte())<<8 | int(r.byte())
	return time.Duration(v-32768) * 1500 * time.Millisecond
}

// str takes a string of up to 31 bytes from the input.
func (r *fuzzReader) str() string {
	n := int(r.byte() % 32)
	if n > len(r.b) {
		n = len(r.b)
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

var fuzzValues = map[Target][]string{
	TargetSession:   {sid(1), sid(2), sid(3), "0123456789abcdef"},
	TargetGrant:     {"apr-00000000000000a1", "bg-00000000000000b1", "apr-00000000000000b1"},
	TargetBlock:     {"alice", "al", "alice=sso", "deploy=r111122223333", "bob,smith"},
	TargetUnblocked: {"alice", "al", "alice=sso", "bob"},
	TargetOlder:     {""},
}

var fuzzRoles = []string{roleA, roleB, roleC, strings.Replace(roleA, "deploy", "DEPLOY", 1)}

// fuzzEntries decodes entries from fuzz input: mostly well-formed, with
// arbitrary values, roles and statuses mixed in.
func fuzzEntries(data []byte) []*Entry {
	r := &fuzzReader{b: data}
	targets := []Target{TargetSession, TargetGrant, TargetBlock, TargetUnblocked, TargetOlder}
	var out []*Entry
	for n := 1; len(r.b) > 0 && n <= 64; n++ {
		target := targets[int(r.byte())%len(targets)]
		values := fuzzValues[target]
		var value string
		if c := r.byte(); int(c) < len(values) {
			value = values[c]
		} else if c == 255 {
			value = r.str()
		} else {
			value = values[int(c)%len(values)]
		}
		var roles []string
		mask := r.byte()
		for i, role := range fuzzRoles {
			if mask&(1<<i) != 0 {
				roles = append(roles, role)
			}
		}
		if mask&0x80 != 0 {
			roles = append(roles, r.str())
		}
		created := r.offset()
		e := mk(n, target, value, created, created+time.Duration(r.byte())*170*time.Second+time.Second, roles...)
		switch target {
		case TargetUnblocked:
			e.BlockedAt = t0.Add(created - time.Duration(r.byte())*time.Minute)
		case TargetOlder:
			e.IssuedBefore = e.CreatedAt
			e.By, e.ByARN = SystemActor, ""
		}
		switch st := r.byte(); st % 8 {
		case 6:
			e.Status, e.EndedAt = StatusPruned, e.ExpiresAt
		case 7:
			e.Status, e.EndedAt, e.LiftedBy = StatusLifted, e.CreatedAt, "lead"
		}
		out = append(out, e)
	}
	return out
}

// FuzzRender renders arbitrary entry lists. Whatever it renders must be a
// valid policy within the budget, with no empty list and no widened
// pattern, deny every applicable entry, and not depend on the order of the
// entries or on the run.
func FuzzRender(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0x80, 0x00, 10, 0}, int64(0), uint16(10240), uint64(1))
	f.Add([]byte{3, 1, 3, 0x80, 0x10, 200, 30, 0, 2, 255, 3, 'a', '*', 'b', 1, 0x80, 0, 100, 0}, int64(time.Minute), uint16(400), uint64(2))
	f.Add(bytes.Repeat([]byte{0, 9, 1, 0x80, 0x00, 50, 7, 1, 2, 1, 0x81, 0x00, 50, 0}, 30), int64(time.Hour), uint16(600), uint64(3))
	f.Add(bytes.Repeat([]byte{4, 0, 1, 0x7f, 0x00, 255, 0, 3, 1, 9, 0x80, 0x20, 10, 60, 0}, 8), int64(-time.Hour), uint16(180), uint64(4))
	f.Fuzz(func(t *testing.T, data []byte, nowOffset int64, budget uint16, seed uint64) {
		entries := fuzzEntries(data)
		now := t0.Add(time.Duration(nowOffset % int64(24*time.Hour)))
		doc, err := Render(entries, roleA, now, int(budget))
		if err != nil {
			if !errors.Is(err, record.ErrInvalid) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			if errors.Is(err, ErrTooLarge) && budget > 200 {
				t.Fatalf("the fallback did not fit %d characters", budget)
			}
			return
		}
		var want []string
		var live []*Entry
		for _, e := range entries {
			if e.ActiveAt(now) && e.Names(roleA) {
				want = append(want, e.ID)
				live = append(live, e)
			}
		}
		slices.Sort(want)
		if !slices.Equal(doc.Covered, want) {
			t.Fatalf("Covered %v, want %v", doc.Covered, want)
		}
		if doc.Empty != (len(want) == 0) {
			t.Fatalf("Empty %v with %d applicable entries", doc.Empty, len(want))
		}
		if !doc.Empty {
			checkDocument(t, doc, int(budget))
			checkPatterns(t, doc.JSON)
			for _, e := range live {
				checkDenied(t, doc, e, live)
			}
		}
		again, err := Render(entries, roleA, now, int(budget))
		if err != nil || !bytes.Equal(again.JSON, doc.JSON) {
			t.Fatalf("a second render differs: %v", err)
		}
		shuffled := slices.Clone(entries)
		rand.New(rand.NewPCG(seed, seed^0x5e55)).Shuffle(len(shuffled), func(i, j int) {
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		})
		other, err := Render(shuffled, roleA, now, int(budget))
		if err != nil || !bytes.Equal(other.JSON, doc.JSON) || !slices.Equal(other.Covered, doc.Covered) {
			t.Fatalf("shuffled input renders differently: %v\n%s\n%s", err, doc.JSON, other.JSON)
		}
	})
}

// checkPatterns checks that every StringLike value is one of the two
// shapes sentinel writes, with wildcards only where they belong.
func checkPatterns(t *testing.T, doc []byte) {
	t.Helper()
	for _, part := range strings.Split(string(doc), `"`) {
		if !strings.Contains(part, "*") || part == "*" {
			continue
		}
		rest, ok := strings.CutPrefix(part, "sentinel.")
		if !ok || !strings.HasSuffix(rest, ".*") {
			t.Fatalf("pattern %q", part)
		}
		middle := strings.TrimSuffix(rest, ".*")
		if basis, ok := strings.CutPrefix(middle, "*."); ok {
			if !ValidBasis(basis) {
				t.Fatalf("grant pattern %q", part)
			}
		} else if !ValidLabel(middle) {
			t.Fatalf("label pattern %q", part)
		}
	}
}

// checkDenied checks that the document denies what e targets: by its own
// value, by a block of the same person, or by a SentinelRevokeOlder
// statement at or after the moment its credentials were issued before.
func checkDenied(t *testing.T, doc Document, e *Entry, live []*Entry) {
	t.Helper()
	if !doc.IssuedBefore.IsZero() && !e.reach().After(doc.IssuedBefore) {
		return
	}
	var needle string
	switch e.Target {
	case TargetSession:
		needle = `"` + e.Value + `"`
	case TargetGrant:
		needle = `"sentinel.*.` + e.Value + `.*"`
	case TargetBlock, TargetUnblocked:
		needle = `"sentinel.` + e.Value + `.*"`
	case TargetOlder:
		t.Fatalf("older entry %s at %s, document at %s", e.ID, e.IssuedBefore, doc.IssuedBefore)
	}
	if !bytes.Contains(doc.JSON, []byte(needle)) {
		t.Fatalf("entry %s (%s %s) is not denied:\n%s", e.ID, e.Target, e.Value, doc.JSON)
	}
	if e.Target == TargetUnblocked && !blocked(e.Value, live) {
		// The statement's time must reach the entry's block time.
		stamp := formatTime(wholeSecond(e.BlockedAt))
		i := bytes.Index(doc.JSON, []byte(needle))
		tail := doc.JSON[i:]
		j := bytes.Index(tail, []byte(`"aws:TokenIssueTime":"`))
		if j < 0 {
			t.Fatalf("unblocked %s has no time", e.Value)
		}
		got := string(tail[j+len(`"aws:TokenIssueTime":"`):][:len(stamp)])
		if got < stamp {
			t.Fatalf("unblocked %s denies before %s, want at least %s", e.Value, got, stamp)
		}
	}
}

// blocked reports whether a live block entry names label.
func blocked(label string, live []*Entry) bool {
	for _, e := range live {
		if e.Target == TargetBlock && e.Value == label {
			return true
		}
	}
	return false
}

// TestFuzzEntriesDecode keeps the decoder honest: the seeds give valid
// entries of every kind, so the fuzz target renders real documents and
// not only errors.
func TestFuzzEntriesDecode(t *testing.T) {
	var data []byte
	for i := 0; i < 5; i++ {
		data = append(data, byte(i), 0, 0x01, 0x80, 0x10, 200)
		if i == 3 { // unblocked: its block time
			data = append(data, 5)
		}
		data = append(data, 0)
	}
	kinds := map[Target]bool{}
	for _, e := range fuzzEntries(data) {
		if err := e.Validate(); err != nil {
			t.Fatalf("entry %d: %v", len(kinds), err)
		}
		kinds[e.Target] = true
	}
	if len(kinds) != 5 {
		t.Fatalf("decoded kinds %v", kinds)
	}
}
