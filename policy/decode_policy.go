package policy

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Bounds of the durations in a policy (see the package doc).
const (
	minDuration        = 15 * time.Minute
	maxRuleDuration    = 12 * time.Hour
	maxGrantDuration   = 24 * time.Hour
	minRequestTTL      = 5 * time.Minute
	maxRequestTTL      = 7 * 24 * time.Hour
	maxCooldown        = 24 * time.Hour
	emptyConditionHint = "leave the key out to match anything"
)

// document decodes a whole policy file. It returns nil when the file is
// not even a YAML mapping; otherwise the (possibly partial) policy, with
// problems in d.issues.
func (d *decoder) document(data []byte) *Policy {
	if !d.slowYAML {
		// The plain subset policies are written in, read fast; anything
		// else goes through yaml.v3 below.
		if p, ok := d.fastDocument(data); ok {
			return p
		}
		d.issues, d.bare = nil, nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) || (err == nil && len(doc.Content) == 0) {
		d.addf(nil, "", `empty policy file (want version: "1" and rules:)`)
		return nil
	}
	if err != nil {
		d.syntax(err)
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		d.addf(&extra, "", "a second YAML document (want one policy per file)")
	case !errors.Is(err, io.EOF):
		d.syntax(err)
	}

	return d.root(&doc)
}

// fastDocument decodes data read by fastYAML, and reports false when
// fastYAML gave up on it, even halfway through (d then holds a partial
// decoding, to be thrown away). In the first pass (without field paths)
// the rules: and profiles: sections are read an entry at a time; the
// second pass reads the file whole, since its issues keep nodes.
func (d *decoder) fastDocument(data []byte) (p *Policy, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, bail := r.(errNotFast); !bail {
				panic(r)
			}
			p, ok = nil, false
		}
	}()
	root, fast, ok := readFastYAML(data, !d.paths)
	if !ok {
		return nil, false
	}
	d.fast = fast
	p = d.policy(root)
	// A section left unread (a second rules: key, say) was never checked
	// to be YAML at all.
	return p, fast.allRead()
}

// root checks the strings of a document yaml.v3 parsed and decodes its
// policy.
func (d *decoder) root(doc *yaml.Node) *Policy {
	if !d.checkStrings(doc, "") {
		return nil
	}
	return d.policy(doc.Content[0])
}

// policy decodes the policy whose strings are checked.
func (d *decoder) policy(root *yaml.Node) *Policy {
	p := &Policy{}
	var hasVersion, hasRules bool
	var testsNode *yaml.Node
	var testsField string
	ok := d.mapping(root, "", []key{
		{"version", func(f string, v *yaml.Node) { hasVersion = true; d.version(v, f) }},
		{"accounts", func(f string, v *yaml.Node) { p.Accounts = d.accounts(v, f) }},
		{"profiles", func(f string, v *yaml.Node) { p.hasPins = true; p.Pins = d.pins(v, f) }},
		{"rules", func(f string, v *yaml.Node) { hasRules = true; p.Rules = d.rules(v, f) }},
		{"approvals", func(f string, v *yaml.Node) { p.Approvals = d.approvals(v, f) }},
		{"breakglass", func(f string, v *yaml.Node) { p.Breakglass = d.breakglasses(v, f) }},
		{"tests", func(f string, v *yaml.Node) { testsNode, testsField = v, f; p.tests = d.testsSection(v, f) }},
	})
	if !ok {
		return nil
	}
	if !hasVersion {
		d.addf(root, "version", `missing (want version: "1")`)
	}
	if !hasRules && !d.view {
		d.addf(root, "rules", "missing (want at least one rule)")
	}
	d.bindNames(p)
	if testsNode != nil {
		d.checkTests(p, testsNode, testsField)
	}
	return p
}

func (d *decoder) version(n *yaml.Node, field string) {
	if n.Kind == yaml.ScalarNode && n.Value == Version && n.ShortTag() != "!!str" {
		d.addf(n, field, `want the string "1", got the number 1 (quote it)`)
		return
	}
	s, ok := d.str(n, field)
	if ok && s != Version {
		d.addf(n, field, `unsupported version %q (want "1")`, s)
	}
}

