package policy

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fastYAML parses the plain subset of YAML that policy files are written
// in into the same yaml.Node tree go.yaml.in/yaml/v3 builds, without its
// cost: yaml.v3 spent 10 ms and 64,000 allocations on a 1,000-rule policy,
// every command, while this parser takes the nodes and their slices from a
// few large blocks and the strings from one copy of the file.
//
// It is only a shortcut: whenever the input leaves the subset, or is not
// valid YAML, it gives up and Parse uses yaml.v3, whose tree (and whose
// error messages) are the reference. The subset:
//
//   - printable ASCII and newlines only (no tab, CR, BOM or non-ASCII
//     byte anywhere, comments included);
//   - one document, a block mapping starting at column 1; no "---",
//     "..." or "%" line; no anchors, aliases, tags, block scalars,
//     complex keys or empty values;
//   - block mappings and block sequences (indented or not, "- key: v"
//     compact mappings included);
//   - flow sequences and mappings that close on the line they open on,
//     with no empty entry, trailing comma or single-pair mapping;
//   - plain scalars on one line that start with no indicator character,
//     and quoted scalars on one line without escapes;
//   - comments that follow a space or start a line.
//
// It also gives up on a string over MaxStringSize. So every string of a
// tree it returns already passes the string checks (checkStrings), which
// need not walk it again.
//
// FuzzFastYAML checks that whatever it accepts, yaml.v3 parses to the
// same tree: kinds, tags, values, styles, lines and columns.
type fastYAML struct {
	src       string
	pos       int
	line      int // 1-based line of pos
	lineStart int // offset of the first byte of pos's line

	nodes []yaml.Node  // the block nodes are taken from
	ptrs  []*yaml.Node // the block Content slices are taken from
	stack []*yaml.Node // children of the collections being read
	size  int          // size of the next node block, if one is needed

	// lazy has the root's rules: and profiles: read later (lazySection).
	lazy     bool
	sections []*lazySection
}

// errNotFast stops fastYAML; Parse then falls back to yaml.v3.
type errNotFast struct{}

// parseFastYAML returns the root mapping of data, or false when data is
// outside the subset (or invalid) and yaml.v3 must parse it.
func parseFastYAML(data []byte) (root *yaml.Node, ok bool) {
	root, _, ok = readFastYAML(data, false)
	return root, ok
}

// readFastYAML is parseFastYAML; with lazy, the root's rules: and
// profiles: sections are left to be read through the returned reader (see
// lazySection), whose reading may panic with errNotFast.
func readFastYAML(data []byte, lazy bool) (root *yaml.Node, fast *fastYAML, ok bool) {
	words, ok := scanBytes(data, !lazy)
	if !ok {
		return nil, nil, false
	}
	// Take the nodes from one block sized for the file: every node but a
	// block mapping starts a word (a run after a space, newline, '[', '{'
	// or ','), so the words are about the nodes (95% of them in flow-style
	// rules; block mappings add one node per mapping). More blocks of an
	// eighth of that follow if the first runs out.
	p := &fastYAML{src: string(data), line: 1, size: words/8 + 64, lazy: lazy}
	if lazy {
		// Most nodes are in the lazy sections, which have their own.
		p.size = 256
	} else {
		p.nodes = make([]yaml.Node, words+16)
		p.ptrs = make([]*yaml.Node, len(p.nodes))
	}
	defer func() {
		if r := recover(); r != nil {
			if _, bail := r.(errNotFast); !bail {
				panic(r)
			}
			root, fast, ok = nil, nil, false
		}
	}()
	ind, ok := p.nextContent()
	if !ok || ind != 0 {
		p.bail()
	}
	root = p.blockMapping(0)
	if _, more := p.nextContent(); more {
		p.bail()
	}
	return root, p, true
}

func (p *fastYAML) bail() { panic(errNotFast{}) }

