package policy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder walks a yaml.Node tree by hand, rather than decoding into
// structs, so that every problem carries its line and field path and so
// that it can keep going after the first problem.
type decoder struct {
	issues []Issue
	// zones caches loaded timezones: loadZone parses the zone data on
	// every call, which dominated loading large policies.
	zones map[string]*time.Location
	// bare lists where bare names are used, for the accounts: check.
	bare []bareName
	// paths says whether to spell out field paths ("rules[3].effect").
	// Parse decodes first without them, since only issues show them and
	// building them was a third of a large policy's allocations; when
	// that finds any issue, it decodes again with them.
	paths bool
	// slowYAML reads the file with yaml.v3 even when fastYAML could.
	slowYAML bool
	// fast is the fastYAML reader of the file, for its lazy sections;
	// nil when yaml.v3 read it.
	fast *fastYAML
	// view decodes the part of a policy a compiled form picked out for
	// one profile (compiled.go), which may have no rule for it.
	view bool
}

// join is join when the decoder spells out paths, else field unchanged.
func (d *decoder) join(field, name string) string {
	if !d.paths {
		return field
	}
	return join(field, name)
}

// index is index when the decoder spells out paths, else field unchanged.
func (d *decoder) index(field string, i int) string {
	if !d.paths {
		return field
	}
	return index(field, i)
}

// location loads an IANA timezone once per Parse, from the database
// embedded in the binary only (see zones.go).
func (d *decoder) location(name string) (*time.Location, error) {
	if loc, ok := d.zones[name]; ok {
		return loc, nil
	}
	loc, err := loadZone(name)
	if err != nil {
		return nil, err
	}
	if d.zones == nil {
		d.zones = map[string]*time.Location{}
	}
	d.zones[name] = loc
	return loc, nil
}