// rules decodes the rules: section.
func (d *decoder) rules(n *yaml.Node, field string) []Rule {
	// Each rule is decoded where it ends up: a Rule is large and full of
	// pointers, and copying 1,000 of them cost more than decoding them.
	var names uniqueNames
	if sec := d.fast.lazyOf(n); sec != nil && n.Kind == yaml.SequenceNode {
		// A block sequence has at least one entry.
		out := make([]Rule, sec.count)
		names.first = make(map[string]int, sec.count)
		i := 0
		for item, _, ok := sec.next(); ok; item, _, ok = sec.next() {
			if i == len(out) {
				sec.q.bail()
			}
			d.rule(&out[i], item, d.index(field, i), &names)
			i++
		}
		if i != len(out) {
			sec.q.bail()
		}
		return out
	}
	items, ok := d.sequence(n, field, "rules")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.addf(n, field, "empty rule list (want at least one rule)")
		return nil
	}
	out := make([]Rule, len(items))
	for i, item := range items {
		d.rule(&out[i], item, d.index(field, i), &names)
	}
	return out
}

// decodeItems decodes each item of a section with one, naming each by its
// index, and checks that the names are unique within the section.
func decodeItems[T any](d *decoder, items []*yaml.Node, field string, one func(*yaml.Node, string, *uniqueNames) T) []T {
	var names uniqueNames
	out := make([]T, 0, len(items))
	for i, item := range items {
		out = append(out, one(item, d.index(field, i), &names))
	}
	return out
}

// ruleKeys are the keys of a rule, in the order messages name them.
var ruleKeys = []string{"name", "effect", "conditions", "max_duration", "reason"}

// rule decodes the rule at n into r, which is the zero Rule.
func (d *decoder) rule(r *Rule, n *yaml.Node, field string, names *uniqueNames) {
	r.Line = n.Line
	var hasName, hasEffect bool
	it, ok := d.fields(n, field, ruleKeys)
	for ok && it.next() {
		f, v := it.f, it.v
		switch it.key {
		case 0: // name
			hasName = true
			r.Name, _ = d.name(v, f)
			names.check(d, v, f, "rule", r.Name)
		case 1: // effect
			hasEffect = true
			if s, ok := d.str(v, f); ok {
				e, err := parseEffect(s)
				if err != nil {
					d.addf(v, f, "%v", err)
				}
				r.Effect = e
			}
		case 2: // conditions
			d.conditions(v, f, r)
		case 3: // max_duration
			r.MaxDuration, _ = d.duration(v, f, minDuration, maxRuleDuration)
		case 4: // reason
			r.Reason, _ = d.str(v, f)
		}
	}
	if !ok {
		return
	}
	if !hasName {
		d.addf(n, join(field, "name"), "missing (every rule needs a name)")
	}
	if !hasEffect {
		d.addf(n, join(field, "effect"), "missing (want allow, deny, require_approval, require_server)")
	}
	r.compiled = true
	r.roles.all = r.Effect == EffectAllow
	r.serverReason = reasonNeedsServer
	if r.Reason != "" {
		r.serverReason += " (" + r.Reason + ")"
	}
}

// conditionKeys are the keys of a rule's conditions.
var conditionKeys = []string{"profiles", "users", "roles", "mode", "time"}

// conditions decodes a rule's conditions: and compiles them into r.
func (d *decoder) conditions(n *yaml.Node, field string, r *Rule) {
	it, ok := d.fields(n, field, conditionKeys)
	for ok && it.next() {
		f, v := it.f, it.v
		switch it.key {
		case 0:
			r.Conditions.Profiles, r.profiles = d.profiles(v, f, emptyConditionHint)
		case 1:
			r.Conditions.Users, r.users, _ = d.principals(v, f, emptyConditionHint)
		case 2:
			r.Conditions.Roles, r.roles = d.roles(v, f)
		case 3:
			r.Conditions.Modes, r.modes = d.modes(v, f)
		case 4:
			r.Conditions.Time = d.window(v, f)
		}
	}
}

// profiles decodes and compiles a list of profile names and globs. On any
// problem the set it returns matches nothing (the policy is refused anyway).
func (d *decoder) profiles(n *yaml.Node, field, emptyHint string) ([]string, profileSet) {
	list, ok := d.strList(n, field, emptyHint)
	if !ok {
		return list, profileSet{given: true}
	}
	set, bad, err := newProfileSet(list)
	if err != nil {
		d.addf(itemNode(n, bad), field, "bad glob %q: %v", list[bad], err)
		return list, profileSet{given: true}
	}
	return list, set
}