// scanBytes checks data: it reports false when data holds a byte outside
// printable ASCII and newline, or a line starting with a document marker
// ("---", "...") or a directive ("%"). With countWords it also counts the
// places a node can start (see readFastYAML).
func scanBytes(data []byte, countWords bool) (words int, ok bool) {
	for _, c := range data {
		// One comparison for both ends of printable ASCII: below 0x20
		// the subtraction wraps around.
		if c-0x20 >= 0x7f-0x20 && c != '\n' {
			return 0, false
		}
	}
	for i := 0; i < len(data); {
		c := data[i]
		if c == '%' || (c == '-' || c == '.') && len(data)-i >= 3 && data[i+1] == c && data[i+2] == c {
			return 0, false
		}
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	if !countWords {
		return 0, true
	}
	prev := byte('\n')
	for _, c := range data {
		if c != ' ' && c != '\n' && (prev == ' ' || prev == '\n' || prev == '[' || prev == '{' || prev == ',') {
			words++
		}
		prev = c
	}
	return words, true
}

func indexByteFrom(s string, i int, c byte) int {
	if i >= len(s) {
		return -1
	}
	if j := strings.IndexByte(s[i:], c); j >= 0 {
		return i + j
	}
	return -1
}

// node takes a fresh node from the current block.
func (p *fastYAML) node(kind yaml.Kind, tag string, line, col int) *yaml.Node {
	if len(p.nodes) == 0 {
		p.nodes = make([]yaml.Node, p.size)
	}
	n := &p.nodes[0]
	p.nodes = p.nodes[1:]
	// The node may be reused (lazySection): set every field this reader
	// sets anywhere, one by one, since assigning a whole Node costs a
	// write barrier for each of its ten pointers while the GC runs.
	n.Kind, n.Style, n.Tag, n.Value, n.Content, n.Line, n.Column = kind, 0, tag, "", nil, line, col
	return n
}

// finish moves the children pushed since mark into n's Content.
func (p *fastYAML) finish(n *yaml.Node, mark int) {
	k := len(p.stack) - mark
	if k == 0 {
		return
	}
	if len(p.ptrs) < k {
		size := 1024
		if size < k {
			size = k
		}
		p.ptrs = make([]*yaml.Node, size)
	}
	n.Content = p.ptrs[:k:k]
	copy(n.Content, p.stack[mark:])
	p.ptrs = p.ptrs[k:]
	clear(p.stack[mark:])
	p.stack = p.stack[:mark]
}

func (p *fastYAML) col() int { return p.pos - p.lineStart }

// nextContent moves to the first byte of the next line holding something
// other than spaces and a comment, and returns its indentation. It reports
// false at the end of the input.
func (p *fastYAML) nextContent() (int, bool) {
	s := p.src
	for p.pos < len(s) {
		i := p.pos
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] != '\n' && s[i] != '#' {
			p.pos = i
			return i - p.lineStart, true
		}
		nl := indexByteFrom(s, i, '\n')
		if nl < 0 {
			p.pos = len(s)
			return 0, false
		}
		p.pos = nl + 1
		p.line++
		p.lineStart = p.pos
	}
	return 0, false
}

// endLine consumes spaces and a comment (which needs a space before it) up
// to the end of the line, and gives up on anything else.
func (p *fastYAML) endLine() {
	s := p.src
	start := p.pos
	for p.pos < len(s) && s[p.pos] == ' ' {
		p.pos++
	}
	if p.pos == len(s) || s[p.pos] == '\n' {
		return
	}
	if s[p.pos] == '#' && p.pos > start {
		if nl := indexByteFrom(s, p.pos, '\n'); nl >= 0 {
			p.pos = nl
		} else {
			p.pos = len(s)
		}
		return
	}
	p.bail()
}

// restEmpty reports whether only spaces and a comment are left on the line.
func (p *fastYAML) restEmpty() bool {
	s := p.src
	i := p.pos
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i == len(s) || s[i] == '\n' || (s[i] == '#' && i > p.pos)
}

func (p *fastYAML) skipSpaces() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// blockMapping reads a block mapping whose keys are at column col; pos is
// at its first key.
func (p *fastYAML) blockMapping(col int) *yaml.Node {
	m := p.node(yaml.MappingNode, "!!map", p.line, col+1)
	mark := len(p.stack)
	for {
		p.pair(col)
		if !p.morePairs(col) {
			break
		}
	}
	p.finish(m, mark)
	return m
}