// addf records an issue at n's line (line 1 when n is nil or has none).
func (d *decoder) addf(n *yaml.Node, field, format string, args ...any) {
	line := 1
	if n != nil && n.Line > 0 {
		line = n.Line
	}
	d.issues = append(d.issues, Issue{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// yamlLine finds the line in yaml's syntax errors, "yaml: line 3: ...".
// Compiled on first use, not at init: every command pays for init.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// syntax records a YAML syntax error as an issue.
func (d *decoder) syntax(err error) {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if m := yamlLine().FindStringSubmatch(msg); m != nil {
		if line, convErr := strconv.Atoi(m[1]); convErr == nil && line > 0 {
			d.issues = append(d.issues, Issue{Line: line, Message: "YAML syntax: " + m[2]})
			return
		}
	}
	d.issues = append(d.issues, Issue{Line: 1, Message: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")})
}

// key is one known key of a mapping and how to decode its value.
type key struct {
	name   string
	decode func(field string, v *yaml.Node)
}

// mapping decodes n as a mapping with the given keys, reporting keys that
// are unknown, repeated or not plain strings. It reports false (after
// recording an issue) when n is not a mapping at all.
func (d *decoder) mapping(n *yaml.Node, field string, keys []key) bool {
	if n.Kind != yaml.MappingNode {
		d.addf(n, field, "want a mapping, got %s", describe(n))
		return false
	}
	seen := make(map[string]int, len(keys))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			d.addf(k, field, "keys must be plain strings, got %s", describe(k))
			continue
		}
		f := d.join(field, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.addf(k, f, "duplicate key (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		known := false
		for _, kk := range keys {
			if kk.name == k.Value {
				kk.decode(f, v)
				known = true
				break
			}
		}
		if !known {
			d.addf(k, f, "unknown key (want %s)", keyNames(keys))
		}
	}
	return true
}

// fields walks the pairs of a mapping with the given keys, like mapping,
// but hands each known pair to the caller (which switches on key) instead
// of calling a function per key: the closures mapping takes escape to the
// heap, which cost a dozen allocations per rule. It reports the same
// issues, in the same order, as mapping.
type fields struct {
	d     *decoder
	n     *yaml.Node
	field string
	names []string
	i     int
	// first is the line where each known key was first seen (0: not yet).
	first [16]int
	// unknown remembers unknown keys, for duplicates of them; made on the
	// first one.
	unknown map[string]int

	// The current pair: which key (an index into names), its field path
	// and its value.
	key int
	f   string
	v   *yaml.Node
}

// fields starts walking n, which must be a mapping; like mapping it
// records an issue and reports false when n is not one. names has at most
// 16 keys.
func (d *decoder) fields(n *yaml.Node, field string, names []string) (fields, bool) {
	if n.Kind != yaml.MappingNode {
		d.addf(n, field, "want a mapping, got %s", describe(n))
		return fields{}, false
	}
	return fields{d: d, n: n, field: field, names: names}, true
}

// next moves to the next pair with a known key, recording an issue for
// each key on the way that is not a plain string, is repeated or unknown.
func (it *fields) next() bool {
	d := it.d
	for it.i+1 < len(it.n.Content) {
		k, v := it.n.Content[it.i], it.n.Content[it.i+1]
		it.i += 2
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			d.addf(k, it.field, "keys must be plain strings, got %s", describe(k))
			continue
		}
		f := d.join(it.field, k.Value)
		known := -1
		for j, name := range it.names {
			if name == k.Value {
				known = j
				break
			}
		}
		if known >= 0 {
			if first := it.first[known]; first != 0 {
				d.addf(k, f, "duplicate key (first at line %d)", first)
				continue
			}
			it.first[known] = k.Line
			it.key, it.f, it.v = known, f, v
			return true
		}
		if first, dup := it.unknown[k.Value]; dup {
			d.addf(k, f, "duplicate key (first at line %d)", first)
			continue
		}
		if it.unknown == nil {
			it.unknown = map[string]int{}
		}
		it.unknown[k.Value] = k.Line
		d.addf(k, f, "unknown key (want %s)", strings.Join(it.names, ", "))
	}
	return false
}

// sequence checks that n is a list and returns its items.
func (d *decoder) sequence(n *yaml.Node, field, what string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		d.addf(n, field, "want a list of %s, got %s", what, describe(n))
		return nil, false
	}
	return n.Content, true
}

// str decodes a string scalar. Numbers, booleans and nulls are not
// strings: "1" must be quoted, so that what is written is what is compared.
func (d *decoder) str(n *yaml.Node, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		hint := ""
		if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
			hint = " (quote it)"
		}
		d.addf(n, field, "want a string, got %s%s", describe(n), hint)
		return "", false
	}
	return n.Value, true
}

// name decodes a non-empty string.
func (d *decoder) name(n *yaml.Node, field string) (string, bool) {
	s, ok := d.str(n, field)
	if ok && strings.TrimSpace(s) == "" {
		d.addf(n, field, "must not be empty")
		return "", false
	}
	return s, ok
}

// strList decodes a non-empty list of non-empty strings. emptyHint says
// why an empty list is refused.
func (d *decoder) strList(n *yaml.Node, field, emptyHint string) ([]string, bool) {
	items, ok := d.sequence(n, field, "strings")
	if !ok {
		return nil, false
	}
	if len(items) == 0 {
		d.addf(n, field, "empty list (%s)", emptyHint)
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		s, ok := d.name(item, field)
		if !ok {
			continue
		}
		out = append(out, s)
	}
	return out, len(out) == len(items)
}

// duration decodes a Go duration string within [lo, hi]. A zero lo allows
// 0; otherwise the duration must be more than zero.
func (d *decoder) duration(n *yaml.Node, field string, lo, hi time.Duration) (time.Duration, bool) {
	s, ok := d.str(n, field)
	if !ok {
		return 0, false
	}
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		d.addf(n, field, "bad duration %q (want a Go duration like 90m or 1h)", s)
		return 0, false
	case v < 0 && lo == 0:
		d.addf(n, field, "duration %s must not be negative", s)
		return 0, false
	case v <= 0 && lo > 0:
		d.addf(n, field, "duration %s must be more than 0", s)
		return 0, false
	case v < lo || v > hi:
		low := "0s"
		if lo > 0 {
			low = FormatDuration(lo)
		}
		d.addf(n, field, "duration %s is outside %s..%s", s, low, FormatDuration(hi))
		return 0, false
	}
	return v, true
}

// integer decodes an integer scalar.
func (d *decoder) integer(n *yaml.Node, field string) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		d.addf(n, field, "want a whole number, got %s", describe(n))
		return 0, false
	}
	return v, true
}

// describe names what a node is, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias (YAML anchors and aliases are not supported)"
	case yaml.DocumentNode:
		return "a document"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!merge":
			return "a merge key (YAML anchors and aliases are not supported)"
		}
		return fmt.Sprintf("%s %q", n.ShortTag(), n.Value)
	}
	return "an unknown node"
}

// join appends a key to a field path.
func join(field, name string) string {
	if field == "" {
		return name
	}
	return field + "." + name
}

// index appends a list position to a field path.
func index(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

func keyNames(keys []key) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// uniqueNames reports a name (at node n) that appeared earlier in the same
// section.
type uniqueNames struct {
	first map[string]int
}

func (u *uniqueNames) check(d *decoder, n *yaml.Node, field, what, name string) {
	if name == "" {
		return
	}
	if u.first == nil {
		u.first = map[string]int{}
	}
	if first, dup := u.first[name]; dup {
		d.addf(n, field, "duplicate %s name %q (first at line %d)", what, name, first)
		return
	}
	u.first[name] = n.Line
}
