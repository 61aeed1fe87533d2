package revocation

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

var update = flag.Bool("update", false, "rewrite the golden documents in testdata/")

// TestRender renders one role's document from a set of entries and
// compares it with testdata/<name>.json.
func TestRender(t *testing.T) {
	now := t0.Add(30 * time.Minute)
	tests := []struct {
		name     string
		entries  []*Entry
		role     string
		budget   int
		fallback bool
		covered  []int
	}{
		{
			name: "sessions_sorted_and_deduplicated",
			entries: []*Entry{
				mk(1, TargetSession, sid(3), 0, time.Hour),
				mk(2, TargetSession, sid(1), 0, time.Hour, roleB, roleA),
				mk(3, TargetSession, sid(3), time.Minute, 2*time.Hour),
				mk(4, TargetSession, sid(2), 0, time.Hour),
			},
			covered: []int{1, 2, 3, 4},
		},
		{
			name: "grants",
			entries: []*Entry{
				mk(1, TargetGrant, "bg-00000000000000b1", 0, time.Hour),
				mk(2, TargetGrant, "apr-00000000000000a2", 0, time.Hour),
				mk(3, TargetGrant, "apr-00000000000000a1", 0, time.Hour),
			},
			covered: []int{1, 2, 3},
		},
		{
			name: "blocks",
			entries: []*Entry{
				mk(1, TargetBlock, "zed", 0, 12*time.Hour),
				mk(2, TargetBlock, "alice=sso", 0, 12*time.Hour),
				mk(3, TargetBlock, "deploy=r111122223333", 0, 12*time.Hour),
			},
			covered: []int{1, 2, 3},
		},
		{
			// N is given by label, whatever the order of the entries.
			name: "unblocked_numbered_by_label",
			entries: []*Entry{
				unblocked(1, "zed", -2*time.Hour, 0, 10*time.Hour),
				unblocked(2, "alice", -time.Hour+500*time.Millisecond, 0, 11*time.Hour),
				unblocked(3, "mallory=sso", -3*time.Hour, 0, 9*time.Hour),
			},
			covered: []int{1, 2, 3},
		},
		{
			// An unblocked entry whose credentials have expired is
			// dropped, and N closes up.
			name: "unblocked_expired_dropped",
			entries: []*Entry{
				unblocked(1, "zed", -2*time.Hour, 0, 10*time.Hour),
				unblocked(2, "alice", -11*time.Hour, -time.Hour, 30*time.Minute),
				unblocked(3, "bob", -11*time.Hour, -time.Hour, 31*time.Minute),
			},
			covered: []int{1, 3},
		},
		{
			// Two unblocks of one person: the later block time denies
			// more. A person blocked again is denied by the block.
			name: "unblocked_merged_and_reblocked",
			entries: []*Entry{
				unblocked(1, "alice", -5*time.Hour, -4*time.Hour, 7*time.Hour),
				unblocked(2, "alice", -2*time.Hour, -time.Hour, 10*time.Hour),
				unblocked(3, "bob", -2*time.Hour, -time.Hour, 10*time.Hour),
				mk(4, TargetBlock, "bob", 0, 12*time.Hour),
			},
			covered: []int{1, 2, 3, 4},
		},
		{
			name: "every_kind",
			entries: []*Entry{
				mk(1, TargetSession, sid(1), 0, time.Hour),
				mk(2, TargetGrant, "apr-00000000000000a1", 0, time.Hour),
				mk(3, TargetGrant, "bg-00000000000000b1", 0, time.Hour),
				mk(4, TargetBlock, "mallory", 0, 12*time.Hour),
				unblocked(5, "alice", -time.Hour, 0, 11*time.Hour),
			},
			covered: []int{1, 2, 3, 4, 5},
		},
		{
			// Only active, unexpired entries naming the role count, and
			// the role is compared ignoring case.
			name: "other_roles_and_statuses_ignored",
			entries: []*Entry{
				mk(1, TargetSession, sid(1), 0, time.Hour, strings.Replace(roleA, "deploy", "Deploy", 1)),
				mk(2, TargetSession, sid(2), 0, time.Hour, roleB),
				mk(3, TargetSession, sid(3), -time.Hour, 30*time.Minute),
				func() *Entry {
					e := mk(4, TargetBlock, "bob", 0, 12*time.Hour)
					e.Status, e.EndedAt, e.LiftedBy = StatusLifted, t0, "lead"
					return e
				}(),
				func() *Entry {
					e := mk(5, TargetSession, sid(5), 0, time.Hour)
					e.Status, e.EndedAt = StatusPruned, t0
					return e
				}(),
				older(6, 0, 12*time.Hour, roleB),
			},
			covered: []int{1},
		},
		{
			// An older entry covers what was made before its time; the
			// entries made after it keep their statements.
			name: "older_and_newer",
			entries: []*Entry{
				older(1, 10*time.Minute+300*time.Millisecond, 12*time.Hour, roleA),
				mk(2, TargetSession, sid(2), 0, time.Hour),
				mk(3, TargetBlock, "alice", 5*time.Minute, 12*time.Hour),
				unblocked(4, "bob", 0, 20*time.Minute, 11*time.Hour),
				unblocked(5, "carol", 15*time.Minute, 20*time.Minute, 11*time.Hour),
				mk(6, TargetSession, sid(6), 20*time.Minute, time.Hour),
				mk(7, TargetGrant, "bg-00000000000000b7", 25*time.Minute, time.Hour),
			},
			covered: []int{1, 2, 3, 4, 5, 6, 7},
		},
		{
			// Of two older entries the later time covers more.
			name: "two_olders",
			entries: []*Entry{
				older(1, 10*time.Minute, 12*time.Hour, roleA),
				older(2, 20*time.Minute, time.Hour, roleA),
				mk(3, TargetSession, sid(3), 15*time.Minute, time.Hour),
				mk(4, TargetSession, sid(4), 25*time.Minute, time.Hour),
			},
			covered: []int{1, 2, 3, 4},
		},
		{
			// Over the budget: every session of the role issued before
			// now is denied instead.
			name:     "fallback",
			entries:  manySessions(3),
			budget:   200,
			fallback: true,
			covered:  []int{1, 2, 3},
		},
		{
			// An entry made after now (a clock ahead) is still covered:
			// the fallback moves to its time.
			name: "fallback_after_clock_ahead",
			entries: append(manySessions(2),
				mk(9, TargetSession, sid(9), 40*time.Minute+100*time.Millisecond, 2*time.Hour)),
			budget:   200,
			fallback: true,
			covered:  []int{1, 2, 9},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			role, budget := tt.role, tt.budget
			if role == "" {
				role = roleA
			}
			if budget == 0 {
				budget = RoleInlineLimit
			}
			doc, err := Render(tt.entries, role, now, budget)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Empty || doc.Fallback != tt.fallback {
				t.Fatalf("Empty %v Fallback %v, want Fallback %v", doc.Empty, doc.Fallback, tt.fallback)
			}
			var want []string
			for _, n := range tt.covered {
				want = append(want, mk(n, TargetSession, "", 0, 0).ID)
			}
			if !slices.Equal(doc.Covered, want) {
				t.Fatalf("Covered %v, want %v", doc.Covered, want)
			}
			checkDocument(t, doc, budget)
			golden(t, tt.name, doc.JSON)
		})
	}
}