// pair reads one key of a block mapping at col and its value, and pushes
// both.
func (p *fastYAML) pair(col int) {
	keyStart := p.pos
	k := p.scalar(false)
	if p.pos-keyStart > 1000 || p.pos >= len(p.src) || p.src[p.pos] != ':' {
		p.bail()
	}
	p.pos++
	if p.pos < len(p.src) && p.src[p.pos] != ' ' && p.src[p.pos] != '\n' {
		p.bail()
	}
	p.stack = append(p.stack, k)
	if !p.restEmpty() {
		p.skipSpaces()
		p.stack = append(p.stack, p.inlineValue())
		p.endLine()
		return
	}
	p.endLine()
	ind, ok := p.nextContent()
	// The big sections of the root mapping are read later, an entry at
	// a time (see lazySection).
	lazy := p.lazy && col == 0 && (k.Value == "rules" || k.Value == "profiles")
	switch {
	case !ok:
		p.bail() // an empty value
	case lazy && ind >= col && p.atSeqEntry():
		p.stack = append(p.stack, p.skipSection(yaml.SequenceNode, ind))
	case lazy && ind > col:
		p.stack = append(p.stack, p.skipSection(yaml.MappingNode, ind))
	case ind > col && p.atSeqEntry():
		p.stack = append(p.stack, p.blockSequence(ind))
	case ind > col:
		p.stack = append(p.stack, p.blockMapping(ind))
	case ind == col && p.atSeqEntry():
		p.stack = append(p.stack, p.blockSequence(ind))
	default:
		p.bail() // an empty value
	}
}

// morePairs moves to the next key of a block mapping at col, and reports
// false at the mapping's end.
func (p *fastYAML) morePairs(col int) bool {
	ind, ok := p.nextContent()
	if !ok || ind < col {
		return false
	}
	if ind > col || p.atSeqEntry() {
		p.bail()
	}
	return true
}

// atSeqEntry reports whether pos starts a block sequence entry: "-"
// followed by a space or the end of the line.
func (p *fastYAML) atSeqEntry() bool {
	s := p.src
	return p.pos < len(s) && s[p.pos] == '-' && (p.pos+1 == len(s) || s[p.pos+1] == ' ' || s[p.pos+1] == '\n')
}

// blockSequence reads a block sequence whose dashes are at column col.
func (p *fastYAML) blockSequence(col int) *yaml.Node {
	seq := p.node(yaml.SequenceNode, "!!seq", p.line, col+1)
	mark := len(p.stack)
	for {
		p.entry()
		if !p.moreEntries(col) {
			break
		}
	}
	p.finish(seq, mark)
	return seq
}

// entry reads one entry of a block sequence, from its dash, and pushes it.
func (p *fastYAML) entry() {
	p.pos++ // the dash
	if p.restEmpty() {
		p.bail() // an entry on the lines below, or an empty one
	}
	p.skipSpaces()
	if p.atSeqEntry() {
		p.bail() // a sequence in a sequence
	}
	if p.startsKey() {
		p.stack = append(p.stack, p.blockMapping(p.col()))
	} else {
		p.stack = append(p.stack, p.inlineValue())
		p.endLine()
	}
}

// moreEntries moves to the next dash of a block sequence at col, and
// reports false at the sequence's end.
func (p *fastYAML) moreEntries(col int) bool {
	ind, ok := p.nextContent()
	if !ok || ind < col {
		return false
	}
	if ind > col {
		p.bail()
	}
	// A line at col without a dash is the next key of the mapping
	// holding an unindented sequence.
	return p.atSeqEntry()
}

// lazySection is the rules: or profiles: section of a policy, read an
// entry at a time while the decoder decodes it, into the same few nodes:
// a 10,000-rule policy would otherwise build a tree of 200,000 nodes
// (30 MB) that is thrown away once decoded. The reader passes over the
// section first, line by line, to find where it ends and how many
// entries it has; the decoder then pulls the entries (next), and the
// section must end exactly where that pass said, or the whole file goes
// to yaml.v3.
type lazySection struct {
	node  *yaml.Node // the section's node in the tree; it has no Content
	q     fastYAML   // the reader of the entries
	col   int        // the column of the dashes or keys
	count int        // the number of entries
	end   int        // the offset where the section ends
	block []yaml.Node
	ptrs  []*yaml.Node
	first bool // no entry read yet
	done  bool // every entry read, and the section ended at end
}

