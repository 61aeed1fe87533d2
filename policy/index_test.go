package policy

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/policy/policygen"
)

// choices draws from a byte string, so that the same generator serves a
// seeded random test and a fuzz target. Once the bytes run out it yields
// zeros.
type choices struct{ b []byte }

func (c *choices) n(k int) int {
	if len(c.b) == 0 || k <= 1 {
		return 0
	}
	v := int(c.b[0]) % k
	c.b = c.b[1:]
	return v
}

// indexProfiles are the profile names and patterns generated policies use:
// names that are prefixes of one another, globs with empty, short and long
// literal prefixes, so that exact, prefixed and any lists overlap.
var indexProfiles = []string{"a", "ab", "abc", "b", "ba", "a*", "ab*", "b*", "*", "?b", "a?c", "*c", "abc*", "x"}

// indexRequests are the profiles requests ask for.
var indexRequests = []string{"a", "ab", "abc", "abcd", "b", "ba", "bb", "c", "x", "xa", ""}

// genIndexCase builds a policy of up to 40 rules and 8 requests from c.
func genIndexCase(c *choices) (string, []Request) {
	var sb strings.Builder
	sb.WriteString("version: \"1\"\naccounts: [\"111122223333\"]\nrules:\n")
	nRules := 1 + c.n(40)
	effects := []string{"allow", "deny", "require_approval", "require_server"}
	days := []string{"monday", "saturday", "sunday"}
	for i := range nRules {
		fmt.Fprintf(&sb, "  - name: r%d\n    effect: %s\n", i, effects[c.n(len(effects))])
		var conds []string
		if c.n(5) > 0 {
			k := 1 + c.n(3)
			var ps []string
			for range k {
				ps = append(ps, `"`+indexProfiles[c.n(len(indexProfiles))]+`"`)
			}
			conds = append(conds, "profiles: ["+strings.Join(ps, ", ")+"]")
		}
		if c.n(3) == 0 {
			conds = append(conds, fmt.Sprintf("users: [u%d]", c.n(3)))
		}
		if c.n(4) == 0 {
			conds = append(conds, "mode: [server]")
		}
		if c.n(4) == 0 {
			conds = append(conds, "time: {days: ["+days[c.n(len(days))]+"], timezone: Europe/Berlin}")
		}
		if len(conds) > 0 {
			sb.WriteString("    conditions: {" + strings.Join(conds, ", ") + "}\n")
		}
	}
	modes := []Mode{ModeCLI, ModeServer, ModeCredentialProcess}
	var reqs []Request
	for range 1 + c.n(8) {
		reqs = append(reqs, Request{
			ARN:     fmt.Sprintf("arn:aws:iam::111122223333:user/u%d", c.n(3)),
			Profile: indexRequests[c.n(len(indexRequests))],
			Mode:    modes[c.n(len(modes))],
			// 2025-06-01 is a Sunday; the days cover Sunday to Saturday.
			Time: time.Date(2025, 6, 1+c.n(7), c.n(24), 0, 0, 0, time.UTC),
		})
	}
	return sb.String(), reqs
}

// checkIndexCase compares Evaluate, which uses the index, with a scan of
// every rule, for every request.
func checkIndexCase(t *testing.T, src string, reqs []Request) {
	t.Helper()
	p, err := Parse([]byte(src), "index.yaml")
	if err != nil {
		t.Fatalf("generated policy does not load: %v\n%s", err, src)
	}
	if p.index == nil {
		t.Fatal("Parse built no index")
	}
	for _, r := range reqs {
		got, want := p.Evaluate(r), p.evaluateAll(&r)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("profile %q mode %s at %s by %s:\nindexed %+v\nscan    %+v\npolicy:\n%s", r.Profile, r.Mode, r.Time, r.ARN, got, want, src)
		}
	}
}

// TestIndexAgreesWithScan pins that looking rules up by profile decides
// exactly as trying every rule in order does: same effect, same rule,
// same window and offset, over many generated policies and requests.
func TestIndexAgreesWithScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	for range 3000 {
		b := make([]byte, 512)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		src, reqs := genIndexCase(&choices{b})
		checkIndexCase(t, src, reqs)
	}
}

// TestIndexFallsBackWhenTooManyLists pins the fallback: a profile whose
// prefixes hit more lists than a lookup merges is decided by a full scan,
// with the same answer.
func TestIndexFallsBackWhenTooManyLists(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("version: \"1\"\nrules:\n")
	long := strings.Repeat("p", maxMerge+4)
	for i := 1; i <= len(long); i++ {
		fmt.Fprintf(&sb, "  - {name: r%d, effect: deny, conditions: {profiles: [\"%s*\"], mode: [server]}}\n", i, long[:i])
	}
	sb.WriteString("  - {name: last, effect: allow, conditions: {profiles: [\"" + long + "\"]}}\n")
	p := mustParse(t, sb.String())
	var lists [maxMerge][]int32
	if _, ok := p.index.candidates(long, &lists); ok {
		t.Fatal("lookup fit in the merge; the test wants the fallback")
	}
	d := p.Evaluate(Request{Profile: long, Mode: ModeCLI})
	if d.Rule != "last" {
		t.Errorf("decided by %q, want last", d.Rule)
	}
	if d := p.Evaluate(Request{Profile: long, Mode: ModeServer}); d.Rule != "r1" {
		t.Errorf("server mode decided by %q, want r1", d.Rule)
	}
}

// FuzzEvaluateIndex drives the same comparison from fuzzed bytes.
func FuzzEvaluateIndex(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x05\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte(strings.Repeat("\x27\x13\x88\xfe\x01", 60)))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, reqs := genIndexCase(&choices{data})
		checkIndexCase(t, src, reqs)
	})
}

// TestEvaluateConcurrently shares one indexed policy between goroutines,
// as the team service does (run with -race).
func TestEvaluateConcurrently(t *testing.T) {
	p := mustParse(t, string(policygen.Policy(2000, 2000)))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < 1998; i += 4 {
				if i%50 == 49 && i%100 != 99 {
					continue // a weekend deny; this user has no rule on a Tuesday
				}
				r := Request{ARN: policygen.UserARN(i), Profile: policygen.Profile(i), Roles: []string{policygen.RoleARN(i)}, Mode: ModeServer,
					Time: time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)}
				if d := p.Evaluate(r); d.RuleIndex != i {
					t.Errorf("user %d: rule %d", i, d.RuleIndex)
					return
				}
			}
		}()
	}
	wg.Wait()
}