// roles decodes a roles: condition: role ARNs and ARN globs. On any
// problem the set it returns matches nothing.
func (d *decoder) roles(n *yaml.Node, field string) ([]string, roleSet) {
	list, ok := d.strList(n, field, emptyConditionHint)
	if !ok {
		return list, roleSet{given: true}
	}
	set := roleSet{given: true}
	for i, e := range list {
		if !strings.HasPrefix(e, "arn:") {
			d.addf(itemNode(n, i), field, "%q is not a role ARN or ARN pattern (want arn:aws:iam::<account>:role/NAME; * matches any run of characters)", e)
			ok = false
			continue
		}
		if err := checkGlob(e); err != nil {
			d.addf(itemNode(n, i), field, "bad ARN pattern %q: %v", e, err)
			ok = false
			continue
		}
		set.globs = append(set.globs, newGlob(e))
	}
	if !ok {
		return list, roleSet{given: true}
	}
	return list, set
}

// modes decodes the mode: condition.
func (d *decoder) modes(n *yaml.Node, field string) ([]Mode, modeSet) {
	list, _ := d.strList(n, field, emptyConditionHint)
	var out []Mode
	var set modeSet
	for i, s := range list {
		m, err := ParseMode(s)
		if err != nil {
			d.addf(itemNode(n, i), field, "%v", err)
			continue
		}
		out = append(out, m)
		set |= modeSet(modeBit(m))
	}
	return out, set
}

// itemNode returns the i-th item of a list node for its line, or the list
// itself when the item is not there.
func itemNode(n *yaml.Node, i int) *yaml.Node {
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i]
	}
	return n
}

// windowKeys and hoursKeys are the keys of a time window and its hours.
var (
	windowKeys = []string{"days", "hours", "timezone"}
	hoursKeys  = []string{"start", "end"}
)

// window decodes a time: condition and compiles its timezone.
func (d *decoder) window(n *yaml.Node, field string) *TimeWindow {
	w := &TimeWindow{Timezone: "UTC", loc: time.UTC}
	var hasDays, hasHours bool
	it, ok := d.fields(n, field, windowKeys)
	for ok && it.next() {
		f, v := it.f, it.v
		switch it.key {
		case 0: // days
			hasDays = true
			items, ok := d.sequence(v, f, "weekdays")
			if !ok {
				continue
			}
			if len(items) == 0 {
				d.addf(v, f, "empty list (leave days out for every day)")
			}
			w.Days = make([]time.Weekday, 0, len(items))
			for _, item := range items {
				s, ok := d.str(item, f)
				if !ok {
					continue
				}
				day, err := parseWeekday(s)
				if err != nil {
					d.addf(item, f, "%v", err)
					continue
				}
				w.Days = append(w.Days, day)
				w.dayMask |= 1 << day
			}
		case 1: // hours
			hasHours = true
			d.hours(v, f, w)
		case 2: // timezone
			s, ok := d.name(v, f)
			if !ok {
				continue
			}
			// "Local" would make the policy mean different things on
			// different machines.
			loc, err := d.location(s)
			if err != nil || s == "Local" {
				d.addf(v, f, "unknown timezone %q (want an IANA name like Europe/Berlin, or UTC)", s)
				continue
			}
			w.Timezone, w.loc = s, loc
		}
	}
	if ok && !hasDays && !hasHours {
		d.addf(n, field, "give days, hours or both")
	}
	return w
}

// hours decodes {start, end} into w.
func (d *decoder) hours(n *yaml.Node, field string, w *TimeWindow) {
	var start, end *yaml.Node
	it, ok := d.fields(n, field, hoursKeys)
	for ok && it.next() {
		if it.key == 0 {
			start = it.v
		} else {
			end = it.v
		}
	}
	if !ok {
		return
	}
	clock := func(v *yaml.Node, f string) (string, int, bool) {
		if v == nil {
			d.addf(n, f, "missing (want HH:MM)")
			return "", 0, false
		}
		s, ok := d.str(v, f)
		if !ok {
			return "", 0, false
		}
		m, err := parseClock(s)
		if err != nil {
			d.addf(v, f, "%v", err)
			return "", 0, false
		}
		return s, m, true
	}
	s, sm, okStart := clock(start, d.join(field, "start"))
	e, em, okEnd := clock(end, d.join(field, "end"))
	if !okStart || !okEnd {
		return
	}
	if sm == em {
		d.addf(n, field, "start and end are both %s (leave hours out for the whole day)", s)
		return
	}
	w.Start, w.End, w.start, w.end, w.hours = s, e, sm, em, true
}