// skipSection passes over a block sequence or mapping at col, and returns
// its node, to be read through its lazySection.
func (p *fastYAML) skipSection(kind yaml.Kind, col int) *yaml.Node {
	tag := "!!map"
	if kind == yaml.SequenceNode {
		tag = "!!seq"
	}
	n := p.node(kind, tag, p.line, col+1)
	sec := &lazySection{node: n, col: col, first: true,
		q: fastYAML{src: p.src, pos: p.pos, line: p.line, lineStart: p.lineStart, size: 256}}
	for {
		ind := p.pos - p.lineStart
		if ind < col || (ind == col && kind == yaml.SequenceNode && !p.atSeqEntry()) {
			break
		}
		if ind == col {
			sec.count++
		}
		nl := indexByteFrom(p.src, p.pos, '\n')
		if nl < 0 {
			p.pos = len(p.src)
			break
		}
		p.pos = nl + 1
		p.line++
		p.lineStart = p.pos
		if _, ok := p.nextContent(); !ok {
			break
		}
	}
	sec.end = p.pos
	sec.block = make([]yaml.Node, 256)
	sec.ptrs = make([]*yaml.Node, 256)
	p.sections = append(p.sections, sec)
	return n
}

// next reads the next entry of the section: an item of a sequence (b is
// nil) or a key and its value. The nodes of the entry before are reused.
// It reports false after the last entry.
func (s *lazySection) next() (a, b *yaml.Node, ok bool) {
	q := &s.q
	if s.done {
		return nil, nil, false
	}
	if !s.first {
		more := false
		if s.node.Kind == yaml.SequenceNode {
			more = q.moreEntries(s.col)
		} else {
			more = q.morePairs(s.col)
		}
		if !more {
			if q.pos != s.end {
				q.bail()
			}
			s.done = true
			return nil, nil, false
		}
	}
	s.first = false
	q.nodes, q.ptrs = s.block, s.ptrs
	if s.node.Kind == yaml.SequenceNode {
		q.entry()
		a = q.stack[0]
	} else {
		q.pair(s.col)
		a, b = q.stack[0], q.stack[1]
	}
	clear(q.stack)
	q.stack = q.stack[:0]
	return a, b, true
}

// lazyOf returns the lazySection of n, or nil when n was read whole.
func (p *fastYAML) lazyOf(n *yaml.Node) *lazySection {
	if p == nil {
		return nil
	}
	for _, s := range p.sections {
		if s.node == n {
			return s
		}
	}
	return nil
}

// allRead reports whether the decoder read every lazy section to its end.
func (p *fastYAML) allRead() bool {
	for _, s := range p.sections {
		if !s.done {
			return false
		}
	}
	return true
}

// startsKey reports whether a scalar followed by ": " starts at pos, so
// that a sequence entry is a compact mapping. It does not move pos.
func (p *fastYAML) startsKey() bool {
	save, line, lineStart := p.pos, p.line, p.lineStart
	defer func() { p.pos, p.line, p.lineStart = save, line, lineStart }()
	c := p.src[p.pos]
	if c == '[' || c == '{' {
		return false
	}
	p.scalar(false)
	return p.pos < len(p.src) && p.src[p.pos] == ':'
}

// inlineValue reads a value that starts on the current line: a flow
// collection or a scalar.
func (p *fastYAML) inlineValue() *yaml.Node {
	switch p.src[p.pos] {
	case '[', '{':
		return p.flow()
	}
	return p.scalar(false)
}