// manySessions returns n session entries of roleA made at t0.
func manySessions(n int) []*Entry {
	var out []*Entry
	for i := 1; i <= n; i++ {
		out = append(out, mk(i, TargetSession, sid(i), 0, time.Hour))
	}
	return out
}

// checkDocument checks what every rendered document keeps: its hash, its
// size, its budget, and no statement with an empty list.
func checkDocument(t *testing.T, doc Document, budget int) {
	t.Helper()
	sum := sha256.Sum256(doc.JSON)
	if doc.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("SHA256 %s is not of the document", doc.SHA256)
	}
	if doc.Size != PolicySize(doc.JSON) || doc.Size > budget {
		t.Fatalf("Size %d (counted %d), budget %d", doc.Size, PolicySize(doc.JSON), budget)
	}
	if bytes.ContainsAny(doc.JSON, " \n\t") {
		t.Fatalf("document has whitespace: %s", doc.JSON)
	}
	var p struct {
		Version   string
		Statement []struct {
			Sid, Effect, Action, Resource string
			Condition                     map[string]map[string]any
		}
	}
	dec := json.NewDecoder(bytes.NewReader(doc.JSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("document is not a policy: %v\n%s", err, doc.JSON)
	}
	if p.Version != "2012-10-17" || len(p.Statement) == 0 {
		t.Fatalf("document %s", doc.JSON)
	}
	sids := map[string]bool{}
	for _, s := range p.Statement {
		if s.Effect != "Deny" || s.Action != "*" || s.Resource != "*" || len(s.Condition) == 0 || sids[s.Sid] {
			t.Fatalf("statement %+v", s)
		}
		sids[s.Sid] = true
		for op, keys := range s.Condition {
			for key, v := range keys {
				if list, ok := v.([]any); ok && len(list) == 0 {
					t.Fatalf("statement %s: %s %s has an empty list", s.Sid, op, key)
				}
				if v == "" {
					t.Fatalf("statement %s: %s %s is empty", s.Sid, op, key)
				}
			}
		}
	}
	if doc.IssuedBefore.IsZero() == sids[SidRevokeOlder] {
		t.Fatalf("IssuedBefore %s but statements %v", doc.IssuedBefore, sids)
	}
}

