package policy

// ruleIndex finds, for a profile name, the rules that could match it, so
// that Evaluate need not try every rule of a large policy. It only ever
// narrows: each candidate is still checked in full, in file order, so the
// first rule that matches is the one a scan of every rule would find.
//
// A rule can match profile P only if it has no profiles: condition, or P
// is one of its exact names, or one of its globs matches P; a glob matches
// only names that start with its literal prefix (the text before its first
// '*' or '?'). So the candidates for P are the union of
//
//   - any: rules with no profiles: condition or with a glob whose literal
//     prefix is empty ("*", "?x");
//   - exact[P]: rules naming P exactly;
//   - prefixed[P[:n]] for each prefix length n that some glob has: rules
//     with a glob of that literal prefix.
//
// Each list holds rule positions in increasing order; lookup merges them.
type ruleIndex struct {
	any      []int32
	exact    map[string]span
	prefixed map[string]span
	// prefixLens are the distinct lengths of the keys of prefixed, in
	// increasing order.
	prefixLens []int
	// lists holds the positions of every span, one after another.
	lists []int32
}

// span is a run of ruleIndex.lists.
type span struct{ start, end int32 }

// maxMerge bounds how many lists one lookup merges on the stack; a lookup
// that would need more (a policy with many globs sharing a profile's
// prefixes) scans every rule instead, which is always correct.
const maxMerge = 16

// newRuleIndex indexes rules. Rules not compiled never match and are left
// out.
func newRuleIndex(rules []Rule) *ruleIndex {
	x := &ruleIndex{}
	// Two passes: count each key's rules, then fill one shared array, so
	// that 10,000 profile names cost two maps and one slice, not 10,000
	// slices. Counting may count a rule twice for one key (profiles:
	// [a, a]); that only leaves room unused, since filling lists a rule
	// once. The keys are kept in the order they first appear, so that the
	// lists are laid out the same way every time.
	exactN := make(map[string]int32, len(rules))
	prefixN := map[string]int32{}
	var exactKeys, prefixKeys []string
	for i := range rules {
		s := &rules[i].profiles
		if !rules[i].compiled || !s.given {
			continue
		}
		for _, e := range s.exact {
			if exactN[e] == 0 {
				exactKeys = append(exactKeys, e)
			}
			exactN[e]++
		}
		for j := range s.globs {
			if p := s.globs[j].prefix; p != "" {
				if prefixN[p] == 0 {
					prefixKeys = append(prefixKeys, p)
				}
				prefixN[p]++
			}
		}
	}
	total := int32(0)
	x.exact = make(map[string]span, len(exactN))
	for _, k := range exactKeys {
		x.exact[k] = span{total, total}
		total += exactN[k]
	}
	x.prefixed = make(map[string]span, len(prefixN))
	seenLen := map[int]bool{}
	for _, k := range prefixKeys {
		x.prefixed[k] = span{total, total}
		total += prefixN[k]
		if !seenLen[len(k)] {
			seenLen[len(k)] = true
			x.prefixLens = append(x.prefixLens, len(k))
		}
	}
	sortInts(x.prefixLens)
	x.lists = make([]int32, total)
	for i := range rules {
		s := &rules[i].profiles
		if !rules[i].compiled {
			continue
		}
		if !s.given {
			x.any = append(x.any, int32(i))
			continue
		}
		inAny := false
		for _, e := range s.exact {
			x.add(x.exact, e, i)
		}
		for j := range s.globs {
			if p := s.globs[j].prefix; p == "" {
				inAny = true
			} else {
				x.add(x.prefixed, p, i)
			}
		}
		if inAny {
			x.any = append(x.any, int32(i))
		}
	}
	return x
}

// add lists rule i under key in m, once.
func (x *ruleIndex) add(m map[string]span, key string, i int) {
	sp := m[key]
	if sp.end > sp.start && x.lists[sp.end-1] == int32(i) {
		return
	}
	x.lists[sp.end] = int32(i)
	sp.end++
	m[key] = sp
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// candidates gathers the lists of rules that could match profile into
// lists, and reports false when there are more than fit (the caller then
// scans every rule).
func (x *ruleIndex) candidates(profile string, lists *[maxMerge][]int32) (int, bool) {
	n := 0
	push := func(l []int32) bool {
		if len(l) == 0 {
			return true
		}
		if n == maxMerge {
			return false
		}
		lists[n] = l
		n++
		return true
	}
	if !push(x.any) {
		return 0, false
	}
	if sp, ok := x.exact[profile]; ok && !push(x.lists[sp.start:sp.end]) {
		return 0, false
	}
	for _, l := range x.prefixLens {
		if l > len(profile) {
			break
		}
		if sp, ok := x.prefixed[profile[:l]]; ok && !push(x.lists[sp.start:sp.end]) {
			return 0, false
		}
	}
	return n, true
}

// merged calls visit with each rule position found in lists, in increasing
// order and each once, until visit returns true.
func merged(lists *[maxMerge][]int32, n int, visit func(int) bool) {
	var heads [maxMerge]int
	last := int32(-1)
	for {
		best := -1
		var min int32
		for k := 0; k < n; k++ {
			l := lists[k]
			h := heads[k]
			for h < len(l) && l[h] <= last {
				h++
			}
			heads[k] = h
			if h < len(l) && (best < 0 || l[h] < min) {
				best, min = k, l[h]
			}
		}
		if best < 0 {
			return
		}
		last = min
		heads[best]++
		if visit(int(min)) {
			return
		}
	}
}