// flow reads a flow collection, which must close on its line.
func (p *fastYAML) flow() *yaml.Node {
	s := p.src
	open := s[p.pos]
	var n *yaml.Node
	if open == '[' {
		n = p.node(yaml.SequenceNode, "!!seq", p.line, p.col()+1)
	} else {
		n = p.node(yaml.MappingNode, "!!map", p.line, p.col()+1)
	}
	n.Style = yaml.FlowStyle
	closer := byte(']')
	if open == '{' {
		closer = '}'
	}
	mark := len(p.stack)
	p.pos++
	p.skipSpaces()
	if p.pos < len(s) && s[p.pos] == closer {
		p.pos++
		return n
	}
	for {
		if p.pos >= len(s) {
			p.bail()
		}
		if open == '{' {
			keyStart := p.pos
			if s[p.pos] == '[' || s[p.pos] == '{' {
				p.bail()
			}
			k := p.scalar(true)
			if p.pos-keyStart > 1000 || p.pos+1 >= len(s) || s[p.pos] != ':' || s[p.pos+1] != ' ' {
				p.bail()
			}
			p.pos++
			p.skipSpaces()
			p.stack = append(p.stack, k)
		}
		if p.pos >= len(s) {
			p.bail()
		}
		switch s[p.pos] {
		case '[', '{':
			p.stack = append(p.stack, p.flow())
		default:
			p.stack = append(p.stack, p.scalar(true))
		}
		p.skipSpaces()
		if p.pos >= len(s) {
			p.bail()
		}
		switch s[p.pos] {
		case ',':
			p.pos++
			p.skipSpaces()
			if p.pos >= len(s) || s[p.pos] == closer || s[p.pos] == ',' {
				p.bail() // a trailing comma or an empty entry
			}
			continue
		case closer:
			p.pos++
			p.finish(n, mark)
			return n
		}
		p.bail()
	}
}

// scalar reads a plain or quoted scalar on the current line; inFlow says
// whether it is inside a flow collection.
func (p *fastYAML) scalar(inFlow bool) *yaml.Node {
	s := p.src
	if p.pos >= len(s) {
		p.bail()
	}
	line, col := p.line, p.col()+1
	switch c := s[p.pos]; c {
	case '\'', '"':
		end := p.pos + 1
		for end < len(s) && s[end] != c {
			if s[end] == '\n' || (c == '"' && s[end] == '\\') {
				p.bail()
			}
			end++
		}
		if end == len(s) || (c == '\'' && end+1 < len(s) && s[end+1] == '\'') {
			p.bail()
		}
		if end-p.pos-1 > MaxStringSize {
			p.bail() // for the issue the string checks report
		}
		n := p.node(yaml.ScalarNode, "!!str", line, col)
		n.Value = s[p.pos+1 : end]
		if c == '\'' {
			n.Style = yaml.SingleQuotedStyle
		} else {
			n.Style = yaml.DoubleQuotedStyle
		}
		p.pos = end + 1
		// What follows a quoted scalar is checked by the caller; a
		// character stuck to it ("'a'b") is refused there.
		if p.pos < len(s) && s[p.pos] != ' ' && s[p.pos] != '\n' && s[p.pos] != ':' && !(inFlow && (s[p.pos] == ',' || s[p.pos] == ']' || s[p.pos] == '}')) {
			p.bail()
		}
		return n
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', ' ', '\n':
		p.bail()
	}
	start, end := p.pos, p.pos
	i := p.pos
scan:
	for i < len(s) {
		switch c := s[i]; c {
		case '\n':
			break scan
		case ' ':
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j == len(s) || s[j] == '\n' || s[j] == '#' {
				break scan
			}
			i = j
			continue
		case ':':
			if i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n' {
				break scan
			}
		case ',', '?', '[', ']', '{', '}':
			if inFlow {
				break scan
			}
		}
		i++
		end = i
	}
	p.pos = end
	if end == start || s[end-1] == ':' {
		p.bail()
	}
	if end-start > MaxStringSize {
		p.bail() // for the issue the string checks report
	}
	v := s[start:end]
	n := p.node(yaml.ScalarNode, plainTag(v), line, col)
	n.Value = v
	return n
}

// plainTag is the tag yaml.v3 resolves a plain scalar to, given here so
// that ShortTag need not resolve it again at every call. Scalars that
// could be numbers or timestamps (a digit, sign or dot first) are left
// without a tag, for yaml.v3 to resolve.
func plainTag(v string) string {
	switch v[0] {
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '-', '.':
		return ""
	}
	switch v {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "~", "null", "Null", "NULL":
		return "!!null"
	case "<<":
		return "!!merge"
	}
	return "!!str"
}