// golden compares a document, indented, with testdata/<name>.json.
func golden(t *testing.T, name string, doc []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, doc, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Fatalf("%s differs:\ngot:\n%s\nwant:\n%s", path, pretty.Bytes(), want)
	}
}

// TestRenderEmpty checks that a role nothing applies to gets an empty
// document: the policy is to be deleted.
func TestRenderEmpty(t *testing.T) {
	now := t0.Add(time.Hour)
	sets := map[string][]*Entry{
		"none":       nil,
		"other role": {mk(1, TargetSession, sid(1), 0, 2*time.Hour, roleB)},
		"expired":    {mk(1, TargetSession, sid(1), 0, time.Hour)},
		"pruned": {func() *Entry {
			e := mk(1, TargetSession, sid(1), 0, 2*time.Hour)
			e.Status, e.EndedAt = StatusPruned, now
			return e
		}()},
	}
	for name, entries := range sets {
		doc, err := Render(entries, roleA, now, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !doc.Empty || doc.JSON != nil || doc.SHA256 != "" || doc.Fallback || len(doc.Covered) != 0 {
			t.Fatalf("%s: %+v", name, doc)
		}
	}
}

// TestRenderBudgetEdge checks the size limit to the character: a document
// exactly at the budget is written as it is, one character less falls
// back, and a budget too small even for the fallback is an error.
func TestRenderBudgetEdge(t *testing.T) {
	now := t0.Add(30 * time.Minute)
	entries := manySessions(50)
	full, err := Render(entries, roleA, now, RoleInlineLimit)
	if err != nil || full.Fallback {
		t.Fatalf("full render: %+v, %v", full, err)
	}
	at, err := Render(entries, roleA, now, full.Size)
	if err != nil || at.Fallback || !bytes.Equal(at.JSON, full.JSON) {
		t.Fatalf("at the budget: fallback %v, %v", at.Fallback, err)
	}
	over, err := Render(entries, roleA, now, full.Size-1)
	if err != nil || !over.Fallback {
		t.Fatalf("one over the budget: fallback %v, %v", over.Fallback, err)
	}
	if !over.IssuedBefore.Equal(now) || len(over.Covered) != 50 {
		t.Fatalf("fallback at %s covering %d", over.IssuedBefore, len(over.Covered))
	}
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"SentinelRevokeOlder","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-12-08T03:30:00Z"}}}]}`
	if string(over.JSON) != want {
		t.Fatalf("fallback\n%s\nwant\n%s", over.JSON, want)
	}
	if fit, err := Render(entries, roleA, now, over.Size); err != nil || !fit.Fallback {
		t.Fatalf("fallback exactly at the budget: %v", err)
	}
	if _, err := Render(entries, roleA, now, over.Size-1); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("fallback over the budget: %v, want ErrTooLarge", err)
	}
}

// TestRenderOlderThenFallback checks the life of a role at the limit: the
// fallback, the older entry the caller stores for it, a render with the
// older entry and fewer newer entries that fit, and a new fallback when
// the newer entries do not fit either.
func TestRenderOlderThenFallback(t *testing.T) {
	now := t0.Add(30*time.Minute + 200*time.Millisecond)
	first, err := Render(manySessions(40), roleA, now, 600)
	if err != nil || !first.Fallback {
		t.Fatalf("first render: fallback %v, %v", first.Fallback, err)
	}
	if want := t0.Add(30*time.Minute + time.Second); !first.IssuedBefore.Equal(want) {
		t.Fatalf("fallback time %s, want %s (rounded up)", first.IssuedBefore, want)
	}
	o, err := NewOlder(roleA, first.IssuedBefore, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	entries := append(manySessions(40), o)
	later := first.IssuedBefore.Add(time.Minute)
	entries = append(entries, mk(99, TargetSession, sid(99), 31*time.Minute, 2*time.Hour))
	second, err := Render(entries, roleA, later, 600)
	if err != nil || second.Fallback {
		t.Fatalf("with the older entry: fallback %v, %v", second.Fallback, err)
	}
	if !second.IssuedBefore.Equal(first.IssuedBefore) || len(second.Covered) != 42 {
		t.Fatalf("older time %s, covered %d", second.IssuedBefore, len(second.Covered))
	}
	if !bytes.Contains(second.JSON, []byte(sid(99))) || bytes.Contains(second.JSON, []byte(sid(1))) {
		t.Fatalf("want only the newer session listed: %s", second.JSON)
	}
	for i := 100; i < 140; i++ {
		entries = append(entries, mk(i, TargetSession, sid(i), 31*time.Minute, 2*time.Hour))
	}
	third, err := Render(entries, roleA, later, 600)
	if err != nil || !third.Fallback || !third.IssuedBefore.Equal(later) {
		t.Fatalf("newer entries over the budget: %+v, %v", third, err)
	}
}

// TestRenderRefuses checks that bad input fails the render rather than
// reach IAM: a widened label, a role that is not a role, a negative budget
// and a nil entry.
func TestRenderRefuses(t *testing.T) {
	now := t0.Add(time.Minute)
	widened := mk(1, TargetBlock, "*", 0, time.Hour)
	cases := map[string]func() error{
		"widened label": func() error { _, err := Render([]*Entry{widened}, roleA, now, RoleInlineLimit); return err },
		"bad role":      func() error { _, err := Render(nil, "arn:aws:iam::111122223333:role/*", now, 1); return err },
		"budget":        func() error { _, err := Render(nil, roleA, now, -1); return err },
		"nil entry":     func() error { _, err := Render([]*Entry{nil}, roleA, now, 1); return err },
	}
	for name, f := range cases {
		if err := f(); !errors.Is(err, record.ErrInvalid) {
			t.Errorf("%s: %v, want an invalid error", name, err)
		}
	}
}

// TestPolicySize checks the count IAM applies: characters, not bytes, and
// whitespace not counted.
func TestPolicySize(t *testing.T) {
	for in, want := range map[string]int{
		``:                   0,
		`{}`:                 2,
		"{ \"a\" :\n\t1 }\r": 7,
		`"é"`:                3,
		"\u00a0x":            1,
	} {
		if got := PolicySize([]byte(in)); got != want {
			t.Errorf("PolicySize(%q) = %d, want %d", in, got, want)
		}
	}
}
